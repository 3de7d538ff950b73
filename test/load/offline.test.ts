import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../src/audit/audit.js';
import { InputFileError, loadOfflineSnapshot } from '../../src/load/offline.js';

const trust = {
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};
const role = {
  RoleName: 'app',
  Arn: 'arn:aws:iam::111122223333:role/app',
  Path: '/',
  AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
  RolePolicyList: [
    {
      PolicyName: 'logs',
      PolicyDocument: encodeURIComponent(
        JSON.stringify({
          Statement: {
            Effect: 'Allow',
            Action: 'logs:*',
            Resource: 'arn:aws:logs:*:*:log-group:/aws/lambda/app:*',
          },
        }),
      ),
    },
  ],
  AttachedManagedPolicies: [],
};

describe('Offline loader', () => {
  it('strips the $LATEST qualifier that list-functions --function-version ALL prints', () => {
    const snapshot = loadOfflineSnapshot({
      authDetails: { RoleDetailList: [role], Policies: [] },
      functions: {
        Functions: [
          {
            FunctionName: 'app',
            FunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:app:$LATEST',
            Version: '$LATEST',
            Role: role.Arn,
          },
          {
            FunctionName: 'app',
            FunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:app:1',
            Version: '1',
            Role: role.Arn,
          },
        ],
      },
    });
    expect(snapshot.functions.map((fn) => fn.functionArn)).toEqual([
      'arn:aws:lambda:us-east-1:111122223333:function:app',
      'arn:aws:lambda:us-east-1:111122223333:function:app:1',
    ]);
    expect(snapshot.account).toBe('111122223333');
  });

  it('reads documents left URL-encoded and audits them like decoded ones', () => {
    const snapshot = loadOfflineSnapshot({
      authDetails: { RoleDetailList: [role], Policies: [] },
      functions: {
        Functions: [
          {
            FunctionName: 'app',
            FunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:app',
            Role: role.Arn,
          },
        ],
      },
    });
    const report = auditSnapshot(snapshot);
    expect(report.errors).toEqual([]);
    expect(report.findings.map((finding) => finding.ruleId)).toEqual(['inline-policy']);
  });

  it('turns a function entry without an ARN or role into an error entry and keeps the others', () => {
    const snapshot = loadOfflineSnapshot({
      authDetails: { RoleDetailList: [role], Policies: [] },
      functions: {
        Functions: [
          { FunctionName: 'broken' },
          {
            FunctionName: 'app',
            FunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:app',
            Role: role.Arn,
          },
          42,
          { FunctionArn: '', Role: role.Arn },
        ],
      },
    });
    expect(snapshot.functions).toHaveLength(1);
    expect(snapshot.errors.map((error) => [error.arn, error.code])).toEqual([
      ['broken', 'MalformedInput'],
      ['functions#Functions[2]', 'MalformedInput'],
      ['functions#Functions[3]', 'MalformedInput'],
    ]);
  });

  it.each([
    [{ authDetails: [], functions: { Functions: [] } }, 'get-account-authorization-details'],
    [{ authDetails: { RoleDetailList: [] }, functions: { functions: [] } }, 'list-functions'],
  ])('rejects files of the wrong shape with a message naming the command', (input, expected) => {
    expect(() => loadOfflineSnapshot(input)).toThrow(InputFileError);
    expect(() => loadOfflineSnapshot(input)).toThrow(expected);
  });
});
