/** The words, services and shares that generated names and roles are made of. */
import type { RoleKind } from './shapes.js';

export function words(text: string): readonly string[] {
  return text.trim().split(/\s+/);
}

export const APPS = words(`
  orders payments inventory users notifications billing search reports auth catalog shipping
  analytics media chat audit ingest exports scheduler webhooks profiles pricing checkout
  recommendations fulfilment support metrics images documents identity ledger
`);
export const ENVIRONMENTS = [
  ['prod', 5],
  ['staging', 2],
  ['dev', 2],
  ['qa', 1],
] as const;
export const NOUNS = words(`
  events items sessions jobs records snapshots uploads tasks messages accounts invoices receipts
  thumbnails results state
`);
export const VERBS = words(`
  process handle sync export import resize validate notify enrich aggregate dispatch cleanup index
  transform archive fetch publish reconcile score render
`);
export const OBJECTS = words(`
  Order Payment Invoice User Event Image Report Message Webhook Stream Record Batch Upload Refund
  Session Shipment Alert Export Metric Document
`);

const MANAGED_ARN_PREFIX = 'arn:aws:iam::aws:policy/';
export const BASIC_EXECUTION = `${MANAGED_ARN_PREFIX}service-role/AWSLambdaBasicExecutionRole`;
export const VPC_EXECUTION = `${MANAGED_ARN_PREFIX}service-role/AWSLambdaVPCAccessExecutionRole`;
export const SQS_EXECUTION = `${MANAGED_ARN_PREFIX}service-role/AWSLambdaSQSQueueExecutionRole`;
export const XRAY_WRITE = `${MANAGED_ARN_PREFIX}AWSXRayDaemonWriteAccess`;
export const ADMINISTRATOR = `${MANAGED_ARN_PREFIX}AdministratorAccess`;
export const POWER_USER = `${MANAGED_ARN_PREFIX}PowerUserAccess`;
export const SERVICE_FULL_ACCESS = [
  `${MANAGED_ARN_PREFIX}AmazonS3FullAccess`,
  `${MANAGED_ARN_PREFIX}AmazonDynamoDBFullAccess`,
  `${MANAGED_ARN_PREFIX}AmazonSQSFullAccess`,
] as const;
export const BROAD_MANAGED = [
  [POWER_USER, 3],
  [`${MANAGED_ARN_PREFIX}AWSLambda_FullAccess`, 3],
  [`${MANAGED_ARN_PREFIX}SecretsManagerReadWrite`, 2],
  [`${MANAGED_ARN_PREFIX}ReadOnlyAccess`, 2],
  [`${MANAGED_ARN_PREFIX}AmazonS3ReadOnlyAccess`, 3],
  [`${MANAGED_ARN_PREFIX}IAMFullAccess`, 1],
] as const;

export const RUNTIMES = [
  ['nodejs20.x', 30],
  ['nodejs22.x', 20],
  ['nodejs18.x', 7],
  ['python3.12', 15],
  ['python3.11', 8],
  ['python3.9', 3],
  ['java21', 5],
  ['java17', 3],
  ['provided.al2023', 4],
  ['dotnet8', 2],
  ['ruby3.3', 1],
  ['image', 2],
] as const;

export const KIND_SHARES: readonly (readonly [RoleKind, number])[] = [
  ['admin', 0.03],
  ['service-wildcard', 0.08],
  ['escalation', 0.03],
  ['unscoped', 0.08],
  ['broad-managed', 0.05],
];

/** Kinds whose policies grant no CloudWatch Logs access of their own, so logging can be left out. */
export const LOGLESS_KINDS: ReadonlySet<RoleKind> = new Set([
  'least-privilege',
  'unscoped',
  'escalation',
  'service-wildcard',
]);

export type PolicyFlavour =
  | 'scoped'
  | 'logging'
  | 'service-wildcard'
  | 'escalation'
  | 'unscoped'
  | 'deny'
  | 'conditional'
  | 'boundary';

export const FLAVOUR_SHARES: readonly (readonly [PolicyFlavour, number])[] = [
  ['service-wildcard', 0.05],
  ['escalation', 0.03],
  ['unscoped', 0.05],
  ['deny', 0.05],
  ['conditional', 0.06],
  ['logging', 0.03],
  ['boundary', 0.01],
];

/** An IAM policy variable, resolved by IAM at request time (not a template placeholder). */
export const POLICY_VARIABLE_TENANT = '$' + '{aws:PrincipalTag/tenant}';

export const SUPPRESS_TAG = 'lambda-role-auditor:suppress';
export const REASON_TAG = 'lambda-role-auditor:reason';
export const UNTIL_TAG = 'lambda-role-auditor:until';
