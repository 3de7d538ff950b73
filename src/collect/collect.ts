import type {
  AccountSnapshot,
  AuditError,
  FunctionRecord,
  RoleReadFailure,
  RoleRecord,
} from '../model/snapshot.js';
import { emptySnapshot } from '../model/snapshot.js';
import { parseArn, roleNameFromArn } from '../policy/arn.js';
import type { AwsClients } from './clients.js';
import { createLimiter } from './concurrency.js';
import { CollectionAbortedError, CollectionError, errorCode, errorMessage, isAbortError } from './errors.js';
import { type ConvertedFunction, listRegionFunctions, type RegionListing } from './functions.js';
import { type BulkIamData, readAuthorizationDetails } from './iam-bulk.js';
import { type PolicyOutcome, type RoleOutcome, RoleReader } from './iam-per-role.js';
import { readLastAccessed, type UsageCollectionOptions } from './last-accessed.js';
import {
  type ResourcePolicyOptions,
  type ResourcePolicyOutcome,
  ResourcePolicyReader,
  resourcePolicyResult,
} from './resource-policies.js';
import { createRunControl, type RunControl } from './run-control.js';

/**
 * `bulk`: one `GetAccountAuthorizationDetails` chain for the whole account. `per-role`: a few calls
 * per distinct role and per distinct managed policy. `auto`: per-role while the number of distinct
 * roles used by functions stays at or below the threshold, bulk as soon as it goes above. Neither
 * waits for the listing to end: per-role reads start as soon as a page names a new role, and `auto`
 * starts bulk the moment the threshold is crossed (in a large account, during the first pages), so
 * the IAM chain runs alongside the listing chains. Reads queued before the switch are dropped.
 */
export type CollectionStrategy = 'auto' | 'bulk' | 'per-role';

/** Events for a progress line on a terminal; they never carry environment variable values. */
export type CollectProgress =
  | { kind: 'regions'; regions: string[] }
  | { kind: 'functions'; region: string; listed: number; done: boolean }
  | { kind: 'strategy'; strategy: 'bulk' | 'per-role'; distinctRoles: number }
  | { kind: 'bulk-page'; roles: number; policies: number }
  | { kind: 'roles'; settled: number; total: number }
  | { kind: 'usage'; settled: number; total: number }
  | { kind: 'stopping'; reason: string };

export interface CollectOptions {
  clients: AwsClients;
  /** Regions to list functions in; `'all'` = the account's enabled regions (`ec2:DescribeRegions`). */
  regions: string[] | 'all';
  collection?: CollectionStrategy;
  /** Keeps only the functions whose (unqualified) name passes; their versions follow the name. */
  functionFilter?: (functionName: string) => boolean;
  onProgress?: (event: CollectProgress) => void;
  /** Milliseconds left in the run (Lambda: `context.getRemainingTimeInMillis`). */
  deadline?: () => number;
  /** Below this many milliseconds left no new work starts and the snapshot comes back `partial`. */
  deadlineMarginMs?: number;
  /** Cancels the run: the promise rejects with {@link CollectionAbortedError}. */
  signal?: AbortSignal;
  /** `auto` switches to bulk above this many distinct roles. */
  bulkThreshold?: number;
  /** IAM calls in flight at once in per-role collection. */
  iamConcurrency?: number;
  /** Also read each role's last-accessed data (SPEC §4c: `--usage`, `USAGE=on`). */
  usage?: UsageCollectionOptions;
  /** Who may invoke each function (SPEC §4b): rate, cache; `false` leaves it out. Default: read. */
  resourcePolicies?: ResourcePolicyOptions | false;
}

export const DEFAULT_BULK_THRESHOLD = 50;
export const DEFAULT_IAM_CONCURRENCY = 8;
export const DEFAULT_DEADLINE_MARGIN_MS = 30_000;

const NOT_COLLECTED = 'NotCollected';

/**
 * Collects the snapshot of an account: every function and published version in the regions, and
 * the execution role of each (trust policy, inline and managed policies, boundary). Listing chains
 * (one per region) and the IAM chain run concurrently; per-role reads start as soon as a function
 * page names a new role. One failing region, role or policy becomes an `errors[]` entry.
 *
 * @example
 * const clients = createClients();
 * const snapshot = await collectSnapshot({ clients, regions: ['eu-west-1', 'us-east-1'], collection: 'auto' });
 */
