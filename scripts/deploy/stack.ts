/** The CloudFormation stack operation: create or update, wait, and report what failed. */
import type { CloudFormationClient, Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import {
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { DeployError, messageOf, type StackFailure, StackOperationError } from './errors.js';
import { formatEvent } from './output.js';
import { keptParameters, templateParameterNames, toParameterList } from './parameters.js';

export type StackOperation = 'create' | 'update' | 'none';

export interface StackDeployment {
  stackId: string;
  status: string;
  operation: StackOperation;
  outputs: Record<string, string>;
}

export interface WaitSettings {
  /** Pause between two polls of the stack status. */
  pollIntervalMs: number;
  /** Give up waiting after this long (the stack operation itself goes on). */
  timeoutMs: number;
  sleep: (milliseconds: number) => Promise<void>;
}

const defaultWaitSettings: WaitSettings = {
  pollIntervalMs: 5_000,
  timeoutMs: 45 * 60_000,
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

/**
 * Creates the stack, or updates it when it exists, then waits for the operation to finish.
 * "No updates are to be performed" counts as success; a failed or rolled-back operation throws
 * {@link StackOperationError} with the failed resource events.
 *
 * @example
 * const deployment = await deployStack(cloudFormation, { stackName, templateBody, parameters }, console.error);
 */
export async function deployStack(
  cloudFormation: CloudFormationClient,
  request: { stackName: string; templateBody: string; parameters: Record<string, string> },
  log: (line: string) => void,
  waitSettings: Partial<WaitSettings> = {},
): Promise<StackDeployment> {
  const wait = { ...defaultWaitSettings, ...waitSettings };
  const templateParameters = templateParameterNames(request.templateBody, request.parameters);

  let existing = await describeStack(cloudFormation, request.stackName);
  if (existing?.StackStatus === 'ROLLBACK_COMPLETE') {
    // A stack whose creation rolled back can only be deleted; doing it here lets a corrected deploy go on.
    log(`Stack ${request.stackName} is in ROLLBACK_COMPLETE after a failed creation: deleting it first`);
    await cloudFormation.send(new DeleteStackCommand({ StackName: existing.StackId }));
    const deleted = await waitForStack(
      cloudFormation,
      existing.StackId!,
      await newestEventId(cloudFormation, existing.StackId!),
      log,
      wait,
    );
    if (deleted.StackStatus !== 'DELETE_COMPLETE') {
      throw new DeployError(`Could not delete stack ${request.stackName} (status ${deleted.StackStatus})`);
    }
    existing = undefined;
  }
  if (existing?.StackStatus === 'REVIEW_IN_PROGRESS') {
    throw new DeployError(
      `Stack ${request.stackName} only has pending change sets; delete it or execute them`,
    );
  }
  if (existing?.StackStatus?.endsWith('_IN_PROGRESS')) {
    throw new DeployError(
      `Stack ${request.stackName} is busy (${existing.StackStatus}); wait for the current operation to finish`,
    );
  }

  const common = {
    TemplateBody: request.templateBody,
    Capabilities: ['CAPABILITY_NAMED_IAM' as const],
    Tags: [{ Key: 'application', Value: 'lambda-role-auditor' }],
  };
  if (!existing) {
    log(`Creating stack ${request.stackName}`);
    const created = await sendStackRequest(() =>
      cloudFormation.send(
        new CreateStackCommand({
          ...common,
          StackName: request.stackName,
          Parameters: toParameterList(request.parameters),
        }),
      ),
    );
    const final = await waitForStack(cloudFormation, created.StackId!, undefined, log, wait);
    return finish(cloudFormation, final, 'create', undefined);
  }

  const stackId = existing.StackId!;
  const marker = await newestEventId(cloudFormation, stackId);
  const previous = keptParameters(existing, templateParameters, request.parameters);
  log(`Updating stack ${request.stackName}`);
  try {
    await sendStackRequest(() =>
      cloudFormation.send(
        new UpdateStackCommand({
          ...common,
          StackName: stackId,
          Parameters: [...toParameterList(request.parameters), ...previous],
        }),
      ),
    );
  } catch (error) {
    if (error instanceof DeployError && /No updates are to be performed/i.test(error.message)) {
      log(`Stack ${request.stackName} is up to date`);
      return finish(cloudFormation, existing, 'none', marker);
    }
    throw error;
  }
  const final = await waitForStack(cloudFormation, stackId, marker, log, wait);
  return finish(cloudFormation, final, 'update', marker);
}

async function finish(
  cloudFormation: CloudFormationClient,
  stack: Stack,
  operation: StackOperation,
  marker: string | undefined,
): Promise<StackDeployment> {
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (operation !== 'none' && status !== 'CREATE_COMPLETE' && status !== 'UPDATE_COMPLETE') {
    const failures = await failedEvents(cloudFormation, stack.StackId!, marker);
    throw new StackOperationError(
      `Stack ${stack.StackName} ${operation} failed: ${status}`,
      status,
      failures,
    );
  }
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey) outputs[output.OutputKey] = output.OutputValue ?? '';
  }
  return { stackId: stack.StackId!, status, operation, outputs };
}

async function sendStackRequest<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw new DeployError(messageOf(error), { cause: error });
  }
}

