// Differential fuzz of the router's HTTP/1.x parsing against llhttp, node:http's own parser,
// used here only as the oracle (issue 13). Seeded generated and mutated request heads with
// their bodies (chunked included), then response heads. Invariants: whatever llhttp rejects,
// the router rejects; where both accept, method, target, version, header list, keep-alive,
// upgrade and the body (so the framing) agree, message by message.
import t from 'tap';
import { createRequire } from 'node:module';
import { parseRequestHead, type RequestHead } from '../../src/core/request-head.js';
import { parseResponseHead } from '../../src/core/response-head.js';
import { ChunkedScanner } from '../../src/core/chunked.js';
import { RequestError } from '../../src/errors.js';
import { Gen, rng, request, response, mutate } from './http-fuzz-gen.js';

const REQUESTS = 100_000;
const RESPONSES = 30_000;
const SEED = Number(process.env.BERTH_FUZZ_SEED ?? 0x13b3a7);
const MAX_HEAD = 16 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n');

interface Oracle {
  HTTPParser: {
    new (): OracleParser;
    REQUEST: number;
    RESPONSE: number;
    kOnMessageBegin: number;
    kOnHeaders: number;
    kOnHeadersComplete: number;
    kOnBody: number;
    kOnMessageComplete: number;
  };
  methods: string[];
}
interface OracleParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(b: Buffer): number | (Error & { code: string });
  finish(): undefined | (Error & { code: string });
  [k: number]: unknown;
}
const { HTTPParser, methods } = createRequire(import.meta.url)('_http_common') as Oracle;

/** One message as either side saw it. */
interface Message {
  method?: string;
  target?: string;
  status?: number;
  minor: number;
  headers: string[];
  keepAlive: boolean;
  upgrade: boolean;
  body: string;
}

interface OracleResult {
  error: string | undefined;
  begins: number;
  complete: boolean;
  msg: Message | undefined;
}

const parser = new HTTPParser();
let cur: { msg: Message | undefined; begins: number; complete: boolean; pending: string[] };
parser[HTTPParser.kOnMessageBegin] = () => {
  cur.begins++;
  cur.pending = [];
};
parser[HTTPParser.kOnHeaders] = (h: string[]) => {
  // more than 32 fields before the head ends, or trailers after the body
  if (cur.msg === undefined) cur.pending.push(...h);
};
parser[HTTPParser.kOnHeadersComplete] = (
  major: number,
  minor: number,
  headers: string[] | undefined,
  method: number | undefined,
  url: string | undefined,
  status: number | undefined,
  _msg: unknown,
  upgrade: boolean,
  keepAlive: boolean,
) => {
  cur.msg = {
    ...(method !== undefined ? { method: methods[method] } : {}),
    ...(url !== undefined ? { target: url } : {}),
    ...(status !== undefined ? { status } : {}),
    minor: major === 1 ? minor : -1,
    headers: [...cur.pending, ...(headers ?? [])],
    keepAlive,
    upgrade,
    body: '',
  };
  return 0;
};
parser[HTTPParser.kOnBody] = (b: Buffer) => {
  if (cur.msg !== undefined) cur.msg.body += b.toString('latin1');
};
parser[HTTPParser.kOnMessageComplete] = () => {
  cur.complete = true;
};

function llhttp(type: number, bytes: Buffer, eof: boolean): OracleResult {
  cur = { msg: undefined, begins: 0, complete: false, pending: [] };
  parser.initialize(type, {}, 0, 0);
  let r: unknown = parser.execute(bytes);
  if (!(r instanceof Error) && eof) r = parser.finish();
  const error = r instanceof Error ? (r as Error & { code: string }).code : undefined;
  return { error, begins: cur.begins, complete: cur.complete, msg: cur.msg };
}

type Ours =
  | { kind: 'reject' }
  | { kind: 'incomplete' }
  | { kind: 'accept'; msg: Message; end: number; eof: boolean };

function decode(
  scanner: ChunkedScanner,
  bytes: Buffer,
  start: number,
): { end: number; body: string } {
  let body = '';
  const end = scanner.scan(bytes, start, {
    chunkData: (b, s, e) => (body += b.toString('latin1', s, e)),
  });
  return { end, body };
}