export async function collectSnapshot(options: CollectOptions): Promise<AccountSnapshot> {
  const control = createRunControl({
    ...(options.deadline ? { deadline: options.deadline } : {}),
    marginMs: options.deadlineMarginMs ?? DEFAULT_DEADLINE_MARGIN_MS,
    ...(options.signal ? { signal: options.signal } : {}),
    onStop: (reason) => options.onProgress?.({ kind: 'stopping', reason }),
  });
  try {
    const regions = await resolveRegions(options, control);
    options.onProgress?.({ kind: 'regions', regions });
    const snapshot = await new Collection(options, control, regions).run();
    if (options.usage) await collectUsage(snapshot, options, options.usage, control);
    if (control.cancelled()) throw new CollectionAbortedError('collection was cancelled');
    return snapshot;
  } catch (error) {
    if (control.cancelled() && !(error instanceof CollectionAbortedError)) {
      throw new CollectionAbortedError('collection was cancelled', { cause: error });
    }
    throw error;
  } finally {
    control.dispose();
  }
}

/** Reads the roles' last-accessed data into the snapshot; roles whose report failed are error entries. */
async function collectUsage(
  snapshot: AccountSnapshot,
  options: CollectOptions,
  usage: UsageCollectionOptions,
  control: RunControl,
): Promise<void> {
  snapshot.usage = await readLastAccessed(options.clients.iam, [...snapshot.roles.values()], {
    ...usage,
    control,
    concurrency: options.iamConcurrency ?? DEFAULT_IAM_CONCURRENCY,
    onProgress: (settled, total) => options.onProgress?.({ kind: 'usage', settled, total }),
  });
  for (const [arn, failure] of snapshot.usage.failures) {
    // Roles the time limit left unread are listed in the partial report, not as errors.
    if (failure.code !== NOT_COLLECTED) snapshot.errors.push({ scope: 'role', arn, ...failure });
  }
}

async function resolveRegions(options: CollectOptions, control: RunControl): Promise<string[]> {
  if (options.regions !== 'all') {
    const regions = [...new Set(options.regions.map((region) => region.trim()).filter(Boolean))];
    if (regions.length === 0) throw new CollectionError('no region to audit');
    return regions;
  }
  try {
    const enabled = (await options.clients.enabledRegions(control.abortSignal)).sort();
    if (enabled.length === 0) throw new CollectionError('ec2:DescribeRegions returned no enabled region');
    return enabled;
  } catch (error) {
    if (error instanceof CollectionError) throw error;
    const message = `cannot list the enabled regions (ec2:DescribeRegions): ${errorMessage(error)}`;
    throw new CollectionError(message, { cause: error });
  }
}

/** The state of one run; `run()` is called once. */
class Collection {
  private readonly strategy: CollectionStrategy;
  private readonly threshold: number;
  private readonly reader: RoleReader;
  private readonly invokeReader: ResourcePolicyReader | undefined;
  private readonly functionsByRegion = new Map<string, FunctionRecord[]>();
  private readonly errors: AuditError[] = [];
  /** Same-account role ARNs in the order functions first named them. */
  private readonly ownRoles: string[] = [];
  private readonly seenRoles = new Set<string>();
  /** Roles decided without any call (another account, not a role ARN). */
  private readonly roleFailures = new Map<string, RoleReadFailure>();
  private bulk: Promise<BulkIamData> | undefined;
  private perRoleActive: boolean;
  /** Bumped when auto collection switches to bulk: reads queued before then are dropped. */
  private perRoleGeneration = 0;
  private rolesSettled = 0;

  constructor(
    private readonly options: CollectOptions,
    private readonly control: RunControl,
    private readonly regions: string[],
  ) {
    this.strategy = options.collection ?? 'auto';
    this.threshold = options.bulkThreshold ?? DEFAULT_BULK_THRESHOLD;
    this.perRoleActive = this.strategy !== 'bulk';
    this.invokeReader =
      options.resourcePolicies === false
        ? undefined
        : new ResourcePolicyReader((region) => options.clients.lambda(region), {
            ...options.resourcePolicies,
            control,
          });
    this.reader = new RoleReader(options.clients.iam, {
      control,
      limit: createLimiter(options.iamConcurrency ?? DEFAULT_IAM_CONCURRENCY),
      admission: () => {
        const generation = this.perRoleGeneration;
        return () => this.perRoleActive && this.perRoleGeneration === generation;
      },
      onRoleSettled: (outcome) => {
        if (outcome.kind === 'skipped') return;
        this.rolesSettled += 1;
        this.options.onProgress?.({ kind: 'roles', settled: this.rolesSettled, total: this.ownRoles.length });
      },
    });
  }