async function describeStack(
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<Stack | undefined> {
  try {
    const response = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    return response.Stacks?.[0];
  } catch (error) {
    if (/does not exist/i.test(messageOf(error))) return undefined;
    throw new DeployError(`Cannot describe stack ${stackName}: ${messageOf(error)}`, { cause: error });
  }
}

/** Events newer than the marker, oldest first (the API returns newest first, paginated). */
async function eventsSince(
  cloudFormation: CloudFormationClient,
  stackId: string,
  marker: string | undefined,
): Promise<StackEvent[]> {
  const newestFirst: StackEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await cloudFormation.send(
      new DescribeStackEventsCommand({ StackName: stackId, NextToken: nextToken }),
    );
    for (const event of page.StackEvents ?? []) {
      if (marker && event.EventId === marker) return newestFirst.reverse();
      newestFirst.push(event);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return newestFirst.reverse();
}

async function newestEventId(
  cloudFormation: CloudFormationClient,
  stackId: string,
): Promise<string | undefined> {
  const page = await cloudFormation.send(new DescribeStackEventsCommand({ StackName: stackId }));
  return page.StackEvents?.[0]?.EventId;
}

async function failedEvents(
  cloudFormation: CloudFormationClient,
  stackId: string,
  marker: string | undefined,
): Promise<StackFailure[]> {
  const events = await eventsSince(cloudFormation, stackId, marker);
  return events
    .filter((event) => event.ResourceStatus?.endsWith('FAILED') && event.ResourceStatusReason)
    .map((event) => ({
      logicalResourceId: event.LogicalResourceId ?? '',
      resourceType: event.ResourceType ?? '',
      resourceStatus: event.ResourceStatus ?? '',
      reason: event.ResourceStatusReason ?? '',
    }));
}

async function waitForStack(
  cloudFormation: CloudFormationClient,
  stackId: string,
  marker: string | undefined,
  log: (line: string) => void,
  wait: WaitSettings,
): Promise<Stack> {
  let lastSeen = marker;
  const deadline = Date.now() + wait.timeoutMs;
  for (;;) {
    const events = await eventsSince(cloudFormation, stackId, lastSeen);
    for (const event of events) log(formatEvent(event));
    lastSeen = events.at(-1)?.EventId ?? lastSeen;
    const response = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackId }));
    const stack = response.Stacks?.[0];
    if (!stack) throw new DeployError(`Stack ${stackId} disappeared while waiting for it`);
    if (!stack.StackStatus?.endsWith('_IN_PROGRESS')) return stack;
    if (Date.now() > deadline) {
      throw new DeployError(`Gave up waiting for stack ${stack.StackName} (still ${stack.StackStatus})`);
    }
    await wait.sleep(wait.pollIntervalMs);
  }
}
