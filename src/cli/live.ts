import { randomUUID } from 'node:crypto';
import type { CollectProgress } from '../collect/collect.js';
import { collectAndAudit, createLiveServices, deliverReport } from '../live/pipeline.js';
import { writeSnapshotFiles } from '../load/write-snapshot.js';
import type { AuditReport } from '../model/report.js';
import { htmlLocationOf } from '../report/render-html.js';
import { DEFAULT_USAGE_DAYS } from '../usage/coverage.js';
import { type CliIo, ConfigurationError, type LiveRunner } from './main.js';
import { type AuditCommand, unmatchedFunctionGlobs } from './options.js';

/** A one-line progress display on stderr, only when stderr is a terminal. */
function progressPrinter(io: CliIo): ((event: CollectProgress) => void) | undefined {
  if (!io.stderr.isTTY) return undefined;
  const listed = new Map<string, number>();
  let roles = '';
  return (event) => {
    if (event.kind === 'functions') listed.set(event.region, event.listed);
    else if (event.kind === 'roles') roles = `, roles ${event.settled}/${event.total}`;
    else if (event.kind === 'bulk-page') roles = `, ${event.roles} roles and ${event.policies} policies read`;
    else if (event.kind === 'usage') roles = `, last-accessed data ${event.settled}/${event.total} roles`;
    else if (event.kind === 'stopping') {
      io.stderr.write(`\nstopping early: ${event.reason}\n`);
      return;
    } else return;
    const functions = [...listed.values()].reduce((sum, count) => sum + count, 0);
    io.stderr.write(`\r\x1b[Kcollecting: ${functions} functions in ${listed.size} region(s)${roles}`);
  };
}

/** Live mode of the CLI: the standard credential chain and environment, clients created once. */
export function liveRunner(command: AuditCommand): LiveRunner {
  const services = createLiveServices(command.publish ? { topicArn: command.publish } : {});
  return {
    async audit(command: AuditCommand, io: CliIo, suppressions) {
      let regions: string[] | 'all' = command.regions.includes('all') ? 'all' : command.regions;
      if (regions !== 'all' && regions.length === 0) {
        const region = io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
        if (!region)
          throw new ConfigurationError('no region: pass --region REGION (or all), or set AWS_REGION');
        regions = [region];
      }
      // Without credentials every call fails: a configuration error (exit 2), not an empty report (exit 0).
      await services.clients.iam.config.credentials().catch((error: Error) => {
        throw new ConfigurationError(`no AWS credentials: ${error.message}`);
      });
      const progress = progressPrinter(io);
      const { snapshot, report } = await collectAndAudit(services, {
        regions,
        collection: command.collection,
        functionGlobs: command.functionGlobs,
        suppressions,
        ...(command.minSeverity ? { minSeverity: command.minSeverity } : {}),
        ...(command.reportBucket ? { reportBucket: command.reportBucket } : {}),
        ...(command.usage ? { usage: { days: command.usageDays ?? DEFAULT_USAGE_DAYS } } : {}),
        ...(progress ? { onProgress: progress } : {}),
        warn: (message) => io.stderr.write(`warning: ${message}\n`),
      });
      if (progress) io.stderr.write('\r\x1b[K');
      // Decidable only when every region was listed: a glob may name a function of a region that failed.
      if (!snapshot.errors.some((error) => error.scope === 'region')) {
        const names = snapshot.functions.map((fn) => fn.functionName);
        const unmatched = unmatchedFunctionGlobs(command.functionGlobs, names);
        if (unmatched) throw unmatched;
      }
      if (command.snapshotOut) {
        const paths = await writeSnapshotFiles(snapshot, command.snapshotOut);
        io.stderr.write(
          `snapshot saved: --auth-details ${paths.authDetails} --functions ${paths.functions}${paths.resourcePolicies ? ` --resource-policies ${paths.resourcePolicies}` : ''}${paths.lastAccessed ? ` --last-accessed ${paths.lastAccessed}` : ''}\n`,
        );
      }
      return { report };
    },
    async finish(report: AuditReport, command: AuditCommand, io: CliIo) {
      const delivery = await deliverReport(services, report, {
        ...(command.reportBucket ? { reportBucket: command.reportBucket } : {}),
        ...(command.publish ? { topicArn: command.publish } : {}),
        publishWhen: 'always',
        runId: randomUUID(),
        ...(command.securityHub ? { securityHub: true } : {}),
        warn: (message) => io.stderr.write(`warning: ${message}\n`),
      });
      if (delivery.location)
        io.stderr.write(
          `report archived: ${delivery.location}${delivery.baseline ? ' (the new baseline)' : ' (not a baseline: scoped or incomplete run)'}` +
            `, HTML ${htmlLocationOf(delivery.location)}\n`,
        );
      if (delivery.published) io.stderr.write(`report published to ${command.publish}\n`);
      if (delivery.securityHub) {
        const { active, archived, failed } = delivery.securityHub;
        io.stderr.write(
          `Security Hub: ${active} active and ${archived} archived finding(s) imported${failed ? `, ${failed} not taken (see errors)` : ''}\n`,
        );
      }
      return delivery.report;
    },
  };
}