  async run(): Promise<AccountSnapshot> {
    if (this.strategy === 'bulk') this.startBulk();
    if (this.strategy === 'per-role') this.announce('per-role');
    const listings = await Promise.all(this.regions.map((region) => this.listRegion(region)));
    if (this.control.cancelled()) throw new CollectionAbortedError('collection was cancelled');
    if (this.strategy === 'auto' && !this.bulk) this.announce('per-role');
    const functions = this.regions.flatMap((region) => this.functionsByRegion.get(region) ?? []);
    const bulkData = await this.settleBulk();
    // From here on anything bulk data lacks (a policy used only as a boundary, a failed page) is read one by one.
    this.perRoleActive = true;
    const roleOutcomes = new Map(
      await Promise.all(
        this.ownRoles.map(async (roleArn) => [roleArn, await this.resolveRole(roleArn, bulkData)] as const),
      ),
    );
    const policyOutcomes = await this.resolvePolicies(roleOutcomes, bulkData);
    const invokeOutcomes = await this.invokeReader?.settle();
    const { account, partition } = await this.identifyAccount(functions, bulkData);
    if (bulkData?.error) {
      this.errors.push({
        scope: 'account',
        arn: `arn:${partition}:iam::${account}:root`,
        code: errorCode(bulkData.error),
        message: `GetAccountAuthorizationDetails failed, roles were read one by one instead: ${errorMessage(bulkData.error)}`,
      });
    }
    return this.assemble(
      account,
      partition,
      functions,
      listings,
      roleOutcomes,
      policyOutcomes,
      invokeOutcomes,
    );
  }

  private listRegion(region: string): Promise<RegionListing> {
    const records: FunctionRecord[] = [];
    this.functionsByRegion.set(region, records);
    return listRegionFunctions(this.options.clients.lambda(region), region, {
      control: this.control,
      ...(this.options.functionFilter ? { functionFilter: this.options.functionFilter } : {}),
      onFunctions: (page) => {
        this.keepFunctions(records, page);
        this.options.onProgress?.({ kind: 'functions', region, listed: records.length, done: false });
      },
    }).then((listing) => {
      this.options.onProgress?.({ kind: 'functions', region, listed: records.length, done: true });
      return listing;
    });
  }

  private keepFunctions(records: FunctionRecord[], page: ConvertedFunction[]): void {
    for (const { record, errors } of page) {
      this.errors.push(...errors);
      if (!record) continue;
      records.push(record);
      this.noteRole(record);
      this.invokeReader?.note(record);
    }
  }

  /** Called once per function: the first function naming a role starts its read. */
  private noteRole(record: FunctionRecord): void {
    const { roleArn } = record;
    if (this.seenRoles.has(roleArn)) return;
    this.seenRoles.add(roleArn);
    const role = parseArn(roleArn);
    if (role?.service !== 'iam' || !role.resource.startsWith('role/')) {
      const failure = { code: 'InvalidRoleArn', message: `not an IAM role ARN: ${roleArn}` };
      this.roleFailures.set(roleArn, failure);
      this.errors.push({ scope: 'role', arn: roleArn, ...failure });
      return;
    }
    const functionAccount = parseArn(record.functionArn)?.account;
    if (role.account !== functionAccount) {
      this.roleFailures.set(roleArn, {
        code: 'CrossAccount',
        message: `the role belongs to account ${role.account}, not to the function's account ${functionAccount ?? 'unknown'}`,
      });
      return;
    }
    this.ownRoles.push(roleArn);
    if (this.strategy === 'auto' && !this.bulk && this.ownRoles.length > this.threshold) this.startBulk();
    if (this.perRoleActive) this.startRoleRead(roleArn);
  }

