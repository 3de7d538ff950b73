/** What the deploy prints: stack events while waiting, the outputs table at the end. */
import type { StackEvent } from '@aws-sdk/client-cloudformation';

/**
 * One stack event as a progress line: time, status, resource type, logical id and reason.
 *
 * @example
 * formatEvent({ Timestamp: new Date(), ResourceStatus: 'CREATE_COMPLETE', ResourceType: 'AWS::SNS::Topic', LogicalResourceId: 'Topic' });
 */
export function formatEvent(event: StackEvent): string {
  const time = event.Timestamp ? event.Timestamp.toISOString().slice(11, 19) : '--:--:--';
  const reason = event.ResourceStatusReason ? `  ${event.ResourceStatusReason}` : '';
  return `${time}  ${(event.ResourceStatus ?? '').padEnd(20)} ${(event.ResourceType ?? '').padEnd(28)} ${event.LogicalResourceId ?? ''}${reason}`;
}

/**
 * Formats stack outputs as a two-column table.
 *
 * @example
 * formatOutputsTable({ FunctionName: 'audit-auditor' });
 */
export function formatOutputsTable(outputs: Record<string, string>): string {
  const rows: [string, string][] = [['Output', 'Value'], ...Object.entries(outputs)];
  const width = Math.max(...rows.map(([key]) => key.length));
  const lines = rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`);
  lines.splice(
    1,
    0,
    `${'-'.repeat(width)}  ${'-'.repeat(Math.max(5, ...rows.map(([, value]) => value.length)))}`,
  );
  return lines.join('\n');
}
