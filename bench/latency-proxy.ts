/**
 * A loopback HTTP proxy that holds every request for a fixed time before forwarding it, so that a
 * fast local emulator behaves like a remote API: the number and the order of calls (sequential
 * pages, concurrent chains, per-role fan-out) then show in the elapsed time.
 */
import { Agent, createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LatencyProxyOptions {
  /** Where requests go, e.g. the moto endpoint `http://127.0.0.1:5000`. */
  target: string;
  /** Added to every request before it is forwarded (default 50 ms). */
  delayMs?: number;
  /** Request rates enforced like AWS does: a request over its limit gets 429 `TooManyRequestsException`. */
  rateLimits?: RateLimit[];
}

/**
 * A token bucket per region (read from the request's SigV4 credential scope, as AWS's limits are
 * regional) for the requests that `match` (method and path with query): `perSecond`, `burst` at once.
 */
export interface RateLimit {
  name: string;
  match: (method: string, path: string) => boolean;
  perSecond: number;
  /** Requests allowed at once after a pause (default: one second's worth). */
  burst?: number;
}

/**
 * Lambda's per-API limits of the reads about who may invoke (SPEC §4b): `GetPolicy` and
 * `ListFunctionUrlConfigs`, each `perSecond` (AWS: 15).
 *
 * @example
 * const proxy = await startLatencyProxy({ target: moto.endpoint, rateLimits: lambdaInvokeReadLimits(15) });
 */
export function lambdaInvokeReadLimits(perSecond: number, burst?: number): RateLimit[] {
  const rule = (name: string, suffix: string): RateLimit => {
    const route = new RegExp(`^/\\d{4}-\\d\\d-\\d\\d/functions/[^/]+/${suffix}/?(\\?|$)`);
    return {
      name,
      match: (method, path) => method === 'GET' && route.test(path),
      perSecond,
      ...(burst !== undefined ? { burst } : {}),
    };
  };
  return [rule('lambda:GetPolicy', 'policy'), rule('lambda:ListFunctionUrlConfigs', 'urls')];
}

export interface LatencyProxy {
  /** `http://127.0.0.1:<port>`: point the SDK clients here instead of at the target. */
  endpoint: string;
  delayMs: number;
  /** Requests received since the start or the last reset (every HTTP attempt, retries included). */
  requestCount(): number;
  /** Requests answered 429 since the start or the last reset, by rate limit name. */
  throttledCounts(): Record<string, number>;
  /** Resets both counts. */
  resetCount(): void;
  /** Stops listening and closes idle connections; calling it twice is harmless. */
  close(): Promise<void>;
}

/** Raised when the proxy cannot start (bad target, no free port). */
export class LatencyProxyError extends Error {
  override name = 'LatencyProxyError';
}

export const DEFAULT_DELAY_MS = 50;

/** Hop-by-hop headers belong to one connection and are never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(name) && value !== undefined) kept[name] = value;
  }
  return kept;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
}

/** The region a signed request is for: `Credential=AKID/20260101/us-east-1/lambda/aws4_request`. */
function signedRegion(headers: IncomingHttpHeaders): string {
  return /Credential=[^/]+\/\d+\/([^/]+)\//.exec(headers.authorization ?? '')?.[1] ?? '';
}

/** Takes a token from the bucket of the first limit that matches; the limit when its bucket is empty. */
function admit(
  limits: readonly RateLimit[],
  buckets: Map<string, Bucket>,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
): RateLimit | undefined {
  const limit = limits.find((candidate) => candidate.match(method, path));
  if (!limit) return undefined;
  const capacity = limit.burst ?? limit.perSecond;
  const key = `${limit.name}\n${signedRegion(headers)}`;
  const now = performance.now();
  const bucket = buckets.get(key) ?? { tokens: capacity, refilledAt: now };
  bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.refilledAt) / 1000) * limit.perSecond);
  bucket.refilledAt = now;
  buckets.set(key, bucket);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return undefined;
  }
  return limit;
}

/**
 * Waits at least `delayMs` by the monotonic clock: a timer may fire a fraction of a millisecond
 * early, and the proxy promises a lower bound.
 */
function holdFor(delayMs: number): Promise<void> {
  const until = performance.now() + delayMs;
  return new Promise((resolve) => {
    const check = (): void => {
      const left = until - performance.now();
      if (left <= 0) resolve();
      else setTimeout(check, Math.ceil(left));
    };
    check();
  });
}

/**
 * Starts the proxy on a free loopback port. Each request is read completely, held for the delay,
 * then forwarded with its method, path, headers and body; the target's answer is streamed back.
 *
 * @example
 * const proxy = await startLatencyProxy({ target: moto.endpoint, delayMs: 50 });
 * const clients = createClients({ endpoint: proxy.endpoint });
 * await proxy.close();
 */
export async function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  const delayMs = options.delayMs ?? DEFAULT_DELAY_MS;
  if (!Number.isFinite(delayMs) || delayMs < 0) {
    throw new LatencyProxyError(`delayMs must be a number ≥ 0, got ${delayMs}`);
  }
  let target: URL;
  try {
    target = new URL(options.target);
  } catch (error) {
    throw new LatencyProxyError(`target is not a URL: ${options.target}`, { cause: error });
  }
  if (target.protocol !== 'http:')
    throw new LatencyProxyError(`target must be http://, got ${target.protocol}`);

  // Reused connections to the target: the delay is the only latency the proxy adds.
  const agent = new Agent({ keepAlive: true });
  let count = 0;
  let throttled: Record<string, number> = {};
  const limits = options.rateLimits ?? [];
  const buckets = new Map<string, Bucket>();
  const server: Server = createServer((incoming, outgoing) => {
    count += 1;
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('error', () => outgoing.destroy());
    incoming.on('end', () => {
      void holdFor(delayMs).then(() => {
        // Counted where AWS counts: when the request arrives, after the network's delay.
        const over = admit(limits, buckets, incoming.method ?? '', incoming.url ?? '', incoming.headers);
        if (over) {
          throttled[over.name] = (throttled[over.name] ?? 0) + 1;
          outgoing.writeHead(429, {
            'content-type': 'application/json',
            'x-amzn-errortype': 'TooManyRequestsException',
          });
          outgoing.end(
            JSON.stringify({ Type: 'User', message: 'Rate exceeded', Reason: 'CallerRateLimitExceeded' }),
          );
          return;
        }
        const body = Buffer.concat(chunks);
        const forwarded = request(
          {
            protocol: target.protocol,
            hostname: target.hostname,
            port: target.port,
            method: incoming.method,
            path: incoming.url,
            headers: endToEnd(incoming.headers),
            agent,
          },
          (answer) => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers));
            answer.pipe(outgoing);
          },
        );
        forwarded.on('error', (error) => {
          if (outgoing.headersSent) {
            outgoing.destroy(error);
            return;
          }
          outgoing.writeHead(502, { 'content-type': 'text/plain' });
          outgoing.end(`latency proxy: ${target.origin} did not answer: ${error.message}`);
        });
        forwarded.end(body);
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new LatencyProxyError(`cannot listen: ${error.message}`, { cause: error })),
    );
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    delayMs,
    requestCount: () => count,
    throttledCounts: () => ({ ...throttled }),
    resetCount: () => {
      count = 0;
      throttled = {};
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        agent.destroy();
      });
      return closing;
    },
  };
}
