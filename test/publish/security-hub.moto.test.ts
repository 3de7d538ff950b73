import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  type AwsSecurityFinding,
  EnableSecurityHubCommand,
  paginateGetFindings,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients } from '../../src/collect/clients.js';
import { deliverReport } from '../../src/live/pipeline.js';
import type { AuditReport } from '../../src/model/report.js';
import { exportToSecurityHub, SECURITY_HUB_BATCH_SIZE } from '../../src/publish/security-hub.js';
import {
  awsTestEnv,
  MOTO_ACCOUNT_ID,
  type MotoServer,
  startMoto,
  TEST_CREDENTIALS,
} from '../../tools/moto.js';
import {
  fixAdminRole,
  LIVE_FUNCTIONS,
  LIVE_REGIONS,
  LIVE_ROLES,
  seedLiveAccount,
} from '../live/seed-account.js';
import { generatedAccount } from '../report/large-report.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { type CliRun, packagedCli, runPackagedCli } from '../support/packaged-cli.js';

const BUCKET = 'security-hub-reports';
const PRODUCT_ARN = `arn:aws:securityhub:us-east-1:${MOTO_ACCOUNT_ID}:product/${MOTO_ACCOUNT_ID}/default`;

let moto: MotoServer;
let scratch: string;
let s3: S3Client;

beforeAll(async () => {
  moto = await startMoto();
  scratch = await mkdtemp(join(tmpdir(), 'lambda-role-auditor-security-hub-'));
  s3 = new S3Client({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    forcePathStyle: true,
  });
});

afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function securityHub(endpoint = moto.endpoint, maxAttempts = 3): SecurityHubClient {
  return new SecurityHubClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts });
}

/** Every finding Security Hub holds; moto ignores filters, so the test filters by id. */
async function storedFindings(): Promise<Map<string, AwsSecurityFinding>> {
  const client = securityHub();
  const found = new Map<string, AwsSecurityFinding>();
  try {
    for await (const page of paginateGetFindings({ client, pageSize: 100 }, {})) {
      for (const finding of page.Findings ?? []) found.set(finding.Id!, finding);
    }
  } finally {
    client.destroy();
  }
  return found;
}

function idOf(findingId: string): string {
  return `lambda-role-auditor/${MOTO_ACCOUNT_ID}/${findingId}`;
}

/** Runs the CLI as npm installs it (bundled from the current sources) against moto, as a user would. */
async function runCli(args: string[]): Promise<CliRun> {
  return runPackagedCli(await packagedCli(), args, {
    env: { ...process.env, ...awsTestEnv(moto.endpoint), NO_COLOR: '1' },
  });
}