  private startBulk(): void {
    // Queued per-role reads that have not started yet are skipped: bulk data will cover them.
    this.perRoleActive = false;
    this.perRoleGeneration += 1;
    this.announce('bulk');
    this.bulk = readAuthorizationDetails(this.options.clients.iam, {
      control: this.control,
      onPage: (totals) => this.options.onProgress?.({ kind: 'bulk-page', ...totals }),
    });
  }

  private announce(strategy: 'bulk' | 'per-role'): void {
    this.options.onProgress?.({ kind: 'strategy', strategy, distinctRoles: this.ownRoles.length });
  }

  /** Starts a role read and, once the role is known, the reads of its managed policies. */
  private startRoleRead(roleArn: string): void {
    void this.reader.readRole(roleArn).then((outcome) => {
      if (outcome.kind !== 'read') return;
      for (const policyArn of policyArnsOf(outcome.role)) void this.reader.readPolicy(policyArn);
    });
  }

  private async settleBulk(): Promise<BulkIamData | undefined> {
    return this.bulk ? await this.bulk : undefined;
  }

  private async resolveRole(roleArn: string, bulkData: BulkIamData | undefined): Promise<RoleOutcome> {
    const started = this.reader.startedRead(roleArn);
    if (started) {
      const outcome = await started;
      // A role already read one by one (auto mode, before the switch) is kept: it is paid for.
      if (outcome.kind !== 'skipped') return outcome;
    }
    if (bulkData) {
      const role = bulkData.role(roleNameFromArn(roleArn));
      if (role) return { kind: 'read', role };
      if (bulkData.complete) {
        return {
          kind: 'failed',
          failure: {
            code: 'NoSuchEntity',
            message: 'the role does not exist (absent from GetAccountAuthorizationDetails)',
          },
        };
      }
    }
    return this.reader.readRole(roleArn);
  }

  private async resolvePolicies(
    roleOutcomes: Map<string, RoleOutcome>,
    bulkData: BulkIamData | undefined,
  ): Promise<Map<string, PolicyOutcome>> {
    const policyArns = new Set<string>();
    for (const outcome of roleOutcomes.values()) {
      if (outcome.kind !== 'read') continue;
      for (const policyArn of policyArnsOf(outcome.role)) policyArns.add(policyArn);
    }
    return new Map(
      await Promise.all(
        [...policyArns].map(async (policyArn) => {
          const fromBulk = bulkData?.policy(policyArn);
          const outcome: PolicyOutcome = fromBulk
            ? { kind: 'read', policy: fromBulk }
            : await this.reader.readPolicy(policyArn);
          return [policyArn, outcome] as const;
        }),
      ),
    );
  }

  /**
   * The account and partition come from the function ARNs (no permission needed); an account
   * without functions falls back to the IAM data, then to `sts:GetCallerIdentity`, which no policy
   * can deny.
   */
  private async identifyAccount(
    functions: FunctionRecord[],
    bulkData: BulkIamData | undefined,
  ): Promise<{ account: string; partition: string }> {
    const candidates = [functions[0]?.functionArn, bulkData?.someRoleArn()];
    for (const arn of candidates) {
      const parts = arn ? parseArn(arn) : undefined;
      if (parts && /^\d{12}$/.test(parts.account)) {
        return { account: parts.account, partition: parts.partition };
      }
    }
    try {
      const identity = await this.options.clients.callerIdentity(this.control.abortSignal);
      const parts = parseArn(identity.arn);
      return { account: identity.account, partition: parts?.partition ?? 'aws' };
    } catch (error) {
      this.errors.push({
        scope: 'account',
        arn: 'unknown',
        code: errorCode(error),
        message: errorMessage(error),
      });
      return { account: 'unknown', partition: 'aws' };
    }
  }

