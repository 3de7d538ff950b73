import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputFileError, loadOfflineSnapshot } from '../../src/load/offline.js';
import { resourcePoliciesFile } from '../../src/load/resource-policies.js';
import { writeSnapshotFiles } from '../../src/load/write-snapshot.js';

const ACCOUNT = '111122223333';
const arn = (name: string, qualifier?: string) =>
  `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;

const functions = {
  Functions: [
    {
      FunctionName: 'api',
      FunctionArn: arn('api', '$LATEST'),
      Version: '$LATEST',
      Role: ROLE,
      RevisionId: 'r-api',
    },
    { FunctionName: 'api', FunctionArn: arn('api', '2'), Version: '2', Role: ROLE, RevisionId: 'r-api-2' },
    { FunctionName: 'worker', FunctionArn: arn('worker', '$LATEST'), Version: '$LATEST', Role: ROLE },
  ],
};
const authDetails = { RoleDetailList: [], Policies: [] };
const publicPolicy = (name: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Id: 'default',
    Statement: [
      { Sid: 'p', Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunction', Resource: arn(name) },
    ],
  });

describe('Offline resource policies (--resource-policies)', () => {
  it('reads get-policy output by function ARN, $LATEST written either way; an absent function has no policy', () => {
    // prepare
    const resourcePolicies = {
      [arn('api', '$LATEST')]: {
        Policy: publicPolicy('api'),
        RevisionId: 'r-api',
        FunctionUrlConfigs: [
          {
            FunctionUrl: 'https://abc.lambda-url.us-east-1.on.aws/',
            FunctionArn: arn('api'),
            AuthType: 'NONE',
          },
        ],
      },
      [arn('api', '2')]: { Policy: publicPolicy('api:2'), RevisionId: 'r-api-2' },
    };

    // act
    const snapshot = loadOfflineSnapshot({ authDetails, functions, resourcePolicies });

    // assess
    expect(Object.fromEntries(snapshot.resourcePolicies ?? [])).toEqual({
      [arn('api')]: {
        policy: publicPolicy('api'),
        revisionId: 'r-api',
        urls: [
          { url: 'https://abc.lambda-url.us-east-1.on.aws/', functionArn: arn('api'), authType: 'NONE' },
        ],
      },
      [arn('api', '2')]: { policy: publicPolicy('api:2'), revisionId: 'r-api-2' },
      [arn('worker')]: {},
    });
    expect(snapshot.functions.map((fn) => fn.revisionId)).toEqual(['r-api', 'r-api-2', undefined]);
    expect(snapshot.errors).toEqual([]);
  });

  it('reports a malformed policy as an error entry of its function', () => {
    // prepare / act
    const snapshot = loadOfflineSnapshot({
      authDetails,
      functions,
      resourcePolicies: { [arn('worker')]: { Policy: '{"Statement": "x"}' } },
      resourcePoliciesName: 'rp.json',
    });

    // assess
    expect(snapshot.errors).toEqual([
      expect.objectContaining({ scope: 'function', arn: arn('worker'), code: 'MalformedPolicy' }),
    ]);
  });

  it.each([
    ['a list', []],
    ['the functions file by mistake', functions],
  ])('refuses %s: not an object of function ARNs', (_name, resourcePolicies) => {
    expect(() =>
      loadOfflineSnapshot({ authDetails, functions, resourcePolicies, resourcePoliciesName: 'rp.json' }),
    ).toThrow(InputFileError);
  });

  it('says nothing about who may invoke without the file', () => {
    expect(loadOfflineSnapshot({ authDetails, functions }).resourcePolicies).toBeUndefined();
  });

  it('writes what it reads: --snapshot-out round trip, functions a live run did not read stay unread', async () => {
    // prepare: a live snapshot where the deadline left worker unread
    const live = loadOfflineSnapshot({
      authDetails,
      functions,
      resourcePolicies: { [arn('api')]: { Policy: publicPolicy('api'), RevisionId: 'r-api' } },
    });
    live.resourcePolicies!.delete(arn('worker'));
    const directory = await mkdtemp(join(tmpdir(), 'lra-resource-policies-'));

    try {
      // act
      const paths = await writeSnapshotFiles(live, directory);
      const reloaded = loadOfflineSnapshot({
        authDetails: JSON.parse(await readFile(paths.authDetails, 'utf8')),
        functions: JSON.parse(await readFile(paths.functions, 'utf8')),
        resourcePolicies: JSON.parse(await readFile(paths.resourcePolicies!, 'utf8')),
      });

      // assess
      expect(resourcePoliciesFile(live)).toEqual({
        [arn('api')]: { Policy: publicPolicy('api'), RevisionId: 'r-api' },
        LambdaRoleAuditorSnapshot: { notRead: [arn('worker')] },
      });
      expect(Object.fromEntries(reloaded.resourcePolicies ?? [])).toEqual(
        Object.fromEntries(live.resourcePolicies!),
      );
      expect(reloaded.functions.map((fn) => fn.revisionId)).toEqual(['r-api', 'r-api-2', undefined]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