describe('Security Hub export against moto', () => {
  describe('the CLI with --security-hub and a report bucket', () => {
    let suppressions: string;

    beforeAll(async () => {
      await seedLiveAccount(moto.endpoint);
      await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
      const client = securityHub();
      await client.send(new EnableSecurityHubCommand({}));
      client.destroy();
      suppressions = join(scratch, 'suppressions.json');
      await writeFile(
        suppressions,
        JSON.stringify({
          suppressions: [{ rule: 'not-action-allow', role: 'live-not-action', reason: 'Reviewed in SEC-42' }],
        }),
      );
    });

    async function audit(): Promise<{ report: AuditReport; stderr: string }> {
      const regions = LIVE_REGIONS.flatMap((region) => ['--region', region]);
      const run = await runCli([
        'audit',
        ...regions,
        '--report-bucket',
        BUCKET,
        '--security-hub',
        '--suppressions',
        suppressions,
        '--format',
        'json',
      ]);
      expect(run.stderr).not.toContain('delivery failed');
      expect(run.status).toBe(0);
      return { report: JSON.parse(run.stdout) as AuditReport, stderr: run.stderr };
    }

    it('imports every finding: role findings on the role and its functions, muted ones archived', async () => {
      // Act
      const { report, stderr } = await audit();
      const stored = await storedFindings();

      // Assess
      const unmuted = report.findings.filter((finding) => !finding.muted);
      const muted = report.findings.filter((finding) => finding.muted);
      expect(unmuted.length).toBeGreaterThan(5);
      expect(muted.map((finding) => finding.ruleId)).toEqual(['not-action-allow']);
      expect(stderr).toContain(
        `Security Hub: ${unmuted.length} active and ${muted.length} archived finding(s) imported`,
      );
      for (const finding of report.findings) {
        const imported = stored.get(idOf(finding.id));
        expect(imported, `${finding.ruleId} ${finding.roleArn}`).toBeDefined();
        expect(imported).toMatchObject({
          ProductArn: PRODUCT_ARN,
          GeneratorId: finding.ruleId,
          AwsAccountId: MOTO_ACCOUNT_ID,
          RecordState: finding.muted ? 'ARCHIVED' : 'ACTIVE',
          Compliance: { Status: 'FAILED' },
        });
      }
      const admin = report.findings.find(
        (finding) => finding.ruleId === 'admin-access' && finding.roleArn === LIVE_ROLES.admin,
      )!;
      expect(stored.get(idOf(admin.id))!.Resources!.map((resource) => [resource.Type, resource.Id])).toEqual([
        ['AwsIamRole', LIVE_ROLES.admin],
        ['AwsLambdaFunction', LIVE_FUNCTIONS.admin],
      ]);
      const logging = report.findings.find((finding) => finding.subject === 'function')!;
      expect(stored.get(idOf(logging.id))!.Resources![0]!.Type).toBe('AwsLambdaFunction');
      expect(report.errors.filter((error) => error.arn === PRODUCT_ARN)).toEqual([]);
    });

    it('archives the finding of a role fixed before the next run, as passed', async () => {
      // Prepare
      await fixAdminRole(moto.endpoint);

      // Act
      const { report } = await audit();
      const stored = await storedFindings();

      // Assess
      const fixed = report.resolved!.find(
        (resolved) => resolved.ruleId === 'admin-access' && resolved.roleArn === LIVE_ROLES.admin,
      )!;
      expect(fixed).toBeDefined();
      expect(stored.get(idOf(fixed.id))).toMatchObject({
        RecordState: 'ARCHIVED',
        Compliance: { Status: 'PASSED' },
        Severity: { Label: 'INFORMATIONAL', Original: 'critical' },
      });
      const stillActive = report.findings.filter((finding) => !finding.muted);
      for (const finding of stillActive) expect(stored.get(idOf(finding.id))!.RecordState).toBe('ACTIVE');
    });
  });

  describe('batches, pace and failures', () => {
    let proxy: FaultProxy;
    /** 300 roles: about 400 findings, so several batches. */
    const { report } = generatedAccount(300);
    const batches = Math.ceil(report.findings.length / SECURITY_HUB_BATCH_SIZE);

    beforeAll(async () => {
      proxy = await startFaultProxy({ target: moto.endpoint });
    });

    afterAll(async () => {
      await proxy?.stop();
    });

    const imports = () =>
      proxy
        .requests()
        .filter((request) => request.service === 'securityhub' && request.path === '/findings/import');

    it('sends batches of at most 100, one request at a time within the rate', async () => {
      // Prepare
      proxy.clear();
      proxy.setRules([]);
      const client = securityHub(proxy.endpoint);
      const startedAt = performance.now();

      // Act
      const result = await exportToSecurityHub(client, report, { requestsPerSecond: 10 });
      const elapsed = performance.now() - startedAt;
      client.destroy();

      // Assess
      expect(batches).toBeGreaterThanOrEqual(4);
      expect(result).toMatchObject({
        active: report.findings.length - report.summary.muted,
        failed: 0,
        errors: [],
      });
      expect(result.archived).toBe(report.summary.muted);
      expect(result.requests).toBe(batches);
      expect(imports()).toHaveLength(batches);
      // Ten requests a second: the last one starts at least (batches - 1) tenths of a second after the first.
      expect(elapsed).toBeGreaterThanOrEqual((batches - 1) * 100 - 5);
      const stored = await storedFindings();
      for (const finding of report.findings) expect(stored.has(idOf(finding.id))).toBe(true);
    });

    it('sends a failed batch once more, and reports nothing when the retry is taken', async () => {
      // Prepare: the first import fails (a 500 the client does not retry itself)
      proxy.clear();
      proxy.setRules([
        {
          match: { service: 'securityhub', pathPrefix: '/findings/import' },
          fault: { kind: 'server-error', status: 500 },
          times: 1,
        },
      ]);
      const client = securityHub(proxy.endpoint, 1);

      // Act
      const result = await exportToSecurityHub(client, report, { requestsPerSecond: 1000 });
      client.destroy();

      // Assess
      expect(result.errors).toEqual([]);
      expect(result.failed).toBe(0);
      expect(result.active + result.archived).toBe(report.findings.length);
      expect(imports()).toHaveLength(batches + 1);
      expect(proxy.faultCount('server-error', 'securityhub:')).toBe(1);
    });

    it('turns each batch refused twice into one errors[] entry, without throwing', async () => {
      // Prepare
      proxy.clear();
      proxy.setRules([
        {
          match: { service: 'securityhub', pathPrefix: '/findings/import' },
          fault: { kind: 'access-denied' },
        },
      ]);
      const client = securityHub(proxy.endpoint, 1);

      // Act
      const result = await exportToSecurityHub(client, report, { requestsPerSecond: 1000 });
      client.destroy();

      // Assess
      expect(imports()).toHaveLength(2 * batches);
      expect(result.failed).toBe(report.findings.length);
      expect(result.errors).toHaveLength(batches);
      expect(result.errors[0]).toMatchObject({
        scope: 'account',
        arn: PRODUCT_ARN,
        code: 'AccessDeniedException',
      });
      expect(result.errors[0]!.message).toMatch(
        /^Security Hub did not import 100 finding\(s\) after a retry \(lambda-role-auditor\//,
      );
    });

    it('keeps a refused export in the errors of the archived report, and the run goes on', async () => {
      // Prepare: Security Hub refuses everything; S3 and the rest answer
      proxy.clear();
      proxy.setRules([
        {
          match: { service: 'securityhub', pathPrefix: '/findings/import' },
          fault: { kind: 'access-denied' },
        },
      ]);
      const config = { endpoint: proxy.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
      const services = {
        clients: createClients(config),
        sns: new SNSClient(config),
        s3: new S3Client({ ...config, forcePathStyle: true }),
        securityHub: securityHub(proxy.endpoint, 1),
      };
      await services.s3.send(new CreateBucketCommand({ Bucket: 'refused-export' }));

      // Act
      const delivery = await deliverReport(services, report, {
        reportBucket: 'refused-export',
        publishWhen: 'always',
        runId: 'refused',
        securityHub: true,
      });

      // Assess
      const key = delivery.location!.replace('s3://refused-export/', '');
      const archived = JSON.parse(
        await (
          await services.s3.send(new GetObjectCommand({ Bucket: 'refused-export', Key: key }))
        ).Body!.transformToString(),
      ) as AuditReport;
      const refusals = archived.errors.filter((error) => error.arn === PRODUCT_ARN);
      expect(refusals).toHaveLength(batches);
      expect(archived.summary.errors).toBe(report.errors.length + batches);
      expect(delivery.report.errors).toEqual(archived.errors);
      expect(delivery.securityHub).toMatchObject({ failed: report.findings.length, errors: batches });
      for (const client of [services.sns, services.s3, services.securityHub, services.clients.iam])
        client.destroy();
    });

    it('stops before the run runs out of time, and says how much was not sent', async () => {
      // Prepare: time for two requests only
      proxy.clear();
      proxy.setRules([]);
      const client = securityHub(proxy.endpoint);
      let left = 3;

      // Act
      const result = await exportToSecurityHub(client, report, {
        requestsPerSecond: 1000,
        remainingTime: () => (left-- > 1 ? 60_000 : 1_000),
        reserveMs: 30_000,
      });
      client.destroy();

      // Assess
      expect(imports()).toHaveLength(2);
      expect(result.failed).toBe(report.findings.length - 2 * SECURITY_HUB_BATCH_SIZE);
      expect(result.errors).toEqual([
        expect.objectContaining({ code: 'SecurityHubExportStopped', arn: PRODUCT_ARN }),
      ]);
    });
  });
});
