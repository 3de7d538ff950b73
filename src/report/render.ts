import type { AuditReport } from '../model/report.js';
import { renderJson } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';
import { renderTable } from './render-table.js';
import { renderText } from './render-text.js';

export { summaryLine } from './render-text.js';

/** Every output format, in the order the CLI lists them; `table` is the terminal default. */
export const REPORT_FORMATS = ['table', 'text', 'json', 'markdown'] as const;

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
      return renderTable(report, options);
    case 'text':
      return renderText(report);
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report);
    default:
      throw new UnknownReportFormatError(String(format));
  }
}
