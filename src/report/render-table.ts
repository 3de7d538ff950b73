import type { AuditReport, Finding } from '../model/report.js';
import type { Severity } from '../model/severity.js';
import { SEVERITIES } from '../model/severity.js';
import { roleNameFromArn } from '../policy/arn.js';
import {
  CONDITIONAL_FOOTNOTE,
  describeMuting,
  formatCount,
  functionLabel,
  hasHistory,
  hasText,
  partialNotice,
  pluralize,
  severityLabel,
  statusLabel,
  summaryLine,
  truncatedNotice,
  wrapText,
} from './format.js';
import { PROPOSALS_TITLE, PROPOSALS_WHERE, proposalLines } from './proposals.js';

export interface TableOptions {
  /** Emit ANSI colours (only when writing to a terminal that wants them). */
  color?: boolean;
  /** Maximum line length; the DETAIL column takes what the other columns leave. */
  width?: number;
}

const DEFAULT_WIDTH = 120;
/** Narrower than this, no table layout is readable any more. */
const MINIMUM_WIDTH = 40;
const COLUMN_GAP = '  ';
/** Below this the detail column is unreadable, and rows are laid out as blocks instead. */
const MINIMUM_DETAIL_WIDTH = 30;
const MINIMUM_SHRUNK_WIDTH = 12;
const BLOCK_INDENT = '    ';

type Style = 'bold' | 'red' | 'boldRed' | 'yellow' | 'dim';

const ANSI: Record<Style, [string, string]> = {
  bold: ['\u001b[1m', '\u001b[22m'],
  red: ['\u001b[31m', '\u001b[39m'],
  boldRed: ['\u001b[1;31m', '\u001b[0m'],
  yellow: ['\u001b[33m', '\u001b[39m'],
  dim: ['\u001b[2m', '\u001b[22m'],
};

const SEVERITY_STYLE: Record<Severity, Style> = {
  critical: 'boldRed',
  high: 'red',
  medium: 'yellow',
  low: 'dim',
  info: 'dim',
};

interface Column {
  header: string;
  /** Widest the column gets before its cells wrap. */
  cap: number;
  /** The flexible column takes the remaining width. */
  flexible?: boolean;
  /** Columns that may be narrowed below their content when the line is too short. */
  shrinkable?: boolean;
  style?: (cell: string, rowIndex: number) => Style | undefined;
}

/**
 * Renders the report as the terminal table of the CLI: header, counts, findings sorted by severity then
 * function, muted findings with their reasons, errors and notices, all within `width` columns.
 *
 * @example
 * process.stdout.write(renderTable(report, { color: process.stdout.isTTY, width: process.stdout.columns }));
 */
