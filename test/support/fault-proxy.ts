import { randomUUID } from 'node:crypto';
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback HTTP proxy in front of `moto_server` that injects the faults AWS produces in real life:
 * throttling, AccessDenied, 5xx answers, latency and dropped connections. SDK clients reach it through
 * `AWS_ENDPOINT_URL` (or a client's `endpoint`) like any other endpoint; every request is recorded with
 * its service, operation, region and target, so tests can also assert what a run asked AWS to do.
 */

/** What the proxy did to one request. */
export type Fault =
  /** The service's own throttling answer: `Throttling` (HTTP 400) for query APIs, HTTP 429 `TooManyRequestsException` for Lambda, `SlowDown` (503) for S3. */
  | { kind: 'throttle' }
  /** AccessDenied in the service's format (HTTP 403). */
  | { kind: 'access-denied' }
  | { kind: 'server-error'; status: 500 | 503 }
  /** Waits, then forwards the request. */
  | { kind: 'latency'; ms: number }
  /** Reads the request, then destroys the socket without answering. */
  | { kind: 'drop' };

/** Where a request goes, as the proxy understands it from the signature scope, the body and the path. */
export interface ObservedRequest {
  /** The signing name: `iam`, `lambda`, `sns`, `s3`, `ec2`, `sts`, `sqs`… */
  service: string;
  /** `service:Operation`, e.g. `iam:GetRole`, `lambda:ListFunctions`, `s3:PutObject`. */
  operation: string;
  region: string;
  method: string;
  /** The URL path without the query string. */
  path: string;
  /** Form parameters of query APIs (`RoleName`, `TopicArn`…) and the URL's query parameters. */
  params: Record<string, string>;
  /** What the request acts on: a role or policy, a topic, `bucket/key`, a function, or `*` for account-wide calls. */
  target: string;
}

export interface RecordedRequest extends ObservedRequest {
  /** The fault injected, if any (`latency` requests were forwarded after the wait). */
  fault?: Fault['kind'];
}

/** Which requests a rule applies to; every field given must match. */
export interface RequestMatcher {
  service?: string | string[];
  operation?: string | string[];
  region?: string;
  method?: string;
  /** Prefix of the URL path (REST APIs: Lambda, S3). */
  pathPrefix?: string;
  /** Exact values of form or query parameters, e.g. `{ RoleName: 'orders-reader' }`. */
  params?: Record<string, string>;
}

export interface FaultRule {
  match?: RequestMatcher | ((request: ObservedRequest) => boolean);
  fault: Fault;
  /** Fraction of matching requests that get the fault (default 1), drawn from the seeded generator. */
  rate?: number;
  /** Only the first `times` matching requests get the fault (counted before the rate is applied). */
  times?: number;
}

export interface FaultProxyOptions {
  /** The real endpoint, e.g. moto's `http://127.0.0.1:5000`. */
  target: string;
  rules?: FaultRule[];
  /** Seed of the generator that decides which requests get a rate-limited fault. */
  seed?: number;
}

export interface OperationStats {
  requests: number;
  faults: Partial<Record<Fault['kind'], number>>;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Replaces the rules and resets the counters of `times`; the request log is kept. */
  setRules(rules: FaultRule[], seed?: number): void;
  /** Every request seen so far, in arrival order. */
  requests(): RecordedRequest[];
  /** Requests and injected faults per operation. */
  stats(): Record<string, OperationStats>;
  /** Total injected faults, optionally of one kind, optionally only for operations matching a prefix (`'iam:'`). */
  faultCount(kind?: Fault['kind'], operationPrefix?: string): number;
  /** Forgets the request log and the counters. */
  clear(): void;
  stop(): Promise<void>;
}

/**
 * A deterministic uniform number in [0, 1) for the nth request of an operation under a rule: the
 * decision does not depend on how concurrent requests of different operations interleave.
 */
export function seededDraw(seed: number, ruleIndex: number, operation: string, index: number): number {
  let hash = (seed ^ 0x9e3779b9) >>> 0;
  const key = `${ruleIndex}\u0000${operation}\u0000${index}`;
  for (let position = 0; position < key.length; position += 1) {
    hash = Math.imul(hash ^ key.charCodeAt(position), 0x01000193) >>> 0;
  }
  // mulberry32 finaliser: spreads the FNV hash over all 32 bits.
  let value = (hash + 0x6d2b79f5) >>> 0;
  value = Math.imul(value ^ (value >>> 15), value | 1);
  value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
  return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
}

const SIGNATURE_SCOPE = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

function scopeOf(headers: IncomingHttpHeaders): { region: string; service: string } {
  const match = SIGNATURE_SCOPE.exec(String(headers.authorization ?? ''));
  return { region: match?.[1] ?? 'unknown', service: match?.[2] ?? 'unknown' };
}

/** Lambda's REST routes the tests and the auditor use; others are named by method and path. */
function lambdaOperation(method: string, path: string): { operation: string; target: string } {
  const match = /^\/\d{4}-\d{2}-\d{2}\/functions\/?([^/]*)\/?([^/]*)/.exec(path);
  if (!match) return { operation: `${method} ${path}`, target: path };
  const name = decodeURIComponent(match[1] ?? '');
  const sub = match[2] ?? '';
  if (name === '') {
    return { operation: method === 'GET' ? 'ListFunctions' : 'CreateFunction', target: '*' };
  }
  const routes: Record<string, string> = {
    'GET ': 'GetFunction',
    'DELETE ': 'DeleteFunction',
    'GET configuration': 'GetFunctionConfiguration',
    'PUT configuration': 'UpdateFunctionConfiguration',
    'PUT code': 'UpdateFunctionCode',
    'POST versions': 'PublishVersion',
    'GET versions': 'ListVersionsByFunction',
    'POST invocations': 'Invoke',
    'GET policy': 'GetPolicy',
    'POST policy': 'AddPermission',
    'GET urls': 'ListFunctionUrlConfigs',
  };
  return { operation: routes[`${method} ${sub}`] ?? `${method} ${path}`, target: name };
}

function s3Operation(
  method: string,
  path: string,
  query: URLSearchParams,
): { operation: string; target: string } {
  const [bucket = '', ...keyParts] = path.replace(/^\//, '').split('/');
  const key = keyParts.map((part) => decodeURIComponent(part)).join('/');
  const target = key ? `${bucket}/${key}` : bucket;
  // SDK v3 names object operations in the query (`?x-id=GetObject`).
  const named = query.get('x-id');
  if (named) return { operation: named, target };
  if (!key) {
    if (method === 'PUT')
      return { operation: query.size > 0 ? 'PutBucketConfiguration' : 'CreateBucket', target };
    if (method === 'GET' && query.get('list-type') === '2') return { operation: 'ListObjectsV2', target };
    if (method === 'GET')
      return { operation: query.size > 0 ? 'GetBucketConfiguration' : 'ListObjects', target };
    if (method === 'DELETE') return { operation: 'DeleteBucket', target };
    if (method === 'HEAD') return { operation: 'HeadBucket', target };
    if (method === 'POST' && query.has('delete')) return { operation: 'DeleteObjects', target };
  } else {
    const byMethod: Record<string, string> = {
      GET: 'GetObject',
      PUT: 'PutObject',
      HEAD: 'HeadObject',
      DELETE: 'DeleteObject',
    };
    if (query.size === 0 && byMethod[method]) return { operation: byMethod[method]!, target };
  }
  return { operation: `${method} ${path}${query.size > 0 ? `?${query}` : ''}`, target };
}

/** The part of a query API call that names what it acts on. */
const TARGET_PARAMS = ['RoleName', 'PolicyArn', 'TopicArn', 'UserName', 'GroupName', 'QueueUrl', 'Name'];

function observe(incoming: IncomingMessage, body: Buffer): ObservedRequest {
  const method = incoming.method ?? 'GET';
  const url = new URL(incoming.url ?? '/', 'http://proxy.invalid');
  const { region, service } = scopeOf(incoming.headers);
  const params: Record<string, string> = Object.fromEntries(url.searchParams);
  const contentType = String(incoming.headers['content-type'] ?? '');
  const jsonTarget = incoming.headers['x-amz-target'];
  let operation: string;
  let target = '*';
  if (typeof jsonTarget === 'string') {
    // JSON protocols (SQS, …): `AmazonSQS.ReceiveMessage`.
    operation = jsonTarget.slice(jsonTarget.lastIndexOf('.') + 1);
    try {
      const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      for (const [name, value] of Object.entries(parsed)) if (typeof value === 'string') params[name] = value;
    } catch {
      // not JSON: no parameters
    }
  } else if (contentType.startsWith('application/x-www-form-urlencoded')) {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) params[name] = value;
    operation = params.Action ?? `${method} ${url.pathname}`;
  } else if (service === 'lambda') {
    ({ operation, target } = lambdaOperation(method, url.pathname));
  } else if (service === 's3') {
    ({ operation, target } = s3Operation(method, url.pathname, url.searchParams));
  } else {
    operation = params.Action ?? `${method} ${url.pathname}`;
  }
  if (target === '*') {
    const named = TARGET_PARAMS.find((name) => params[name] !== undefined);
    if (named) target = params[named]!;
  }
  return {
    service,
    operation: `${service}:${operation}`,
    region,
    method,
    path: url.pathname,
    params,
    target,
  };
}

function oneOrMany(expected: string | string[] | undefined, actual: string): boolean {
  if (expected === undefined) return true;
  return Array.isArray(expected) ? expected.includes(actual) : expected === actual;
}

function matches(rule: FaultRule, observed: ObservedRequest): boolean {
  const { match } = rule;
  if (match === undefined) return true;
  if (typeof match === 'function') return match(observed);
  return (
    oneOrMany(match.service, observed.service) &&
    oneOrMany(match.operation, observed.operation) &&
    (match.region === undefined || match.region === observed.region) &&
    (match.method === undefined || match.method === observed.method) &&
    (match.pathPrefix === undefined || observed.path.startsWith(match.pathPrefix)) &&
    Object.entries(match.params ?? {}).every(([name, value]) => observed.params[name] === value)
  );
}

type ErrorKind = 'throttle' | 'access-denied' | 'server-error';

interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Services with a REST-JSON protocol: errors in a JSON body named by the `x-amzn-errortype` header. */
const REST_JSON_SERVICES = new Set(['lambda', 'securityhub']);

function errorCodeFor(kind: ErrorKind, status: number, service: string): string {
  if (kind === 'access-denied')
    return REST_JSON_SERVICES.has(service) ? 'AccessDeniedException' : 'AccessDenied';
  if (kind === 'throttle') {
    if (REST_JSON_SERVICES.has(service)) return 'TooManyRequestsException';
    if (service === 's3') return 'SlowDown';
    if (service === 'ec2') return 'RequestLimitExceeded';
    return 'Throttling';
  }
  if (service === 'lambda') return 'ServiceException';
  if (service === 'securityhub') return 'InternalException';
  return status === 503 ? 'ServiceUnavailable' : 'InternalFailure';
}

function statusFor(kind: ErrorKind, service: string, requested?: number): number {
  if (kind === 'access-denied') return 403;
  if (kind === 'server-error') return requested ?? 500;
  if (REST_JSON_SERVICES.has(service)) return 429;
  if (service === 's3') return 503;
  return 400;
}

const xmlEscape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The error answer in the wire format of the request's protocol, as the SDK's deserialisers expect. */
function errorAnswer(incoming: IncomingMessage, observed: ObservedRequest, fault: Fault): ErrorAnswer {
  const kind = fault.kind as ErrorKind;
  const status = statusFor(kind, observed.service, fault.kind === 'server-error' ? fault.status : undefined);
  const code = errorCodeFor(kind, status, observed.service);
  const message =
    kind === 'throttle'
      ? 'Rate exceeded'
      : kind === 'access-denied'
        ? `User: arn:aws:sts::123456789012:assumed-role/auditor/session is not authorized to perform: ${observed.operation} on resource: ${observed.target}`
        : 'We encountered an internal error. Please try again.';
  const requestId = randomUUID();
  const base = { 'x-amzn-requestid': requestId };
  if (typeof incoming.headers['x-amz-target'] === 'string') {
    return {
      status,
      headers: {
        ...base,
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-query-error': `${code};Sender`,
      },
      body: JSON.stringify({ __type: code, message }),
    };
  }
  if (REST_JSON_SERVICES.has(observed.service)) {
    return {
      status,
      headers: { ...base, 'content-type': 'application/json', 'x-amzn-errortype': code },
      body: JSON.stringify({
        Type: status >= 500 ? 'Service' : 'User',
        message,
        ...(kind === 'throttle' ? { Reason: 'CallerRateLimitExceeded' } : {}),
      }),
    };
  }
  if (observed.service === 's3') {
    return {
      status,
      headers: { 'x-amz-request-id': requestId, 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>${requestId}</RequestId></Error>`,
    };
  }
  if (observed.service === 'ec2') {
    return {
      status,
      headers: { 'content-type': 'text/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
    };
  }
  // IAM, SNS, STS and the other query APIs.
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return {
    status,
    headers: { ...base, 'content-type': 'text/xml' },
    body: `<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

async function readBody(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Unreferenced: a request held back for a long time does not keep the test process alive. */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Starts the proxy on a free loopback port.
 *
 * @example
 * const proxy = await startFaultProxy({ target: moto.endpoint, seed: 7, rules: [
 *   { match: { service: ['iam', 'lambda'] }, rate: 0.3, fault: { kind: 'throttle' } },
 * ] });
 * process.env.AWS_ENDPOINT_URL = proxy.endpoint;
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const upstream = new Agent({ keepAlive: true });
  let rules = options.rules ?? [];
  let seed = options.seed ?? 1;
  let log: RecordedRequest[] = [];
  let perOperation = new Map<string, OperationStats>();
  /** Matching requests seen per rule and operation, for `times` and the seeded draws. */
  let seen = new Map<string, number>();
  const sockets = new Set<Socket>();

  const decide = (observed: ObservedRequest): Fault | undefined => {
    for (const [index, rule] of rules.entries()) {
      if (!matches(rule, observed)) continue;
      const ruleCount = seen.get(`${index}`) ?? 0;
      seen.set(`${index}`, ruleCount + 1);
      if (rule.times !== undefined && ruleCount >= rule.times) continue;
      const operationKey = `${index}\u0000${observed.operation}`;
      const operationCount = seen.get(operationKey) ?? 0;
      seen.set(operationKey, operationCount + 1);
      const rate = rule.rate ?? 1;
      if (rate >= 1 || seededDraw(seed, index, observed.operation, operationCount) < rate) return rule.fault;
    }
    return undefined;
  };

  const forward = (incoming: IncomingMessage, outgoing: ServerResponse, body: Buffer): void => {
    const proxied = request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
        agent: upstream,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    proxied.on('error', (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`fault proxy: upstream error ${error.message}`);
    });
    proxied.end(body);
  };

  const server = createServer((incoming, outgoing) => {
    void (async () => {
      const body = await readBody(incoming);
      const observed = observe(incoming, body);
      const fault = decide(observed);
      const stats = perOperation.get(observed.operation) ?? { requests: 0, faults: {} };
      stats.requests += 1;
      if (fault) stats.faults[fault.kind] = (stats.faults[fault.kind] ?? 0) + 1;
      perOperation.set(observed.operation, stats);
      log.push(fault ? { ...observed, fault: fault.kind } : observed);
      if (!fault) return forward(incoming, outgoing, body);
      switch (fault.kind) {
        case 'latency':
          await sleep(fault.ms);
          // The client may have given up waiting (an aborted request): nothing to forward then.
          if (incoming.socket.destroyed) return;
          return forward(incoming, outgoing, body);
        case 'drop':
          incoming.socket.destroy();
          return;
        default: {
          const answer = errorAnswer(incoming, observed, fault);
          outgoing.writeHead(answer.status, {
            ...answer.headers,
            'content-length': String(Buffer.byteLength(answer.body)),
          });
          outgoing.end(answer.body);
        }
      }
    })().catch((error: unknown) => {
      if (!outgoing.headersSent) outgoing.writeHead(500, { 'content-type': 'text/plain' });
      outgoing.end(`fault proxy failed: ${String(error)}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    setRules(next, nextSeed) {
      rules = next;
      if (nextSeed !== undefined) seed = nextSeed;
      seen = new Map();
    },
    requests: () => [...log],
    stats: () =>
      Object.fromEntries(
        [...perOperation].map(([operation, stats]) => [operation, { ...stats, faults: { ...stats.faults } }]),
      ),
    faultCount(kind, operationPrefix) {
      let total = 0;
      for (const [operation, stats] of perOperation) {
        if (operationPrefix !== undefined && !operation.startsWith(operationPrefix)) continue;
        for (const [faultKind, count] of Object.entries(stats.faults)) {
          if (kind === undefined || faultKind === kind) total += count;
        }
      }
      return total;
    },
    clear() {
      log = [];
      perOperation = new Map();
      seen = new Map();
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      upstream.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