/** The router's view: client-conn's head framing, the parser, the body framing. */
function ourRequest(bytes: Buffer): Ours {
  let i = 0;
  while (i + 1 < bytes.length && bytes[i] === 13 && bytes[i + 1] === 10) i += 2;
  const end = bytes.indexOf(CRLF2, i);
  if (end < 0) return { kind: bytes.length - i > MAX_HEAD ? 'reject' : 'incomplete' };
  if (end - i > MAX_HEAD) return { kind: 'reject' };
  let head: RequestHead;
  const fields: string[] = [];
  try {
    head = parseRequestHead(bytes.toString('latin1', i, end), fields);
  } catch (err) {
    if (err instanceof RequestError) return { kind: 'reject' };
    throw err;
  }
  const msg: Message = {
    method: head.method,
    target: head.target,
    minor: head.minor,
    headers: fields,
    keepAlive: head.keepAlive,
    upgrade: head.upgrade !== undefined,
    body: '',
  };
  let bodyEnd = end + 4;
  if (head.upgrade !== undefined) return { kind: 'accept', msg, end: bodyEnd, eof: false };
  if (head.chunked) {
    try {
      const d = decode(new ChunkedScanner(), bytes, bodyEnd);
      if (d.end < 0) return { kind: 'incomplete' };
      msg.body = d.body;
      bodyEnd = d.end;
    } catch {
      return { kind: 'reject' };
    }
  } else if (head.contentLength > 0) {
    if (bytes.length < bodyEnd + head.contentLength) return { kind: 'incomplete' };
    msg.body = bytes.toString('latin1', bodyEnd, bodyEnd + head.contentLength);
    bodyEnd += head.contentLength;
  }
  return { kind: 'accept', msg, end: bodyEnd, eof: false };
}

/** The router's view of a response (to a GET): parser, then the relay's framing. */
function ourResponse(bytes: Buffer): Ours {
  const end = bytes.indexOf(CRLF2);
  if (end < 0) return { kind: bytes.length > MAX_HEAD ? 'reject' : 'incomplete' };
  if (end > MAX_HEAD) return { kind: 'reject' };
  const fields: string[] = [];
  const res = parseResponseHead(bytes.toString('latin1', 0, end), fields);
  if (res === undefined) return { kind: 'reject' };
  const s = res.status;
  const noBody = s < 200 || s === 204 || s === 304;
  const untilClose = !noBody && !res.chunked && res.contentLength < 0;
  const msg: Message = {
    status: s,
    minor: res.minor,
    headers: fields,
    keepAlive: res.keepAlive && !untilClose,
    // a 101 is a tunnel only after an upgrade request: not a property of the response
    upgrade: false,
    body: '',
  };
  let bodyEnd = end + 4;
  if (noBody) return { kind: 'accept', msg, end: bodyEnd, eof: false };
  if (res.chunked) {
    try {
      const d = decode(new ChunkedScanner(), bytes, bodyEnd);
      if (d.end < 0) return { kind: 'incomplete' };
      msg.body = d.body;
      bodyEnd = d.end;
    } catch {
      return { kind: 'reject' };
    }
  } else if (res.contentLength >= 0) {
    if (bytes.length < bodyEnd + res.contentLength) return { kind: 'incomplete' };
    msg.body = bytes.toString('latin1', bodyEnd, bodyEnd + res.contentLength);
    bodyEnd += res.contentLength;
  } else {
    msg.body = bytes.toString('latin1', bodyEnd);
    return { kind: 'accept', msg, end: bytes.length, eof: true };
  }
  return { kind: 'accept', msg, end: bodyEnd, eof: false };
}

interface Tally {
  cases: number;
  bothAccept: number;
  oursStricter: number;
  incomplete: number;
  failures: string[];
}

function fail(tally: Tally, what: string, input: Buffer, detail: unknown): void {
  // BERTH_FUZZ_DUMP=1 prints every disagreement (the assertion keeps ten)
  if (process.env.BERTH_FUZZ_DUMP)
    console.error(what, JSON.stringify(input.toString('latin1')), JSON.stringify(detail));
  if (tally.failures.length < 10) {
    tally.failures.push(
      `${what}: ${JSON.stringify(input.toString('latin1'))} ${JSON.stringify(detail)}`,
    );
  }
}