  private assemble(
    account: string,
    partition: string,
    functions: FunctionRecord[],
    listings: RegionListing[],
    roleOutcomes: Map<string, RoleOutcome>,
    policyOutcomes: Map<string, PolicyOutcome>,
    invokeOutcomes: Map<string, ResourcePolicyOutcome> | undefined,
  ): AccountSnapshot {
    const snapshot = emptySnapshot(account, partition);
    snapshot.regions = [...this.regions];
    snapshot.functions = functions;
    const notAudited: string[] = [];
    const stoppedEarly = this.control.stopReason() !== undefined;

    for (const listing of listings) {
      if (listing.complete) continue;
      const listed = this.functionsByRegion.get(listing.region)?.length ?? 0;
      if (listing.error !== undefined && !(stoppedEarly && isAbortError(listing.error))) {
        snapshot.errors.push({
          scope: 'region',
          arn: listing.region,
          code: errorCode(listing.error),
          message: `ListFunctions failed after ${listed} functions: ${errorMessage(listing.error)}`,
        });
      } else {
        notAudited.push(`region ${listing.region}: listing stopped after ${listed} functions`);
      }
    }

    const roles = new Map<string, RoleRecord>();
    const failures = new Map(this.roleFailures);
    for (const [roleArn, outcome] of roleOutcomes) {
      if (outcome.kind === 'skipped') {
        failures.set(roleArn, {
          code: NOT_COLLECTED,
          message: 'collection stopped before the role was read',
        });
      } else if (outcome.kind === 'failed') {
        failures.set(roleArn, outcome.failure);
        if (outcome.failure.code !== 'NoSuchEntity') {
          snapshot.errors.push({ scope: 'role', arn: roleArn, ...outcome.failure });
        }
      } else {
        const incomplete = incompletePolicyOf(outcome.role, policyOutcomes);
        // A role evaluated without one of its policies would yield wrong findings: it is not audited.
        if (incomplete) failures.set(roleArn, incomplete);
        else roles.set(roleArn, outcome.role);
      }
    }
    for (const [policyArn, outcome] of policyOutcomes) {
      if (outcome.kind === 'failed') {
        snapshot.errors.push({
          scope: 'policy',
          arn: policyArn,
          code: outcome.code,
          message: outcome.message,
        });
      }
    }
    // Maps filled in the order functions name roles (regions are listed concurrently): stable output.
    for (const record of functions) {
      const role = roles.get(record.roleArn);
      if (role) {
        snapshot.roles.set(record.roleArn, role);
        for (const policyArn of policyArnsOf(role)) {
          const outcome = policyOutcomes.get(policyArn);
          if (outcome?.kind === 'read') snapshot.managedPolicies.set(policyArn, outcome.policy);
        }
      }
      const failure = failures.get(record.roleArn);
      if (failure) snapshot.roleFailures.set(record.roleArn, failure);
      if (failure?.code === NOT_COLLECTED) notAudited.push(record.functionArn);
    }

    snapshot.errors.unshift(...this.errors);
    const reasons: string[] = [];
    if (invokeOutcomes) {
      // Who may invoke a function that was not read is unknown: the run says so, the next one reads it.
      const invoke = resourcePolicyResult(functions, invokeOutcomes);
      snapshot.resourcePolicies = invoke.records;
      snapshot.errors.push(...invoke.errors);
      notAudited.push(...invoke.skipped);
      if (invoke.failed.length > 0) {
        reasons.push(
          `who may invoke ${invoke.failed.length} function${invoke.failed.length === 1 ? '' : 's'} could not be read`,
        );
        notAudited.push(...invoke.failed);
      }
    }
    const reason = this.control.stopReason();
    // The clock may pass the margin after the last read: only a snapshot that misses something is partial.
    if (reason !== undefined && notAudited.length > 0) reasons.unshift(reason);
    if (reasons.length > 0)
      snapshot.partial = { reason: reasons.join('; '), notAudited: [...new Set(notAudited)] };
    return snapshot;
  }
}

function policyArnsOf(role: RoleRecord): string[] {
  return role.permissionsBoundaryArn
    ? [...role.attachedPolicyArns, role.permissionsBoundaryArn]
    : role.attachedPolicyArns;
}

function incompletePolicyOf(
  role: RoleRecord,
  policyOutcomes: Map<string, PolicyOutcome>,
): RoleReadFailure | undefined {
  for (const policyArn of policyArnsOf(role)) {
    const outcome = policyOutcomes.get(policyArn);
    if (outcome?.kind === 'read') continue;
    if (outcome?.kind === 'failed') {
      return {
        code: outcome.code,
        message: `managed policy ${policyArn} could not be read: ${outcome.message}`,
      };
    }
    return { code: NOT_COLLECTED, message: `collection stopped before managed policy ${policyArn} was read` };
  }
  return undefined;
}
