/**
 * The organization roll-up (SPEC §9b): every account's newest archived run and last complete baseline,
 * read from one central bucket, turned into one ranked view. Pure: the bucket is read by `read.ts`.
 */
import type { AuditReport, ReportSummary, RunStatus, SeverityCounts } from '../model/report.js';
import { atLeast, compareSeverity, isSeverity, SEVERITIES, type Severity } from '../model/severity.js';
import { planRoles, rollupByRule } from '../report/fix-plan.js';

/** An account's state in the roll-up: its newest run's status, or `stale` when it has not run lately. */
export type AccountStatus = 'complete' | 'partial' | 'failed' | 'stale';

export const ACCOUNT_STATUSES: readonly AccountStatus[] = ['complete', 'partial', 'failed', 'stale'];

/** Hours without a new report after which an account is `stale` (the schedule is nightly). */
export const DEFAULT_STALE_HOURS = 48;

/** Roles named per account, and across the organization. */
export const TOP_ROLES_PER_ACCOUNT = 5;
export const TOP_ROLES_IN_ORGANIZATION = 10;

/** One stored JSON document of an account's prefix: parsed JSON, or why it could not be read. */
export interface StoredReport {
  key: string;
  report?: unknown;
  problem?: string;
}

/** What the bucket holds for one account (`reports/<account>/`). */
export interface AccountReports {
  account: string;
  /** The newest archived run, `<timestamp>-<run id>.json` (keys sort by time). */
  newest?: StoredReport;
  /** `latest.json`: the last complete full-scope run, whose findings the roll-up counts. */
  baseline?: StoredReport;
}

/**
 * The expected accounts (the organization's) that have no prefix in the bucket: each is rolled up from
 * `{ account }`, as `stale` with "no report at all".
 *
 * @example
 * accountsNeverHeardOf(['111111111111'], ['111111111111', '222222222222']); // ['222222222222']
 */
export function accountsNeverHeardOf(found: readonly string[], expected: readonly string[]): string[] {
  const known = new Set(found);
  return [...new Set(expected)].filter((account) => !known.has(account));
}

/** A role to fix in one account: its fix-plan entry, condensed. */
export interface OrganizationRole {
  account: string;
  roleArn: string;
  roleName: string;
  severity: Severity;
  /** Functions that run as the role, and how many of them the findings at `severity` affect. */
  functionCount: number;
  functionsAffected: number;
  /** Rules of its unmuted findings (its own and its functions'), most severe first. */
  rules: string[];
  publiclyInvocable: boolean;
  new: boolean;
  remediation: string;
}

export interface OrganizationAccount {
  account: string;
  status: AccountStatus;
  /** When the newest run of the account was generated (null when none could be read). */
  generatedAt: string | null;
  /** The newest run's own status (for a stale account: how its last run went). */
  lastRun: RunStatus | null;
  /** Why the account is not `complete`, or why its findings are missing or old. */
  reason?: string;
  /** When the baseline whose findings are shown was generated. */
  baselineAt: string | null;
  /** Where the newest run's JSON report is. */
  location?: string;
  /** The baseline's summary (unmuted findings by severity, …), or null without a baseline. */
  summary: ReportSummary | null;
  /** The account's roles to fix, most urgent first (at most {@link TOP_ROLES_PER_ACCOUNT}). */
  top: OrganizationRole[];
  /** How many roles it has to fix in all, by severity. */
  rolesToFix: SeverityCounts;
}

/** One rule across the organization: in how many accounts, roles and functions it fires. */
export interface OrganizationRuleTotal {
  ruleId: string;
  severity: Severity;
  accounts: number;
  roles: number;
  functions: number;
}

export interface OrganizationSummary {
  accounts: number;
  status: Record<AccountStatus, number>;
  functions: number;
  roles: number;
  /** Unmuted findings by severity, summed over the accounts' baselines. */
  findings: SeverityCounts;
  functionsAffected: SeverityCounts;
  rolesToFix: SeverityCounts;
  muted: number;
  rules: OrganizationRuleTotal[];
  /** The roles to fix first across the organization (at most {@link TOP_ROLES_IN_ORGANIZATION}). */
  topRoles: OrganizationRole[];
}