/** Compares one input message by message (pipelined rest included, a few deep). */
function compare(tally: Tally, type: number, input: Buffer, depth = 0): void {
  const ours = type === HTTPParser.REQUEST ? ourRequest(input) : ourResponse(input);
  if (ours.kind === 'incomplete') {
    tally.incomplete++;
    return;
  }
  if (ours.kind === 'reject') {
    if (depth === 0 && llhttp(type, input, false).error === undefined) tally.oursStricter++;
    return;
  }
  const o = llhttp(type, input.subarray(0, ours.end), ours.eof);
  if (o.error !== undefined)
    return fail(tally, 'llhttp rejects what the router accepts', input, o.error);
  if (o.msg === undefined || o.begins !== 1 || (!o.complete && !ours.msg.upgrade)) {
    return fail(tally, 'the message ends elsewhere for llhttp', input, {
      begins: o.begins,
      complete: o.complete,
    });
  }
  const want = { ...o.msg };
  const got = { ...ours.msg };
  if (type === HTTPParser.RESPONSE) want.upgrade = false;
  // llhttp also upgrades HTTP/1.0; the router never does (and then forwards no Upgrade)
  if (want.upgrade && !got.upgrade && got.minor === 0) want.upgrade = false;
  const upgraded = got.upgrade || o.msg.upgrade;
  if (upgraded) {
    // after an upgrade the bytes are no longer HTTP: only the heads are compared
    want.body = '';
    got.body = '';
  }
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    return fail(tally, 'llhttp and the router disagree', input, { router: got, llhttp: want });
  }
  tally.bothAccept++;
  const rest = input.subarray(ours.end);
  if (depth < 2 && !upgraded && rest.length > 0) compare(tally, type, rest, depth + 1);
}

function run(type: number, n: number, make: (g: Gen) => string, seed: number): Tally {
  // most refusals are thrown errors: their stack traces would cost more than the parsing
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return runCases(type, n, make, seed);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function runCases(type: number, n: number, make: (g: Gen) => string, seed: number): Tally {
  const g = new Gen(rng(seed));
  const tally: Tally = { cases: 0, bothAccept: 0, oursStricter: 0, incomplete: 0, failures: [] };
  for (let i = 0; i < n; i++) {
    const base = make(g);
    // mostly as generated, a third mutated; a few pipelined pairs
    let text = g.chance(0.67) ? base : mutate(g, base);
    if (g.chance(0.05)) text += make(g);
    tally.cases++;
    compare(tally, type, Buffer.from(text, 'latin1'));
  }
  return tally;
}

const cpuMs = (since: NodeJS.CpuUsage): string => {
  const d = process.cpuUsage(since);
  return ((d.user + d.system) / 1000).toFixed(0);
};

t.test('request heads and bodies: the router never accepts what llhttp rejects', async (t) => {
  const cpu = process.cpuUsage();
  const tally = run(HTTPParser.REQUEST, REQUESTS, request, SEED);
  t.comment(
    `${tally.cases} requests (seed ${SEED}) in ${cpuMs(cpu)} ms of CPU: ` +
      `${tally.bothAccept} messages accepted by both, ${tally.oursStricter} refused by the ` +
      `router only, ${tally.incomplete} incomplete`,
  );
  t.same(tally.failures, [], 'no disagreement');
  t.ok(tally.bothAccept > REQUESTS / 4, 'a good share of the cases are valid messages');
});

t.test('response heads and bodies: the router never accepts what llhttp rejects', async (t) => {
  const cpu = process.cpuUsage();
  const tally = run(HTTPParser.RESPONSE, RESPONSES, response, SEED + 1);
  t.comment(
    `${tally.cases} responses in ${cpuMs(cpu)} ms of CPU: ` +
      `${tally.bothAccept} accepted by both, ${tally.oursStricter} refused by the router only`,
  );
  t.same(tally.failures, [], 'no disagreement');
  t.ok(tally.bothAccept > RESPONSES / 4, 'a good share of the cases are valid messages');
});
