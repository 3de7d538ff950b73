import { type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** Creates an SQS queue and returns its URL and ARN. */
export async function createQueue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (!QueueUrl || !Attributes?.QueueArn) throw new Error(`queue ${name} was not created`);
  return { url: QueueUrl, arn: Attributes.QueueArn };
}

/**
 * Creates a queue subscribed to a topic: with `raw`, the queue receives the published message itself,
 * otherwise the SNS envelope around it.
 */
export async function subscribeQueue(
  sns: SNSClient,
  sqs: SQSClient,
  topicArn: string,
  name: string,
  options: { raw?: boolean } = {},
): Promise<{ url: string; arn: string }> {
  const queue = await createQueue(sqs, name);
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queue.arn,
      ...(options.raw ? { Attributes: { RawMessageDelivery: 'true' } } : {}),
    }),
  );
  return queue;
}

/**
 * Receives and deletes every message waiting in a queue, so that a later test does not see it again
 * (moto delivers SNS messages to SQS during Publish).
 */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (let waitSeconds = 1; ; waitSeconds = 0) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitSeconds,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return messages;
    for (const message of Messages) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
    messages.push(...Messages);
  }
}
