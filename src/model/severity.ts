/** The one severity ordering of the project, highest first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

export type Severity = (typeof SEVERITIES)[number];

const rank: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

/**
 * True when `value` is one of the severity names. An own-property check: `in` would also accept the
 * names every object inherits (`toString`, `constructor`), and a CI gate on them never trips.
 */
export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && Object.hasOwn(rank, value);
}

/** Compares two severities: positive when `a` is more severe than `b`. */
export function compareSeverity(a: Severity, b: Severity): number {
  return rank[a] - rank[b];
}

/** True when `severity` is at or above `threshold`. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return rank[severity] >= rank[threshold];
}

/** One level lower (used for conditional grants); `info` stays `info`. */
export function lowerSeverity(severity: Severity): Severity {
  const index = SEVERITIES.indexOf(severity);
  return SEVERITIES[Math.min(index + 1, SEVERITIES.length - 1)]!;
}
