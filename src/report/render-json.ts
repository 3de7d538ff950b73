import type { AuditReport } from '../model/report.js';

/**
 * Renders the report as the JSON contract of SPEC §6, unchanged, for machines and archives.
 *
 * @example
 * const parsed = JSON.parse(renderJson(report)); // deep-equals report
 */
export function renderJson(report: AuditReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