/** The organization roll-up, `kind: "organization"` (SPEC §9b). */
export interface OrganizationReport {
  schemaVersion: 2;
  kind: 'organization';
  generatedAt: string;
  /** Accounts ranked by their worst role, then accounts without findings (failed, stale, partial first). */
  accounts: OrganizationAccount[];
  summary: OrganizationSummary;
  /** Accounts with no report within the stale window, oldest first. */
  stale: string[];
}

export interface RollupOptions {
  now: Date;
  staleHours?: number;
}

function emptyCounts(): SeverityCounts {
  return Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as SeverityCounts;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRunStatus(value: unknown): value is RunStatus {
  return value === 'complete' || value === 'partial' || value === 'failed';
}

/** Why a stored document is not a schemaVersion 2 report the roll-up can read, or undefined. */
function reportProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'is not a JSON object';
  if (value.schemaVersion !== 2)
    return `has schemaVersion ${JSON.stringify(value.schemaVersion) ?? 'undefined'}, expected 2`;
  if (typeof value.generatedAt !== 'string' || Number.isNaN(Date.parse(value.generatedAt)))
    return 'has no valid generatedAt';
  if (!isRunStatus(value.status)) return 'has no valid status';
  if (!Array.isArray(value.findings) || !isObject(value.summary)) return 'has no findings or summary';
  return undefined;
}

