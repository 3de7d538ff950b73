import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
} from '@aws-sdk/client-iam';
import type {
  InlinePolicyRecord,
  ManagedPolicyRecord,
  RoleReadFailure,
  RoleRecord,
} from '../model/snapshot.js';
import { roleNameFromArn } from '../policy/arn.js';
import type { Limiter } from './concurrency.js';
import { errorCode, errorMessage, isAbortError } from './errors.js';
import { decodePolicyDocument, managedPolicyRecord, roleRecordFromGetRole } from './iam-records.js';
import { paginate } from './paginate.js';
import type { RunControl } from './run-control.js';

/** `skipped`: the read was not started (time limit, or the run switched to bulk collection). */
export type RoleOutcome =
  | { kind: 'read'; role: RoleRecord }
  | { kind: 'failed'; failure: RoleReadFailure }
  | { kind: 'skipped' };

export type PolicyOutcome =
  | { kind: 'read'; policy: ManagedPolicyRecord }
  | { kind: 'failed'; code: string; message: string }
  | { kind: 'skipped' };

const SKIPPED = Symbol('skipped');

export interface RoleReaderOptions {
  control: RunControl;
  /** Bounds the IAM calls in flight (IAM throttles per account). */
  limit: Limiter;
  /**
   * Called when a role or policy read is queued; the predicate it returns is checked when the read
   * gets its slot, and false leaves the read `skipped`. Reads queued before the run switched to
   * bulk collection must stay skipped even if one-by-one reads are allowed again later.
   */
  admission?: () => () => boolean;
  onRoleSettled?: (outcome: RoleOutcome) => void;
}

/**
 * Reads roles and managed policies one by one (`GetRole`, `ListRolePolicies` + `GetRolePolicy`,
 * `ListAttachedRolePolicies`, `GetPolicy` + `GetPolicyVersion`). Each role and each policy is read
 * at most once per run however many functions ask at the same time: the in-flight promise is
 * shared. Its methods never reject; failures are outcomes.
 *
 * @example
 * const reader = new RoleReader(clients.iam, { control, limit: createLimiter(8) });
 * const outcome = await reader.readRole('arn:aws:iam::123456789012:role/app');
 */
export class RoleReader {
  private readonly roles = new Map<string, Promise<RoleOutcome>>();
  private readonly policies = new Map<string, Promise<PolicyOutcome>>();

  constructor(
    private readonly iam: IAMClient,
    private readonly options: RoleReaderOptions,
  ) {}

  /** The read of this role if one was started, without starting one. */
  startedRead(roleArn: string): Promise<RoleOutcome> | undefined {
    return this.roles.get(roleArn);
  }

  readRole(roleArn: string): Promise<RoleOutcome> {
    return this.once(this.roles, roleArn, () => this.fetchRole(roleArn), this.options.onRoleSettled);
  }

  readPolicy(policyArn: string): Promise<PolicyOutcome> {
    return this.once(this.policies, policyArn, () => this.fetchPolicy(policyArn));
  }

  private once<Outcome extends { kind: string }>(
    inFlight: Map<string, Promise<Outcome>>,
    key: string,
    fetch: () => Promise<Outcome>,
    onSettled?: (outcome: Outcome) => void,
  ): Promise<Outcome> {
    const existing = inFlight.get(key);
    if (existing) return existing;
    const read = fetch().then((outcome) => {
      // A skipped read is forgotten so that a later phase (bulk fallback) may still start it.
      if (outcome.kind === 'skipped' && inFlight.get(key) === read) inFlight.delete(key);
      onSettled?.(outcome);
      return outcome;
    });
    inFlight.set(key, read);
    return read;
  }

  private send<Output>(call: (abortSignal: AbortSignal) => Promise<Output>): Promise<Output> {
    return this.options.limit(() => call(this.options.control.abortSignal));
  }

  /**
   * The first call of a role or policy read: whether to make it is decided when the call gets its
   * slot, not when it was queued, because the run may have switched to bulk or run out of time since.
   */
  private sendIfStillWanted<Output>(
    call: (abortSignal: AbortSignal) => Promise<Output>,
  ): Promise<Output | typeof SKIPPED> {
    const admitted = this.options.admission?.() ?? (() => true);
    return this.options.limit(async () =>
      this.options.control.canStart() && admitted() ? call(this.options.control.abortSignal) : SKIPPED,
    );
  }

  private async fetchRole(roleArn: string): Promise<RoleOutcome> {
    const roleName = roleNameFromArn(roleArn);
    try {
      const response = await this.sendIfStillWanted((abortSignal) =>
        this.iam.send(new GetRoleCommand({ RoleName: roleName }), { abortSignal }),
      );
      if (response === SKIPPED) return { kind: 'skipped' };
      const role = response.Role;
      if (!role)
        return { kind: 'failed', failure: { code: 'EmptyResponse', message: 'GetRole returned no role' } };
      const [inlinePolicies, attachedPolicyArns] = await Promise.all([
        this.fetchInlinePolicies(roleName),
        this.fetchAttachedPolicyArns(roleName),
      ]);
      return { kind: 'read', role: roleRecordFromGetRole(role, inlinePolicies, attachedPolicyArns) };
    } catch (error) {
      // Cut by the time limit: not a failure of the role, it was simply not audited.
      if (isAbortError(error) && !this.options.control.cancelled()) return { kind: 'skipped' };
      return { kind: 'failed', failure: { code: errorCode(error), message: errorMessage(error) } };
    }
  }

  private async fetchInlinePolicies(roleName: string): Promise<InlinePolicyRecord[]> {
    const { items: names } = await this.send((abortSignal) =>
      paginate(
        paginateListRolePolicies({ client: this.iam }, { RoleName: roleName }, { abortSignal }),
        (page) => page.PolicyNames,
      ),
    );
    return Promise.all(
      names.map(async (policyName) => {
        const response = await this.send((abortSignal) =>
          this.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }), {
            abortSignal,
          }),
        );
        return { name: policyName, document: decodePolicyDocument(response.PolicyDocument) };
      }),
    );
  }

  private async fetchAttachedPolicyArns(roleName: string): Promise<string[]> {
    const { items } = await this.send((abortSignal) =>
      paginate(
        paginateListAttachedRolePolicies({ client: this.iam }, { RoleName: roleName }, { abortSignal }),
        (page) => page.AttachedPolicies,
      ),
    );
    return items.flatMap((policy) => (policy.PolicyArn ? [policy.PolicyArn] : []));
  }

  private async fetchPolicy(policyArn: string): Promise<PolicyOutcome> {
    try {
      const response = await this.sendIfStillWanted((abortSignal) =>
        this.iam.send(new GetPolicyCommand({ PolicyArn: policyArn }), { abortSignal }),
      );
      if (response === SKIPPED) return { kind: 'skipped' };
      const policy = response.Policy;
      const versionId = policy?.DefaultVersionId;
      if (!versionId)
        return { kind: 'failed', code: 'EmptyResponse', message: 'GetPolicy returned no default version' };
      const { PolicyVersion: version } = await this.send((abortSignal) =>
        this.iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId }), {
          abortSignal,
        }),
      );
      return {
        kind: 'read',
        policy: managedPolicyRecord(policyArn, policy.PolicyName, versionId, version?.Document),
      };
    } catch (error) {
      if (isAbortError(error) && !this.options.control.cancelled()) return { kind: 'skipped' };
      return { kind: 'failed', code: errorCode(error), message: errorMessage(error) };
    }
  }
}
