import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { type FunctionConfiguration, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuildResult, buildArtifact } from '../../scripts/build.js';
import {
  describeScheduleRule,
  type EmulatorAccess,
  functionConfiguration,
  invokeBuiltHandler,
  lambdaContext,
  lambdaEnvironment,
  type ReceivedReport,
  receiveReports,
  scheduledEvent,
  stackResourceId,
  subscribeQueue,
} from '../../scripts/demo-live.js';
import { type DeployResult, deploy } from '../../scripts/deploy.js';
import type { InvocationSummary } from '../../src/lambda/run.js';
import type { AuditReport } from '../../src/model/report.js';
import { createTinyFunction } from '../../tools/functions.js';
import { MOTO_ACCOUNT_ID, type MotoServer, startMoto, TEST_CREDENTIALS } from '../../tools/moto.js';

const region = 'us-east-1';
const stackName = 'e2e';
const auditorName = `${stackName}-auditor`;
const badFunctionName = 'e2e-payments-admin';
/** Configured next to the stack's own region: a console event naming only one of them is a scoped run. */
const westRegion = 'us-west-2';
const westFunctionName = 'e2e-west-reporter';
const administratorAccess = 'arn:aws:iam::aws:policy/AdministratorAccess';
/** Seeded into the bad function's environment: it must never appear in a log line or the report. */
const seededSecretValue = 'e2e-fake-secret-value-never-published';

/** One AWS API request the handler sent, as seen on the wire. */
interface RecordedCall {
  service: string;
  operation: string;
  /** The topic of a publish, or `/bucket/key` of an S3 object request. */
  resource?: string;
}

/** A loopback HTTP proxy in front of the emulator that records every request passing through it. */
interface RecordingProxy {
  endpoint: string;
  calls: RecordedCall[];
  close(): Promise<void>;
}

const s3Operations: Record<string, string> = {
  GET: 'GetObject',
  PUT: 'PutObject',
  HEAD: 'HeadObject',
  DELETE: 'DeleteObject',
  POST: 'PostObject',
};

/** Names the operation of a request in any of the protocols the SDK speaks (JSON, query, REST). */
function recordedCall(method: string, url: string, headers: IncomingHttpHeaders, body: string): RecordedCall {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(headers.authorization ?? '');
  const service = scope?.[1] ?? 'unsigned';
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    const parameters = (body ? JSON.parse(body) : {}) as { TopicArn?: string };
    return {
      service,
      operation: target.slice(target.lastIndexOf('.') + 1),
      ...(parameters.TopicArn ? { resource: parameters.TopicArn } : {}),
    };
  }
  if (String(headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
    const parameters = new URLSearchParams(body);
    const topicArn = parameters.get('TopicArn');
    return {
      service,
      operation: parameters.get('Action') ?? 'unknown',
      ...(topicArn ? { resource: topicArn } : {}),
    };
  }
  const pathname = decodeURIComponent(new URL(url, 'http://proxy').pathname);
  if (service === 's3') {
    const isObject = pathname.split('/').filter(Boolean).length > 1;
    return {
      service,
      operation: isObject ? (s3Operations[method] ?? method) : `${method} bucket`,
      resource: pathname,
    };
  }
  if (service === 'lambda' && method === 'GET' && /^\/2015-03-31\/functions\/?$/.test(pathname)) {
    return { service, operation: 'ListFunctions' };
  }
  const functionRead = /^\/\d{4}-\d\d-\d\d\/functions\/[^/]+\/(policy|urls)\/?$/.exec(pathname);
  if (service === 'lambda' && method === 'GET' && functionRead) {
    return { service, operation: functionRead[1] === 'policy' ? 'GetPolicy' : 'ListFunctionUrlConfigs' };
  }
  return { service, operation: `${method} ${pathname}` };
}

