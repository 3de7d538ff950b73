/** Managed policies: AWS managed ones as attached, customer managed ones with older versions. */
import { readFileSync } from 'node:fs';
import { capitalised, DAY, document, EPOCH_END, EPOCH_START, iamDate, quota } from './helpers.js';
import { IAM_ID_ALPHABET, type Random } from './random.js';
import type { ManagedPolicyDetail, PolicyDocument, PolicyVersion } from './shapes.js';
import { flavouredStatements, olderDraft, type Scope, scopedStatements } from './statements.js';
import { APPS, ENVIRONMENTS, FLAVOUR_SHARES, type PolicyFlavour } from './vocabulary.js';

export interface CustomerPolicy {
  flavour: PolicyFlavour;
  detail: ManagedPolicyDetail;
}

const FIXTURE_URL = new URL('../../test/fixtures/aws-managed-policies.json', import.meta.url);
let awsManagedCache: ManagedPolicyDetail[] | undefined;

export function awsManagedPolicies(): ManagedPolicyDetail[] {
  awsManagedCache ??= JSON.parse(readFileSync(FIXTURE_URL, 'utf8')) as ManagedPolicyDetail[];
  return awsManagedCache;
}

function planFlavours(count: number, random: Random): PolicyFlavour[] {
  const flavours: PolicyFlavour[] = [];
  for (const [flavour, share] of FLAVOUR_SHARES) {
    for (let index = 0; index < quota(count, share) && flavours.length < count; index += 1)
      flavours.push(flavour);
  }
  while (flavours.length < count) flavours.push('scoped');
  return random.shuffle(flavours);
}

export function customerPolicies(
  count: number,
  account: string,
  regions: string[],
  random: Random,
): CustomerPolicy[] {
  const names = new Set<string>();
  const documents = new Set<string>();
  return planFlavours(count, random).map((flavour) => {
    const scope: Scope = {
      account,
      region: random.pick(regions),
      app: random.pick(APPS),
      env: random.weighted(ENVIRONMENTS),
    };
    let current = document(flavouredStatements(flavour, scope, random), random);
    // Distinct documents: regenerate on the rare exact repeat (tiny templates like logging).
    for (let attempt = 0; documents.has(JSON.stringify(current)) && attempt < 20; attempt += 1) {
      current = document(
        [...flavouredStatements(flavour, scope, random), ...scopedStatements(scope, random, 1)],
        random,
      );
    }
    documents.add(JSON.stringify(current));

    const purpose = {
      scoped: random.pick([
        'DataAccess',
        'TableAccess',
        'BucketAccess',
        'QueueAccess',
        'Access',
        'Permissions',
      ]),
      logging: 'Logging',
      'service-wildcard': random.pick(['FullAccess', 'Access', 'Admin']),
      escalation: random.pick(['Deployer', 'Provisioner', 'Automation']),
      unscoped: random.pick(['Access', 'ReadWrite', 'DataAccess']),
      deny: random.pick(['Guardrails', 'Access', 'Restrictions']),
      conditional: random.pick(['ConditionalAccess', 'TeamAccess', 'Access']),
      boundary: 'PermissionsBoundary',
    }[flavour];
    const baseName = `${scope.app}-${scope.env}-${purpose}`;
    let name = baseName;
    while (names.has(name)) name = `${baseName}-${random.hex(6)}`;
    names.add(name);

    const path = random.chance(0.15) ? `/${scope.app}/` : '/';
    const createdAt = EPOCH_START + random.float() * (EPOCH_END - EPOCH_START);
    const olderCount = random.weighted([
      [0, 75],
      [1, 17],
      [2, 8],
    ] as const);
    // Oldest first: each older draft is derived from the version that replaced it.
    const documentsByAge: PolicyDocument[] = [current];
    for (let index = 0; index < olderCount; index += 1) {
      documentsByAge.unshift(olderDraft(documentsByAge[0]!, random));
    }
    let versionDate = createdAt;
    const versions: PolicyVersion[] = documentsByAge.map((versionDocument, index) => {
      if (index > 0) versionDate += random.int(1, 200) * DAY;
      return {
        Document: versionDocument,
        VersionId: `v${index + 1}`,
        IsDefaultVersion: index === documentsByAge.length - 1,
        CreateDate: iamDate(versionDate),
      };
    });
    // The CLI lists the newest version first.
    versions.reverse();

    const detail: ManagedPolicyDetail = {
      PolicyName: name,
      PolicyId: `ANPA${random.text(17, IAM_ID_ALPHABET)}`,
      Arn: `arn:aws:iam::${account}:policy${path}${name}`,
      Path: path,
      DefaultVersionId: `v${documentsByAge.length}`,
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      ...(random.chance(0.4)
        ? { Description: `${capitalised(scope.app)} ${scope.env} Lambda permissions` }
        : {}),
      CreateDate: iamDate(createdAt),
      UpdateDate: iamDate(versionDate),
      PolicyVersionList: versions,
    };
    return { flavour, detail };
  });
}
