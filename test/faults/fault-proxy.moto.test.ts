import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MotoServer, startMoto, TEST_CREDENTIALS } from '../../tools/moto.js';
import { type Fault, type FaultProxy, seededDraw, startFaultProxy } from '../support/fault-proxy.js';

let moto: MotoServer;
let proxy: FaultProxy;

/** One attempt by default: the injected answer reaches the test as the SDK parsed it. */
function clientConfig(maxAttempts = 1) {
  return { endpoint: proxy.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts };
}

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy({ target: moto.endpoint });
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

beforeEach(() => {
  proxy.clear();
  proxy.setRules([]);
});

async function failureOf(call: () => Promise<unknown>) {
  try {
    await call();
  } catch (error) {
    const failure = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: failure.name, status: failure.$metadata?.httpStatusCode };
  }
  throw new Error('the call succeeded');
}

describe('Fault proxy', () => {
  it('forwards requests untouched and names their operation and target', async () => {
    // prepare
    const iam = new IAMClient(clientConfig());

    // act
    const roles = await iam.send(new ListRolesCommand({}));
    const missing = await failureOf(() => iam.send(new GetRoleCommand({ RoleName: 'nobody' })));

    // assess
    expect(roles.Roles).toEqual([]);
    expect(missing).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
    expect(proxy.requests().map(({ operation, target, region }) => ({ operation, target, region }))).toEqual([
      { operation: 'iam:ListRoles', target: '*', region: 'us-east-1' },
      { operation: 'iam:GetRole', target: 'nobody', region: 'us-east-1' },
    ]);
    expect(proxy.faultCount()).toBe(0);
  });

  it.each<{
    service: string;
    fault: Fault;
    call: (maxAttempts: number) => Promise<unknown>;
    expected: object;
    retried: boolean;
  }>([
    {
      service: 'IAM throttling',
      fault: { kind: 'throttle' },
      call: (attempts) => new IAMClient(clientConfig(attempts)).send(new ListRolesCommand({})),
      expected: { name: 'Throttling', status: 400 },
      retried: true,
    },
    {
      service: 'Lambda throttling',
      fault: { kind: 'throttle' },
      call: (attempts) => new LambdaClient(clientConfig(attempts)).send(new ListFunctionsCommand({})),
      expected: { name: 'TooManyRequestsException', status: 429 },
      retried: true,
    },
    {
      service: 'EC2 throttling',
      fault: { kind: 'throttle' },
      call: (attempts) => new EC2Client(clientConfig(attempts)).send(new DescribeRegionsCommand({})),
      expected: { name: 'RequestLimitExceeded', status: 400 },
      retried: true,
    },
    {
      service: 'S3 throttling',
      fault: { kind: 'throttle' },
      call: (attempts) =>
        new S3Client({ ...clientConfig(attempts), forcePathStyle: true }).send(
          new GetObjectCommand({ Bucket: 'b', Key: 'k' }),
        ),
      expected: { name: 'SlowDown', status: 503 },
      retried: true,
    },
    {
      service: 'IAM AccessDenied',
      fault: { kind: 'access-denied' },
      call: (attempts) => new IAMClient(clientConfig(attempts)).send(new GetRoleCommand({ RoleName: 'x' })),
      expected: { name: 'AccessDenied', status: 403 },
      retried: false,
    },
    {
      service: 'Lambda AccessDenied',
      fault: { kind: 'access-denied' },
      call: (attempts) => new LambdaClient(clientConfig(attempts)).send(new ListFunctionsCommand({})),
      expected: { name: 'AccessDeniedException', status: 403 },
      retried: false,
    },
    {
      service: 'SNS 500',
      fault: { kind: 'server-error', status: 500 },
      call: (attempts) => new SNSClient(clientConfig(attempts)).send(new ListTopicsCommand({})),
      expected: { name: 'InternalFailure', status: 500 },
      retried: true,
    },
    {
      service: 'Lambda 503',
      fault: { kind: 'server-error', status: 503 },
      call: (attempts) => new LambdaClient(clientConfig(attempts)).send(new ListFunctionsCommand({})),
      expected: { name: 'ServiceException', status: 503 },
      retried: true,
    },
  ])('answers $service in the form the SDK recognises', async ({ fault, call, expected, retried }) => {
    // prepare
    proxy.setRules([{ fault }]);

    // act
    const failure = await failureOf(() => call(1));
    proxy.clear();
    proxy.setRules([{ fault, times: 1 }]);
    await call(2).catch(() => undefined);

    // assess
    expect(failure).toEqual(expected);
    // The SDK retries throttling and server errors (a second attempt reaches the service), not AccessDenied.
    const [operation] = Object.keys(proxy.stats());
    expect(proxy.stats()[operation!]).toEqual({ requests: retried ? 2 : 1, faults: { [fault.kind]: 1 } });
  });

  it('drops the connection without an answer', async () => {
    // prepare
    proxy.setRules([{ fault: { kind: 'drop' } }]);

    // act
    const failure = await failureOf(() => new IAMClient(clientConfig()).send(new ListRolesCommand({})));

    // assess
    expect(failure.status).toBeUndefined();
    expect(proxy.stats()['iam:ListRoles']).toEqual({ requests: 1, faults: { drop: 1 } });
  });

  it('matches on operation and parameters, and applies `times` to the first matching requests', async () => {
    // prepare
    const iam = new IAMClient(clientConfig());
    proxy.setRules([
      {
        match: { operation: 'iam:GetRole', params: { RoleName: 'denied' } },
        times: 1,
        fault: { kind: 'access-denied' },
      },
    ]);

    // act
    const first = await failureOf(() => iam.send(new GetRoleCommand({ RoleName: 'denied' })));
    const other = await failureOf(() => iam.send(new GetRoleCommand({ RoleName: 'other' })));
    const second = await failureOf(() => iam.send(new GetRoleCommand({ RoleName: 'denied' })));

    // assess
    expect([first.name, other.name, second.name]).toEqual([
      'AccessDenied',
      'NoSuchEntityException',
      'NoSuchEntityException',
    ]);
  });

  it('decides rate-limited faults by a seeded draw per operation, independent of interleaving', () => {
    // act
    const draws = Array.from({ length: 10_000 }, (_, index) => seededDraw(7, 0, 'iam:GetRole', index));

    // assess
    const share = draws.filter((value) => value < 0.3).length / draws.length;
    expect(share).toBeGreaterThan(0.28);
    expect(share).toBeLessThan(0.32);
    expect(seededDraw(7, 0, 'iam:GetRole', 3)).toBe(draws[3]);
    expect(seededDraw(8, 0, 'iam:GetRole', 3)).not.toBe(draws[3]);
  });
});