export function renderTable(report: AuditReport, options: TableOptions = {}): string {
  const width = Math.max(MINIMUM_WIDTH, Math.floor(options.width ?? DEFAULT_WIDTH) || DEFAULT_WIDTH);
  const paint = (text: string, style: Style | undefined): string =>
    options.color && style && text !== '' ? `${ANSI[style][0]}${text}${ANSI[style][1]}` : text;
  const out: string[] = [];
  const push = (text: string, style?: Style, hangingIndent = 0): void => {
    wrapText(text, width - hangingIndent, { hardBreak: true }).forEach((line, index) => {
      out.push(`${index === 0 ? '' : ' '.repeat(hangingIndent)}${paint(line, style)}`);
    });
  };
  const section = (title: string): void => {
    out.push('');
    push(title, 'bold');
  };

  const findings = Array.isArray(report.findings) ? report.findings : [];
  // Findings come in fix-plan order (severity, functions affected, id).
  const active = findings.filter((finding) => !finding.muted);
  const muted = findings.filter((finding) => finding.muted);
  const errors = Array.isArray(report.errors) ? report.errors : [];
  const tool = report.tool;

  const header: [string, Style | undefined][] = [
    [`Account ${report.account}`, 'bold'],
    [statusLabel(report), report.status === 'complete' ? undefined : 'boldRed'],
    [`regions ${(report.scope?.regions ?? []).join(', ') || 'none'}`, undefined],
    [`generated ${report.generatedAt}`, undefined],
    [
      `${tool?.name ?? 'lambda-role-auditor'} ${tool?.version ?? ''} (IAM data ${tool?.iamDataVersion ?? 'unknown'})`,
      'dim',
    ],
  ];
  out.push(...packItems(header, ' | ', width, paint));
  push(
    `${pluralize(report.summary?.functions ?? 0, 'function')}, ${pluralize(report.summary?.roles ?? 0, 'role')} audited: ` +
      summaryLine(report),
  );
  out.push(...countsLines(report, width, paint));
  out.push('');

  if (active.length === 0) {
    out.push('No findings.');
  } else {
    const rows = active.map((finding) => [
      severityLabel(finding),
      finding.ruleId,
      subjectCell(finding),
      `${finding.status === 'new' ? '[new] ' : ''}${finding.message ?? ''}`,
    ]);
    out.push(...layoutTable(findingColumns('DETAIL', active), rows, width, paint));
    if (active.some((finding) => finding.conditional)) {
      out.push('');
      push(CONDITIONAL_FOOTNOTE, undefined, 2);
    }
  }

  if (muted.length > 0) {
    section(`Muted (${muted.length})`);
    const rows = muted.map((finding) => [
      severityLabel(finding),
      finding.ruleId,
      subjectCell(finding),
      describeMuting(finding.muted!),
    ]);
    out.push(...layoutTable(findingColumns('REASON', muted), rows, width, paint));
  }

  if (hasHistory(report) && Array.isArray(report.resolved) && report.resolved.length > 0) {
    section(`Fixed since last run (${report.resolved.length})`);
    for (const finding of report.resolved) {
      const subject =
        finding.subject === 'function'
          ? (finding.functionName ?? '')
          : `role ${roleNameFromArn(finding.roleArn)}`;
      push(`- ${finding.severity} ${finding.ruleId} ${subject}: ${finding.title}`, undefined, 2);
    }
  }

  if ((report.proposals ?? []).length > 0) {
    section(PROPOSALS_TITLE);
    for (const line of proposalLines(report))
      push(`${' '.repeat(line.indent)}${line.text}`, undefined, line.indent + 2);
    push(PROPOSALS_WHERE, 'dim');
  }

  const expired = Array.isArray(report.expiredSuppressions) ? report.expiredSuppressions : [];
  if (expired.length > 0) {
    section(`Expired suppressions (${expired.length}): no longer muting`);
    for (const suppression of expired) {
      push(
        `- rule ${suppression.rule ?? '*'}, function ${suppression.function ?? '*'}, role ` +
          `${suppression.role ?? '*'}: expired ${suppression.until} (${suppression.reason})`,
        undefined,
        2,
      );
    }
  }

  if (errors.length > 0) {
    section(`Errors (${errors.length})`);
    for (const error of errors) {
      push(`- ${error.scope} ${error.arn}: ${error.code}: ${error.message}`, undefined, 2);
    }
  }

  const notes = Array.isArray(report.notes) ? report.notes : [];
  if (notes.length > 0) {
    section(`Notes (${notes.length})`);
    for (const note of notes) push(`- ${note.scope} ${note.arn}: ${note.message}`, undefined, 2);
  }

  if (report.partial || report.truncated) out.push('');
  if (report.partial) push(partialNotice(report.partial, report.status), 'yellow');
  if (report.truncated) push(truncatedNotice(report.truncated), 'yellow');
  if (hasText(report.location)) {
    out.push('');
    push(`Full report: ${report.location}`);
  }
  return `${out.join('\n')}\n`;
}

/** A role finding names the role and how many functions use it; a function finding the function and region. */
function subjectCell(finding: Finding): string {
  if (finding.subject === 'role')
    return `role ${roleNameFromArn(finding.roleArn)} (${formatCount(finding.functionCount)} fn)`;
  return `${functionLabel(finding)} (${finding.region})`;
}

/** The counts by severity (coloured) and the other counters, packed into lines of at most `width`. */
function countsLines(
  report: AuditReport,
  width: number,
  paint: (text: string, style: Style | undefined) => string,
): string[] {
  const summary = report.summary;
  const items: [string, Style | undefined][] = SEVERITIES.map((severity) => [
    `${severity} ${summary?.findings?.[severity] ?? 0}`,
    SEVERITY_STYLE[severity],
  ]);
  items.push([`muted ${summary?.muted ?? 0}`, undefined], [`errors ${summary?.errors ?? 0}`, undefined]);
  if (summary?.new !== undefined) items.push([`new ${summary.new}`, undefined]);
  if (summary?.resolved !== undefined) items.push([`resolved ${summary.resolved}`, undefined]);
  return packItems(items, COLUMN_GAP, width, paint);
}

/**
 * Joins items with `separator` into lines of at most `width`, starting a new line between items rather
 * than inside one (an item longer than the line is cut). Styles are applied after measuring.
 */