/** The report with only findings whose severity, rule and role can be read: stored JSON is input. */
function withReadableFindings(report: AuditReport): AuditReport {
  const findings = report.findings.filter(
    (finding) =>
      isObject(finding) &&
      isSeverity(finding.severity) &&
      typeof finding.ruleId === 'string' &&
      typeof finding.roleArn === 'string' &&
      (finding.subject === 'role' ||
        (finding.subject === 'function' && typeof finding.functionArn === 'string')),
  );
  const roles = Array.isArray(report.roles)
    ? report.roles.filter((role) => isObject(role) && Array.isArray(role.functions))
    : [];
  return { ...report, findings, roles };
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Fix order of roles across accounts: severity, functions affected, public exposure, account, name. */
export function compareRoles(a: OrganizationRole, b: OrganizationRole): number {
  return (
    compareSeverity(b.severity, a.severity) ||
    Number(b.publiclyInvocable) - Number(a.publiclyInvocable) ||
    b.functionsAffected - a.functionsAffected ||
    byCodeUnits(a.account, b.account) ||
    byCodeUnits(a.roleName, b.roleName)
  );
}

/** Accounts without findings: the ones that cannot be trusted to be clean come first. */
const STATUS_URGENCY: Record<AccountStatus, number> = { failed: 0, stale: 1, partial: 2, complete: 3 };

/**
 * Account order: by their worst role (severity, then functions affected), then by how many roles they
 * have to fix at that severity; accounts with nothing to fix after them, failed, stale and partial first.
 */
export function compareAccounts(a: OrganizationAccount, b: OrganizationAccount): number {
  const worstA = a.top[0];
  const worstB = b.top[0];
  if (worstA && worstB) {
    return (
      compareSeverity(worstB.severity, worstA.severity) ||
      worstB.functionsAffected - worstA.functionsAffected ||
      b.rolesToFix[worstB.severity] - a.rolesToFix[worstA.severity] ||
      byCodeUnits(a.account, b.account)
    );
  }
  if (worstA) return -1;
  if (worstB) return 1;
  return STATUS_URGENCY[a.status] - STATUS_URGENCY[b.status] || byCodeUnits(a.account, b.account);
}

function accountRoles(account: string, report: AuditReport): OrganizationRole[] {
  return planRoles(report).map((role) => ({
    account,
    roleArn: role.roleArn,
    roleName: role.roleName,
    severity: role.severity,
    functionCount: role.functionCount,
    functionsAffected: role.affected,
    rules: [
      ...new Set([
        ...role.roleFindings.map((finding) => finding.ruleId),
        ...role.functionFindings.map((rule) => rule.ruleId),
      ]),
    ],
    publiclyInvocable: role.publiclyInvocable,
    new: role.isNew,
    remediation: role.remediation,
  }));
}

/**
 * One account rolled up: all the organization roll-up needs of it. Small whatever the size of the
 * account's reports, so a reader can drop each account's reports as soon as it is rolled up.
 */
export interface AccountRollup {
  entry: OrganizationAccount;
  roles: OrganizationRole[];
  rules: ReturnType<typeof rollupByRule>;
}

/**
 * Rolls up one account's reports (its status, the summary and roles of its baseline, its rule totals).
 *
 * @example
 * const rollup = rollUpAccount({ account: '111111111111', newest, baseline }, { now: new Date() });
 */
export function rollUpAccount(input: AccountReports, options: RollupOptions): AccountRollup {
  const now = options.now;
  const staleHours = options.staleHours ?? DEFAULT_STALE_HOURS;
  const reasons: string[] = [];
  let baseline: AuditReport | undefined;
  if (input.baseline) {
    const problem =
      input.baseline.problem ??
      (input.baseline.report === undefined ? 'could not be read' : reportProblem(input.baseline.report));
    if (problem) reasons.push(`latest.json ${problem}`);
    else baseline = withReadableFindings(input.baseline.report as AuditReport);
  }
  // Without an archived run, the baseline is the newest thing the account wrote.
  let newest: AuditReport | undefined;
  let newestProblem: string | undefined;
  if (input.newest) {
    newestProblem =
      input.newest.problem ??
      (input.newest.report === undefined ? 'could not be read' : reportProblem(input.newest.report));
    if (!newestProblem) newest = withReadableFindings(input.newest.report as AuditReport);
  } else {
    newest = baseline;
  }

  let status: AccountStatus;
  let reason: string | undefined;
  const lastRun = newest?.status ?? null;
  const generatedAt = newest?.generatedAt ?? null;
  if (!newest && !input.newest && !input.baseline) {
    // An account of the organization that has never archived a report here.
    status = 'stale';
    reason = 'no report at all';
  } else if (!newest) {
    status = 'failed';
    reason = input.newest
      ? `the newest report ${input.newest.key} ${newestProblem}`
      : 'no report could be read';
  } else if (now.getTime() - Date.parse(newest.generatedAt) > staleHours * 3_600_000) {
    status = 'stale';
    reason = `no report since ${newest.generatedAt} (more than ${staleHours} h)`;
  } else {
    status = newest.status;
    if (newest.status !== 'complete')
      reason =
        newest.partial?.reason ??
        (newest.status === 'failed' ? 'nothing could be audited' : 'part of the account was not read');
  }
  if (!baseline && !input.baseline && newest?.status === 'complete' && newest.scope?.full !== false) {
    // A complete full run without latest.json (an older archive layout): its findings are the baseline.
    baseline = newest;
  }
  if (!baseline && (input.newest || input.baseline))
    reasons.push('no complete baseline yet: findings unknown');
  const allReasons = [reason, ...reasons].filter((text): text is string => Boolean(text));

  const roles = baseline ? accountRoles(input.account, baseline) : [];
  const rolesToFix = emptyCounts();
  for (const role of roles) rolesToFix[role.severity] += 1;
  const entry: OrganizationAccount = {
    account: input.account,
    status,
    generatedAt,
    lastRun,
    ...(allReasons.length > 0 ? { reason: allReasons.join('; ') } : {}),
    baselineAt: baseline?.generatedAt ?? null,
    ...(typeof newest?.location === 'string' ? { location: newest.location } : {}),
    summary: baseline ? baseline.summary : null,
    top: roles.slice(0, TOP_ROLES_PER_ACCOUNT),
    rolesToFix,
  };
  return { entry, roles, rules: baseline ? rollupByRule(baseline) : [] };
}

/**
 * Rolls up the reports of every account of the bucket: per account its status (`stale` when its newest
 * report is older than `staleHours`), its baseline's summary and top roles; accounts ranked by their
 * worst role; totals by rule; the top roles across the organization.
 *
 * @example
 * const organization = rollUpOrganization(await readOrganizationReports(s3, 'org-reports'), { now: new Date() });
 * organization.accounts[0]?.top[0]; // the role to fix first, in the worst account
 */
export function rollUpOrganization(
  inputs: readonly AccountReports[],
  options: RollupOptions,
): OrganizationReport {
  return combineAccountRollups(
    inputs.map((input) => rollUpAccount(input, options)),
    options,
  );
}

/**
 * The organization roll-up of accounts rolled up one by one ({@link rollUpAccount}): accounts ranked by
 * their worst role, totals by rule, the top roles across the organization.
 *
 * @example
 * const organization = combineAccountRollups(inputs.map((input) => rollUpAccount(input, options)), options);
 */
export function combineAccountRollups(
  rollups: readonly AccountRollup[],
  options: RollupOptions,
): OrganizationReport {
  const accounts = rollups.map((rollup) => rollup.entry).sort(compareAccounts);

  const status = Object.fromEntries(ACCOUNT_STATUSES.map((name) => [name, 0])) as Record<
    AccountStatus,
    number
  >;
  const findings = emptyCounts();
  const functionsAffected = emptyCounts();
  const rolesToFix = emptyCounts();
  let functions = 0;
  let roles = 0;
  let muted = 0;
  for (const account of accounts) {
    status[account.status] += 1;
    for (const severity of SEVERITIES) rolesToFix[severity] += account.rolesToFix[severity];
    if (!account.summary) continue;
    functions += numberOr0(account.summary.functions);
    roles += numberOr0(account.summary.roles);
    muted += numberOr0(account.summary.muted);
    for (const severity of SEVERITIES) {
      findings[severity] += numberOr0(account.summary.findings?.[severity]);
      functionsAffected[severity] += numberOr0(account.summary.functionsAffected?.[severity]);
    }
  }

  const rules = new Map<string, OrganizationRuleTotal>();
  for (const rollup of rollups) {
    for (const rule of rollup.rules) {
      let total = rules.get(rule.ruleId);
      if (!total) {
        total = { ruleId: rule.ruleId, severity: rule.severity, accounts: 0, roles: 0, functions: 0 };
        rules.set(rule.ruleId, total);
      }
      if (compareSeverity(rule.severity, total.severity) > 0) total.severity = rule.severity;
      total.accounts += 1;
      total.roles += rule.roles;
      total.functions += rule.functions;
    }
  }

  const stale = accounts
    .filter((account) => account.status === 'stale')
    .sort(
      (a, b) => byCodeUnits(a.generatedAt ?? '', b.generatedAt ?? '') || byCodeUnits(a.account, b.account),
    )
    .map((account) => account.account);

  return {
    schemaVersion: 2,
    kind: 'organization',
    generatedAt: options.now.toISOString(),
    accounts,
    summary: {
      accounts: accounts.length,
      status,
      functions,
      roles,
      findings,
      functionsAffected,
      rolesToFix,
      muted,
      rules: [...rules.values()].sort(
        (a, b) =>
          compareSeverity(b.severity, a.severity) ||
          b.functions - a.functions ||
          b.accounts - a.accounts ||
          byCodeUnits(a.ruleId, b.ruleId),
      ),
      topRoles: rollups
        .flatMap((rollup) => rollup.roles)
        .sort(compareRoles)
        .slice(0, TOP_ROLES_IN_ORGANIZATION),
    },
    stale,
  };
}

function numberOr0(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * The exit code a roll-up earned with `--fail-on`: 1 when an account has an unmuted finding at or
 * above the threshold, or is not `complete` (partial, failed or stale: a gate never passes half-blind),
 * or has no baseline yet, or when no account reported at all; else 0.
 *
 * @example
 * process.exitCode = organizationExitCode(organization, 'high');
 */
export function organizationExitCode(report: OrganizationReport, failOn: Severity | undefined): 0 | 1 {
  if (!failOn) return 0;
  if (report.accounts.length === 0) return 1;
  for (const account of report.accounts) {
    // Not complete, or no baseline: what the account holds is unknown.
    if (account.status !== 'complete' || !account.summary) return 1;
    const counts = account.summary?.findings;
    if (SEVERITIES.some((severity) => atLeast(severity, failOn) && numberOr0(counts?.[severity]) > 0))
      return 1;
  }
  return 0;
}
