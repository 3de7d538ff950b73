import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type LatencyProxy,
  LatencyProxyError,
  lambdaInvokeReadLimits,
  startLatencyProxy,
} from '../../bench/latency-proxy.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A target that answers every request with what it received, as JSON. */
async function startEchoServer(): Promise<{ server: Server; endpoint: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(entry);
      response.writeHead(201, { 'content-type': 'application/json', 'x-echo': 'yes' });
      response.end(JSON.stringify(entry));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { server, endpoint: `http://127.0.0.1:${port}`, received };
}

describe('latency proxy', () => {
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  let proxy: LatencyProxy | undefined;

  beforeAll(async () => {
    echo = await startEchoServer();
  });

  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    echo.received.length = 0;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => echo.server.close(() => resolve()));
  });

  it('forwards method, path, headers and body, and returns the answer unchanged', async () => {
    // prepare
    proxy = await startLatencyProxy({ target: echo.endpoint, delayMs: 5 });
    const body = 'Action=GetAccountAuthorizationDetails&Filter.member.1=Role&Version=2010-05-08';

    // act
    const response = await fetch(`${proxy.endpoint}/path/segment?marker=abc%2F1`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-amz-target': 'Test.Operation' },
      body,
    });
    const answer = (await response.json()) as Received;

    // assess
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(answer.method).toBe('POST');
    expect(answer.url).toBe('/path/segment?marker=abc%2F1');
    expect(answer.body).toBe(body);
    expect(answer.headers['x-amz-target']).toBe('Test.Operation');
    expect(answer.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(echo.received).toHaveLength(1);
  });

  it('forwards a large body intact', async () => {
    // prepare
    proxy = await startLatencyProxy({ target: echo.endpoint, delayMs: 0 });
    const body = 'x'.repeat(300_000);

    // act
    const response = await fetch(`${proxy.endpoint}/big`, { method: 'PUT', body });
    const answer = (await response.json()) as Received;

    // assess
    expect(answer.method).toBe('PUT');
    expect(answer.body).toHaveLength(body.length);
    expect(answer.body).toBe(body);
  });

  it('holds every request for at least the configured delay', async () => {
    // prepare
    const delayMs = 60;
    proxy = await startLatencyProxy({ target: echo.endpoint, delayMs });

    // act
    const startedAt = performance.now();
    const response = await fetch(`${proxy.endpoint}/slow`);
    await response.arrayBuffer();
    const elapsed = performance.now() - startedAt;

    // assess: a lower bound only, the machine decides how much longer it takes
    expect(response.status).toBe(201);
    expect(elapsed).toBeGreaterThanOrEqual(delayMs);
  });

  it('delays concurrent requests side by side and counts each of them', async () => {
    // prepare
    const delayMs = 40;
    proxy = await startLatencyProxy({ target: echo.endpoint, delayMs });
    const endpoint = proxy.endpoint;

    // act
    const startedAt = performance.now();
    const statuses = await Promise.all(
      [1, 2, 3].map(async (index) => {
        const response = await fetch(`${endpoint}/item/${index}`);
        await response.arrayBuffer();
        return { status: response.status, elapsed: performance.now() - startedAt };
      }),
    );

    // assess
    expect(proxy.requestCount()).toBe(3);
    expect(echo.received.map((entry) => entry.url).sort()).toEqual(['/item/1', '/item/2', '/item/3']);
    for (const { status, elapsed } of statuses) {
      expect(status).toBe(201);
      expect(elapsed).toBeGreaterThanOrEqual(delayMs);
    }
  });

  it('starts counting again after a reset', async () => {
    // prepare
    proxy = await startLatencyProxy({ target: echo.endpoint, delayMs: 0 });
    await (await fetch(`${proxy.endpoint}/one`)).arrayBuffer();
    await (await fetch(`${proxy.endpoint}/two`)).arrayBuffer();

    // act
    const before = proxy.requestCount();
    proxy.resetCount();
    await (await fetch(`${proxy.endpoint}/three`)).arrayBuffer();

    // assess
    expect(before).toBe(2);
    expect(proxy.requestCount()).toBe(1);
  });

  it('answers 502 when the target does not answer', async () => {
    // prepare: a port that was free a moment ago
    const closed = await startEchoServer();
    await new Promise<void>((resolve) => closed.server.close(() => resolve()));
    proxy = await startLatencyProxy({ target: closed.endpoint, delayMs: 0 });

    // act
    const response = await fetch(`${proxy.endpoint}/nowhere`);
    const text = await response.text();

    // assess
    expect(response.status).toBe(502);
    expect(text).toContain('did not answer');
    expect(proxy.requestCount()).toBe(1);
  });

  it('answers 429 TooManyRequestsException like Lambda to GetPolicy calls over the rate, and lets others through', async () => {
    // prepare: 2 GetPolicy calls per second, 2 at once
    proxy = await startLatencyProxy({
      target: echo.endpoint,
      delayMs: 0,
      rateLimits: lambdaInvokeReadLimits(2, 2),
    });
    const policy = `${proxy.endpoint}/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A111122223333%3Afunction%3Aapi/policy?Qualifier=3`;

    // act
    const answers = await Promise.all(Array.from({ length: 5 }, () => fetch(policy)));
    const listing = await fetch(`${proxy.endpoint}/2015-03-31/functions/?FunctionVersion=ALL`);

    // assess
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, 201, 429, 429, 429]);
    const refused = answers.find((answer) => answer.status === 429)!;
    expect(refused.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
    expect(await refused.json()).toMatchObject({ message: 'Rate exceeded' });
    expect(listing.status).toBe(201);
    expect(proxy.throttledCounts()).toEqual({ 'lambda:GetPolicy': 3 });
    expect(echo.received).toHaveLength(3);
  });

  it('counts the rate per region, as AWS limits are regional', async () => {
    // prepare
    proxy = await startLatencyProxy({
      target: echo.endpoint,
      delayMs: 0,
      rateLimits: lambdaInvokeReadLimits(1, 1),
    });
    const signed = (region: string) => ({
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=testing/20261126/${region}/lambda/aws4_request, SignedHeaders=host, Signature=0`,
      },
    });
    const policy = `${proxy.endpoint}/2015-03-31/functions/api/policy`;

    // act
    const answers = await Promise.all(
      ['us-east-1', 'eu-west-1', 'us-east-1'].map((region) => fetch(policy, signed(region))),
    );

    // assess
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 201, 429]);
  });

  it.each([
    ['a negative delay', { target: 'http://127.0.0.1:1', delayMs: -1 }],
    ['a target that is not a URL', { target: 'not a url' }],
    ['an https target', { target: 'https://127.0.0.1:1' }],
  ])('refuses %s', async (_, options) => {
    // act
    const started = startLatencyProxy(options);

    // assess
    await expect(started).rejects.toBeInstanceOf(LatencyProxyError);
  });
});