function packItems(
  items: readonly (readonly [string, Style | undefined])[],
  separator: string,
  width: number,
  paint: (text: string, style: Style | undefined) => string,
): string[] {
  const lines: string[] = [];
  let line = '';
  let length = 0;
  for (const [text, style] of items) {
    const pieces = wrapText(text, width, { hardBreak: true });
    for (const piece of pieces) {
      if (length > 0 && length + separator.length + piece.length > width) {
        lines.push(line);
        line = '';
        length = 0;
      }
      line = length > 0 ? `${line}${separator}${paint(piece, style)}` : paint(piece, style);
      length += (length > 0 ? separator.length : 0) + piece.length;
    }
  }
  lines.push(line);
  return lines;
}

function findingColumns(lastHeader: string, findings: readonly Finding[]): Column[] {
  const severityStyle = (_cell: string, rowIndex: number): Style | undefined => {
    const severity = findings[rowIndex]?.severity;
    return severity ? SEVERITY_STYLE[severity] : undefined;
  };
  return [
    { header: 'SEVERITY', cap: 9, style: severityStyle },
    // Rule ids stay whole: they are what people search for.
    { header: 'RULE', cap: 24 },
    { header: 'ROLE OR FUNCTION', cap: 40, shrinkable: true },
    { header: lastHeader, cap: Number.POSITIVE_INFINITY, flexible: true },
  ];
}

/**
 * Lays rows out in columns: every cell wraps within its column and the last column takes the remaining
 * width. Shrinkable columns give up space when the line is short; when even that leaves the last column
 * too narrow to read, each row becomes a block (identifying cells on one line, the last cell below).
 */
function layoutTable(
  columns: readonly Column[],
  rows: readonly string[][],
  width: number,
  paint: (text: string, style: Style | undefined) => string,
): string[] {
  const lastIndex = columns.length - 1;
  const widths = columns.map((column, index) =>
    Math.min(column.cap, Math.max(column.header.length, ...rows.map((row) => (row[index] ?? '').length))),
  );
  const gaps = COLUMN_GAP.length * lastIndex;
  const remaining = (): number =>
    width - gaps - widths.reduce((total, value, index) => (index === lastIndex ? total : total + value), 0);
  // Narrow the widest shrinkable column, one character at a time, until the last column has its minimum.
  while (remaining() < MINIMUM_DETAIL_WIDTH) {
    let widest = -1;
    columns.forEach((column, index) => {
      if (column.shrinkable && widths[index]! > MINIMUM_SHRUNK_WIDTH) {
        if (widest === -1 || widths[index]! > widths[widest]!) widest = index;
      }
    });
    if (widest === -1) return layoutBlocks(columns, rows, width, paint);
    widths[widest]! -= 1;
  }
  widths[lastIndex] = Math.min(widths[lastIndex]!, remaining());

  const renderRow = (cells: readonly string[], styleOf: (index: number) => Style | undefined): string[] => {
    const wrapped = columns.map((_column, index) =>
      wrapText(cells[index] ?? '', widths[index]!, { hardBreak: true }),
    );
    const height = Math.max(...wrapped.map((lines) => lines.length));
    const lines: string[] = [];
    for (let lineIndex = 0; lineIndex < height; lineIndex += 1) {
      const parts = wrapped.map((cellLines, index) => {
        const text = cellLines[lineIndex] ?? '';
        const padding = index === lastIndex ? '' : ' '.repeat(widths[index]! - text.length);
        return `${paint(text, styleOf(index))}${padding}`;
      });
      lines.push(parts.join(COLUMN_GAP).trimEnd());
    }
    return lines;
  };

  return [
    ...renderRow(
      columns.map((column) => column.header),
      () => 'bold',
    ),
    ...rows.flatMap((row, rowIndex) =>
      renderRow(row, (index) => columns[index]?.style?.(row[index] ?? '', rowIndex)),
    ),
  ];
}

/** The narrow-terminal layout of {@link layoutTable}: one block per row. */
function layoutBlocks(
  columns: readonly Column[],
  rows: readonly string[][],
  width: number,
  paint: (text: string, style: Style | undefined) => string,
): string[] {
  const lastIndex = columns.length - 1;
  return rows.flatMap((row, rowIndex) => {
    const identifying = packItems(
      row.slice(0, lastIndex).map((cell, index) => [cell, columns[index]?.style?.(cell, rowIndex)] as const),
      COLUMN_GAP,
      width,
      paint,
    );
    const detail = wrapText(row[lastIndex] ?? '', width - BLOCK_INDENT.length, { hardBreak: true }).map(
      (line) => `${BLOCK_INDENT}${line}`,
    );
    return [...identifying, ...detail];
  });
}
