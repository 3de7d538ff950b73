import type { AuditReport } from '../model/report.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';
import { renderTable } from './render-table.js';
import { renderText } from './render-text.js';

export { summaryLine } from './format.js';

/** Every output format, in the order the CLI lists them; `table` is the terminal default. */
export const REPORT_FORMATS = ['table', 'text', 'json', 'markdown', 'html'] as const;

export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderOptions {
  /** ANSI colours in the `table` format; ignored by the others, which never colour. */
  color?: boolean;
  /** Line width of the `table` format (default 120); the `text` digest keeps its email width. */
  width?: number;
}

/** Raised when a format name from the command line or configuration is not one of {@link REPORT_FORMATS}. */
export class UnknownReportFormatError extends Error {
  override readonly name = 'UnknownReportFormatError';
  readonly format: string;

  constructor(format: string) {
    super(`Unknown report format "${format}"; expected one of ${REPORT_FORMATS.join(', ')}.`);
    this.format = format;
  }
}

// C0 and C1 control characters (ESC, BEL, CSI…): printed raw they drive the reader's terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * A copy of the report whose strings carry no control characters other than tab and newline, so that
 * a name in a hand-written input file cannot retitle or rewrite the terminal that shows the report.
 */
export function withoutControlCharacters<T>(value: T): T {
  if (typeof value === 'string') return value.replace(CONTROL_CHARACTERS, '\uFFFD') as T;
  if (Array.isArray(value)) return value.map((item) => withoutControlCharacters(item)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, withoutControlCharacters(item)]),
    ) as T;
  }
  return value;
}

/** True when `value` names a report format. */
export function isReportFormat(value: unknown): value is ReportFormat {
  return typeof value === 'string' && (REPORT_FORMATS as readonly string[]).includes(value);
}

/**
 * Renders an audit report in one of the output formats.
 *
 * @example
 * process.stdout.write(renderReport(report, 'table', { color: true, width: process.stdout.columns }));
 */
export function renderReport(report: AuditReport, format: ReportFormat, options: RenderOptions = {}): string {
  switch (format) {
    case 'table':
      return renderTable(withoutControlCharacters(report), options);
    case 'text':
      return renderText(withoutControlCharacters(report));
    case 'json':
      // JSON.stringify escapes control characters itself.
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(withoutControlCharacters(report));
    case 'html':
      // Escapes control characters itself, without copying the report.
      return renderHtml(report);
    default:
      throw new UnknownReportFormatError(String(format));
  }
}
