import { adminAccess } from './admin-access.js';
import { crossAccountInvoke } from './cross-account-invoke.js';
import { functionUrlPublic } from './function-url-public.js';
import { inlinePolicy } from './inline-policy.js';
import { invokeServiceUnscoped } from './invoke-service-unscoped.js';
import { logGroupCreateMissing } from './log-group-create-missing.js';
import { loggingMissing } from './logging-missing.js';
import { notActionAllow } from './not-action-allow.js';
import { privilegeEscalation } from './privilege-escalation.js';
import { publicInvoke } from './public-invoke.js';
import { roleMissing } from './role-missing.js';
import { roleShared } from './role-shared.js';
import { roleUnreadable } from './role-unreadable.js';
import { roleUnused } from './role-unused.js';
import type { FunctionRule, RoleReferenceRule, RoleRule, Rule } from './rule.js';
import { secretsInEnvironment } from './secrets-in-environment.js';
import { serviceWildcard } from './service-wildcard.js';
import { trustNotLambda } from './trust-not-lambda.js';
import { trustTooBroad } from './trust-too-broad.js';
import { unscopedRead } from './unscoped-read.js';
import { unscopedWrite } from './unscoped-write.js';
import { unusedActions } from './unused-actions.js';
import { unusedServices } from './unused-services.js';

/**
 * The rule catalog: one line per rule (see CONTRIBUTING.md). Rules are independent of each other, so
 * the order is only the order of the `rules` listing; what one rule hides is in its metadata
 * (`subsumes`).
 */
export const RULES: readonly Rule[] = [
  adminAccess,
  privilegeEscalation,
  serviceWildcard,
  unscopedWrite,
  unscopedRead,
  notActionAllow,
  inlinePolicy,
  trustNotLambda,
  trustTooBroad,
  loggingMissing,
  logGroupCreateMissing,
  roleMissing,
  roleUnreadable,
  roleShared,
  secretsInEnvironment,
  functionUrlPublic,
  publicInvoke,
  invokeServiceUnscoped,
  crossAccountInvoke,
  roleUnused,
  unusedServices,
  unusedActions,
];

export const ROLE_RULES: readonly RoleRule[] = RULES.filter(
  (rule): rule is RoleRule => rule.scope === 'role',
);
export const ROLE_REFERENCE_RULES: readonly RoleReferenceRule[] = RULES.filter(
  (rule): rule is RoleReferenceRule => rule.scope === 'role-reference',
);
export const FUNCTION_RULES: readonly FunctionRule[] = RULES.filter(
  (rule): rule is FunctionRule => rule.scope === 'function',
);