async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const calls: RecordedCall[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      calls.push(
        recordedCall(incoming.method ?? 'GET', incoming.url ?? '/', incoming.headers, body.toString('utf8')),
      );
      const forwarded = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      forwarded.on('error', (error) => outgoing.destroy(error));
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Reads change nothing in the account; everything else counts as a write. */
function isReadOnly(call: RecordedCall): boolean {
  return /^(Get|List|Describe|Head)/.test(call.operation);
}

/*
 * What the emulator cannot show, and where it is covered instead:
 * - It enforces no IAM: the handler runs with dummy credentials, not as its role. That the role allows
 *   exactly what the handler calls is proven by permissions.test.ts (from the code and the template) and
 *   by the requests recorded here.
 * - Lambda's LoggingConfig is not returned, so the log group falls back to /aws/lambda/<name>, which is
 *   the name the template gives it anyway.
 * - AWS::SNS::Subscription is not created (no email subscription), only the `default` key of a JSON
 *   message (the JSON report) reaches SQS (the `email` digest is covered by test/publish), KMS does not
 *   check that the role may use the topic key, and neither the TLS-only policies nor the error alarm
 *   are exercised.
 * - The schedule never fires (functions do not run without Docker): the test invokes the built handler
 *   in this process with the event EventBridge would send.
 */
describe('end to end: build, deploy into the emulator, run the built handler as Lambda would', () => {
  let moto: MotoServer;
  let proxy: RecordingProxy;
  let access: EmulatorAccess;
  let workDirectory: string;
  let build: BuildResult;
  let deployment: DeployResult;
  let auditor: FunctionConfiguration;
  let badRoleArn: string;
  let westRoleArn: string;
  let queueUrl: string;
  const config = () => ({ endpoint: moto.endpoint, region, credentials: TEST_CREDENTIALS });

  /** Invokes the built handler with the deployed function's environment, through the recording proxy. */
  async function invoke(event: unknown) {
    proxy.calls.length = 0;
    return invokeBuiltHandler(build.bundlePath, {
      event,
      context: lambdaContext(auditor),
      environment: lambdaEnvironment(auditor, proxy.endpoint),
    });
  }

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startRecordingProxy(moto.endpoint);
    access = { endpoint: moto.endpoint, region };
    // Inside node_modules/.cache: the bundle is then imported by Node itself (not transformed by the test
    // runner), as Lambda would, while staying out of git, the type check and the linter.
    const cache = path.resolve('node_modules', '.cache');
    await mkdir(cache, { recursive: true });
    workDirectory = await mkdtemp(path.join(cache, 'lambda-role-auditor-e2e-'));
    build = await buildArtifact({
      entry: path.resolve('src/handler.ts'),
      outdir: path.join(workDirectory, 'dist'),
    });
    deployment = await deploy(
      {
        stackName,
        parameters: { Schedule: 'cron(30 2 * * ? *)', Regions: `${region},${westRegion}` },
        codeBucket: undefined,
        zipPath: build.zipPath,
        templatePath: path.resolve('infra/template.yaml'),
        json: false,
      },
      {
        s3: new S3Client({ ...config(), forcePathStyle: true }),
        sts: new STSClient(config()),
        cloudFormation: new CloudFormationClient(config()),
      },
      () => {},
      { pollIntervalMs: 0, sleep: async () => {} },
    );
    auditor = await functionConfiguration(access, deployment.outputs.FunctionName ?? auditorName);
    queueUrl = await subscribeQueue(access, deployment.outputs.TopicArn!, 'e2e-reports');

    const iam = new IAMClient(config());
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: 'e2e-payments-admin-role',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    badRoleArn = Role!.Arn!;
    await iam.send(
      new AttachRolePolicyCommand({ RoleName: 'e2e-payments-admin-role', PolicyArn: administratorAccess }),
    );
    await createTinyFunction(new LambdaClient(config()), {
      name: badFunctionName,
      role: badRoleArn,
      runtime: 'nodejs22.x',
      variables: { API_TOKEN: seededSecretValue },
    });
    // In the other region: a role with s3:* on * and no log permissions (a role and a function finding).
    const { Role: westRole } = await iam.send(
      new CreateRoleCommand({
        RoleName: 'e2e-west-role',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    westRoleArn = westRole!.Arn!;
    const { Policy } = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'e2e-s3-all',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
        }),
      }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'e2e-west-role', PolicyArn: Policy!.Arn! }));
    await createTinyFunction(new LambdaClient({ ...config(), region: westRegion }), {
      name: westFunctionName,
      role: westRoleArn,
    });
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
    await moto?.stop();
    if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
  });

  it('deploys the function on nodejs24.x with the stack role, the schedule and the topic', async () => {
    // prepare
    const ruleName = await stackResourceId(access, stackName, 'ScheduleRule');

    // act
    const rule = await describeScheduleRule(access, ruleName);
    const topic = await new SNSClient(config()).send(
      new GetTopicAttributesCommand({ TopicArn: deployment.outputs.TopicArn }),
    );

    // assess
    expect(deployment.status).toBe('CREATE_COMPLETE');
    expect(auditor).toMatchObject({
      FunctionName: auditorName,
      Runtime: 'nodejs24.x',
      Handler: 'handler.handler',
      Role: deployment.outputs.RoleArn,
    });
    expect(rule).toMatchObject({ ScheduleExpression: 'cron(30 2 * * ? *)', State: 'ENABLED' });
    expect(topic.Attributes?.TopicArn).toBe(deployment.outputs.TopicArn);
  });

  describe('a scheduled run of the built handler', () => {
    let result: InvocationSummary;
    let logLines: string[];
    let calls: RecordedCall[];
    let received: ReceivedReport[];

    beforeAll(async () => {
      const rule = await describeScheduleRule(
        access,
        await stackResourceId(access, stackName, 'ScheduleRule'),
      );
      ({ result, logLines } = await invoke(scheduledEvent(rule.Arn)));
      calls = [...proxy.calls];
      received = await receiveReports(access, queueUrl);
    }, 60_000);

    it('returns a published summary with the report location in the stack bucket', async () => {
      // prepare
      const bucket = deployment.outputs.ReportBucketName!;
      const key = result.location?.replace(`s3://${bucket}/`, '');

      // act
      const archived = await new S3Client({ ...config(), forcePathStyle: true }).send(
        new HeadObjectCommand({ Bucket: bucket, Key: key }),
      );

      // assess
      expect(result).toMatchObject({
        account: MOTO_ACCOUNT_ID,
        status: 'complete',
        regions: [region, westRegion],
        trigger: 'schedule',
        dryRun: false,
        functions: 3,
        roles: 3,
        findings: { critical: 1, high: 3, medium: 0, low: 1, info: 0 },
        published: true,
        baseline: true,
        errors: 0,
      });
      // The roles to fix first, as the console shows them.
      expect(result.top).toEqual([
        {
          severity: 'critical',
          role: 'e2e-payments-admin-role',
          functions: 1,
          rules: ['admin-access', 'secrets-in-environment'],
          new: false,
        },
        {
          severity: 'high',
          role: 'e2e-west-role',
          functions: 1,
          rules: ['service-wildcard', 'logging-missing', 'log-group-create-missing'],
          new: false,
        },
      ]);
      expect(result.location).toMatch(new RegExp(`^s3://${bucket}/reports/${MOTO_ACCOUNT_ID}/`));
      expect(archived.ContentLength).toBeGreaterThan(0);
    });

    it('delivers the report to the SQS subscriber with the admin-access finding of the bad role, once', () => {
      // prepare
      const [message] = received;

      // act
      const adminFindings = message?.report.findings.filter((finding) => finding.ruleId === 'admin-access');

      // assess
      expect(received).toHaveLength(1);
      expect(message?.subject).toBe(
        `lambda-role-auditor ${MOTO_ACCOUNT_ID}: 2 roles to fix (1 critical, 1 high)`,
      );
      expect(message?.attributes).toEqual({
        status: 'complete',
        severity: 'critical',
        findings: '5',
        new: '5',
        account: MOTO_ACCOUNT_ID,
      });
      expect(adminFindings).toEqual([
        expect.objectContaining({
          subject: 'role',
          severity: 'critical',
          roleArn: badRoleArn,
          functionCount: 1,
          evidence: [expect.objectContaining({ policy: administratorAccess })],
        }),
      ]);
      expect(message?.report.roles.find((role) => role.roleArn === badRoleArn)?.functions).toEqual([
        `arn:aws:lambda:${region}:${MOTO_ACCOUNT_ID}:function:${badFunctionName}`,
      ]);
      expect(message?.report.summary.functions).toBe(result.functions);
    });

    it('audits its own function and finds nothing wrong with it', () => {
      // prepare
      const report = received[0]?.report;

      // act
      const own = report?.findings.filter(
        (finding) =>
          finding.roleArn === auditor.Role ||
          (finding.subject === 'function' && finding.functionName === auditorName),
      );

      // assess
      expect(report?.roles.find((role) => role.roleArn === auditor.Role)?.functions).toEqual([
        auditor.FunctionArn,
      ]);
      expect(report?.summary.functions).toBe(3);
      expect(report?.errors).toEqual([]);
      expect(own).toEqual([]);
      expect(result.top.map((role) => role.role)).not.toContain(auditor.Role?.split('/').pop());
    });

    it('never logs or publishes the value of an audited environment variable', () => {
      // prepare
      const published = JSON.stringify(received);

      // act
      const leaks = [...logLines, published].filter((text) => text.includes(seededSecretValue));

      // assess
      expect(received[0]?.report.findings.map((finding) => finding.ruleId)).toContain(
        'secrets-in-environment',
      );
      // The leak check reads the real log: the run logged its start and its end.
      expect(logLines.filter((line) => /"message":"audit (started|finished)"/.test(line))).toHaveLength(2);
      expect(leaks).toEqual([]);
    });

    it('only reads, except the archive under reports/ and the cache under cache/ in its bucket, and one publish to its topic', () => {
      // prepare
      const bucket = deployment.outputs.ReportBucketName!;

      // act
      const operations = [...new Set(calls.map((call) => `${call.service}:${call.operation}`))].sort();
      const objects = calls.filter((call) => call.service === 's3').map((call) => call.resource);
      const writes = calls.filter((call) => !isReadOnly(call));

      // assess
      expect(operations).toEqual([
        'iam:GetPolicy',
        'iam:GetPolicyVersion',
        'iam:GetRole',
        'iam:ListAttachedRolePolicies',
        'iam:ListRolePolicies',
        'lambda:GetPolicy',
        'lambda:ListFunctions',
        's3:GetObject',
        's3:PutObject',
        'sns:Publish',
      ]);
      for (const object of objects) {
        expect(object).toMatch(
          new RegExp(
            `^/${bucket}/(reports/${MOTO_ACCOUNT_ID}/|config/suppressions\\.json$|cache/${MOTO_ACCOUNT_ID}/resource-policies\\.json$)`,
          ),
        );
      }
      expect(writes).toEqual([
        {
          service: 's3',
          operation: 'PutObject',
          resource: `/${bucket}/cache/${MOTO_ACCOUNT_ID}/resource-policies.json`,
        },
        { service: 's3', operation: 'PutObject', resource: expect.stringMatching(`^/${bucket}/reports/`) },
        {
          service: 's3',
          operation: 'PutObject',
          resource: `/${bucket}/reports/${MOTO_ACCOUNT_ID}/latest.json`,
        },
        {
          service: 's3',
          operation: 'PutObject',
          resource: expect.stringMatching(`^/${bucket}/reports/.+\\.html$`),
        },
        { service: 'sns', operation: 'Publish', resource: deployment.outputs.TopicArn },
      ]);
    });
  });

  describe('scoped console runs between two scheduled runs, against one bucket', () => {
    const runs: InvocationSummary[] = [];
    /** Where latest.json pointed before the first run of the sequence and after each run. */
    const baselines: Array<string | undefined> = [];
    let reports: AuditReport[];
    let keys: string[];

    /** The object of the stack bucket at an `s3://` location, parsed. */
    async function archivedReport(location: string | undefined): Promise<AuditReport> {
      const bucket = deployment.outputs.ReportBucketName!;
      const s3 = new S3Client({ ...config(), forcePathStyle: true });
      try {
        const { Body } = await s3.send(
          new GetObjectCommand({ Bucket: bucket, Key: location?.replace(`s3://${bucket}/`, '') }),
        );
        return JSON.parse((await Body?.transformToString('utf-8')) ?? '') as AuditReport;
      } finally {
        s3.destroy();
      }
    }

    beforeAll(async () => {
      const latest = () =>
        archivedReport(`s3://${deployment.outputs.ReportBucketName}/reports/${MOTO_ACCOUNT_ID}/latest.json`);
      const rule = await describeScheduleRule(
        access,
        await stackResourceId(access, stackName, 'ScheduleRule'),
      );
      baselines.push((await latest()).location);
      for (const event of [{ functions: ['e2e-pay*'] }, { regions: [region] }, scheduledEvent(rule.Arn)]) {
        runs.push((await invoke(event)).result);
        baselines.push((await latest()).location);
      }
      reports = await Promise.all(runs.map((run) => archivedReport(run.location)));
      const s3 = new S3Client({ ...config(), forcePathStyle: true });
      const listing = await s3.send(
        new ListObjectsV2Command({ Bucket: deployment.outputs.ReportBucketName, Prefix: 'reports/' }),
      );
      s3.destroy();
      keys = (listing.Contents ?? []).map((object) => object.Key!);
    }, 120_000);

    it('audits only the matching functions for a console event with function globs, and compares only them', () => {
      // act
      const [byName] = runs;

      // assess
      expect(byName).toMatchObject({
        trigger: 'console',
        status: 'complete',
        functions: 1,
        findings: { critical: 1, high: 1, medium: 0, low: 0, info: 0 },
        new: 0,
        resolved: 0,
        published: true,
        baseline: false,
      });
      expect(reports[0]?.scope).toEqual({
        regions: [region, westRegion],
        functions: ['e2e-pay*'],
        minSeverity: null,
        full: false,
      });
      expect(reports[0]?.resolved).toEqual([]);
    });

    it('audits one configured region for a console event naming it, and compares only that region', () => {
      // act
      const [, oneRegion] = runs;

      // assess: the other region's role and function findings are out of scope, not resolved
      expect(oneRegion).toMatchObject({
        trigger: 'console',
        status: 'complete',
        regions: [region],
        functions: 2,
        findings: { critical: 1, high: 1, medium: 0, low: 0, info: 0 },
        new: 0,
        resolved: 0,
        baseline: false,
      });
      expect(reports[1]?.scope).toEqual({
        regions: [region],
        functions: null,
        minSeverity: null,
        full: false,
      });
      expect(reports[1]?.roles.map((role) => role.roleArn)).not.toContain(westRoleArn);
    });

    it('finds nothing new or resolved in the scheduled run after the scoped ones', () => {
      // act
      const [, , scheduled] = runs;

      // assess
      expect(scheduled).toMatchObject({
        trigger: 'schedule',
        status: 'complete',
        functions: 3,
        findings: { critical: 1, high: 3, medium: 0, low: 1, info: 0 },
        new: 0,
        resolved: 0,
        baseline: true,
      });
      expect(reports[2]?.findings.every((finding) => finding.status === 'unchanged')).toBe(true);
    });

    it('archives every run under its own key and lets only the complete full runs replace latest.json', () => {
      // act
      const locations = runs.map((run) => run.location);

      // assess
      const bucket = deployment.outputs.ReportBucketName!;
      const [firstBaseline] = baselines;
      expect(firstBaseline).toMatch(new RegExp(`^s3://${bucket}/reports/${MOTO_ACCOUNT_ID}/`));
      expect(new Set([firstBaseline, ...locations]).size).toBe(4);
      expect(baselines).toEqual([firstBaseline, firstBaseline, firstBaseline, locations[2]]);
      // Each run's JSON report has its HTML page beside it.
      const runKeys = [firstBaseline, ...locations].map((location) =>
        location!.replace(`s3://${bucket}/`, ''),
      );
      expect(keys.sort()).toEqual(
        [
          ...runKeys,
          ...runKeys.map((key) => key.replace(/\.json$/, '.html')),
          `reports/${MOTO_ACCOUNT_ID}/latest.json`,
        ].sort(),
      );
    });
  });

  it('runs a dry run on its own function from a console test event: one function, no findings, no writes', async () => {
    // prepare
    const event = { dryRun: true, functions: [auditorName] };

    // act
    const { result } = await invoke(event);
    const writes = proxy.calls.filter((call) => !isReadOnly(call));

    // assess
    expect(result).toMatchObject({
      trigger: 'console',
      dryRun: true,
      functions: 1,
      findings: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
      errors: 0,
      published: false,
      top: [],
    });
    expect(writes).toEqual([]);
  });
});
