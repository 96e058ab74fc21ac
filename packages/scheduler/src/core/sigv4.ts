/**
 * AWS Signature Version 4 (header form) for the scheduler's ECS endpoint: `verifySigV4`
 * recomputes a request's signature from its wire form and refuses it the way AWS does
 * (UnrecognizedClientException, InvalidSignatureException, IncompleteSignatureException,
 * MissingAuthenticationTokenException, with the date-skew check), and `signSigV4` signs
 * requests for berth's own clients (the simulated agent). Pure apart from node:crypto;
 * must never log or echo a secret key.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { EcsError } from '../errors.js';

/** An access key pair. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** What verifySigV4 needs of a request, as it arrived on the wire. */
export interface SignedRequest {
  readonly method: string;
  /** Path and query as sent (`req.url`). */
  readonly url: string;
  /** Header values by lower-case name (Node's `req.headers`). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export interface VerifyOptions {
  /** Secret key by access key ID (every profile of the credentials file). */
  readonly keys: ReadonlyMap<string, string>;
  readonly region: string;
  readonly service: string;
  /** Largest accepted difference between the request's date and now (default 15 min). */
  readonly maxSkewMs?: number;
  readonly now?: number;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SKEW_MS = 15 * 60 * 1000;

const sha256Hex = (data: string | Buffer): string =>
  createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it (unreserved characters stay, everything else %XX). */
export function uriEscape(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalPath(rawPath: string): string {
  // Non-S3 services normalise the path and escape the (already escaped) wire path again.
  const segments: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  const normalized = `/${segments.join('/')}${trailing}`;
  return uriEscape(normalized).replace(/%2F/g, '/');
}

function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    if (k === 'X-Amz-Signature') continue;
    const dec = (x: string): string => {
      try {
        return decodeURIComponent(x.replace(/\+/g, ' '));
      } catch {
        return x;
      }
    };
    pairs.push([uriEscape(dec(k)), uriEscape(dec(v))]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function headerValue(headers: SignedRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(',') : v;
}

/** The canonical request of SigV4 for the given signed header names (lower case, sorted). */
export function canonicalRequest(
  method: string,
  url: string,
  headers: SignedRequest['headers'],
  signedHeaders: readonly string[],
  payloadHash: string,
): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const lines = signedHeaders.map((h) => {
    const v = headerValue(headers, h) ?? '';
    return `${h}:${v.trim().replace(/\s+/g, ' ')}\n`;
  });
  return [
    method.toUpperCase(),
    canonicalPath(path),
    canonicalQuery(query),
    lines.join(''),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secret}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

/** `20240101T000000Z` for a time in ms. */
export function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const t = Date.parse(s); // the HTTP `Date` header form
  return Number.isNaN(t) ? undefined : t;
}

const incomplete = (message: string): EcsError =>
  new EcsError('IncompleteSignatureException', message, 400);
const invalidSignature = (message: string): EcsError =>
  new EcsError('InvalidSignatureException', message, 400);

/** Splits `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`. */
function parseAuthorization(auth: string): Record<string, string> {
  const rest = auth.slice(ALGORITHM.length).trim();
  const out: Record<string, string> = {};
  for (const part of rest.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/**
 * Checks a request's SigV4 signature. Returns the access key ID that signed it; throws an
 * EcsError shaped like AWS's refusal otherwise.
 */
export function verifySigV4(req: SignedRequest, options: VerifyOptions): string {
  const auth = headerValue(req.headers, 'authorization');
  if (!auth) {
    throw new EcsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 400);
  }
  if (!auth.startsWith(`${ALGORITHM} `)) {
    throw incomplete(`Authorization header requires the '${ALGORITHM}' algorithm.`);
  }
  const parts = parseAuthorization(auth);
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((k) => !parts[k]);
  if (missing.length > 0) {
    throw incomplete(
      missing.map((k) => `Authorization header requires '${k}' parameter.`).join(' ') +
        ` Authorization=${ALGORITHM}`,
    );
  }
  const scope = (parts['Credential'] as string).split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') {
    throw incomplete(
      `Credential should be scoped to a valid region, not an empty or malformed scope.`,
    );
  }
  const [accessKeyId, scopeDate, scopeRegion, scopeService] = scope as [
    string,
    string,
    string,
    string,
  ];
  const secret = options.keys.get(accessKeyId);
  if (secret === undefined) {
    throw new EcsError(
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
      400,
    );
  }
  const signedHeaders = (parts['SignedHeaders'] as string).split(';').map((h) => h.toLowerCase());
  if (!signedHeaders.includes('host')) {
    throw incomplete(`'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.`);
  }
  const dateText = headerValue(req.headers, 'x-amz-date') ?? headerValue(req.headers, 'date');
  if (!dateText) {
    throw incomplete(
      `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.`,
    );
  }
  const at = parseAmzDate(dateText);
  if (at === undefined)
    throw incomplete(`Date must be in ISO-8601 'basic format'. Got '${dateText}'.`);
  const now = options.now ?? Date.now();
  const skew = options.maxSkewMs ?? SKEW_MS;
  if (at < now - skew) {
    throw invalidSignature(
      `Signature expired: ${amzDate(at)} is now earlier than ${amzDate(now - skew)} ` +
        `(${amzDate(now)} - ${Math.round(skew / 60000)} min.)`,
    );
  }
  if (at > now + skew) {
    throw invalidSignature(
      `Signature not yet current: ${amzDate(at)} is still later than ${amzDate(now + skew)} ` +
        `(${amzDate(now)} + ${Math.round(skew / 60000)} min.)`,
    );
  }
  if (scopeRegion !== options.region) {
    throw invalidSignature(
      `Credential should be scoped to a valid region. Expected '${options.region}', got '${scopeRegion}'.`,
    );
  }
  if (scopeService !== options.service) {
    throw invalidSignature(
      `Credential should be scoped to correct service: '${options.service}'. `,
    );
  }
  if (scopeDate !== amzDate(at).slice(0, 8)) {
    throw invalidSignature(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate(at).slice(0, 8)}', from '${dateText}'.`,
    );
  }
  const payloadHash = sha256Hex(req.body);
  const creq = canonicalRequest(req.method, req.url, req.headers, signedHeaders, payloadHash);
  const stringToSign = [
    ALGORITHM,
    dateText,
    `${scopeDate}/${scopeRegion}/${scopeService}/aws4_request`,
    sha256Hex(creq),
  ].join('\n');
  const want = createHmac('sha256', signingKey(secret, scopeDate, scopeRegion, scopeService))
    .update(stringToSign, 'utf8')
    .digest();
  const given = Buffer.from(parts['Signature'] as string, 'hex');
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw invalidSignature(
      'The request signature we calculated does not match the signature you provided. ' +
        'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return accessKeyId;
}

/** Inputs of signSigV4. */
export interface SignInput {
  readonly method: string;
  /** `host[:port]` as sent in the Host header. */
  readonly host: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | string;
  readonly credentials: AwsCredentials;
  readonly region: string;
  readonly service: string;
  readonly now?: number;
}

/**
 * The headers to add to a request so that it carries a SigV4 signature (host, x-amz-date,
 * x-amz-security-token when present, authorization). Signs every header passed.
 */
export function signSigV4(input: SignInput): Record<string, string> {
  const date = amzDate(input.now ?? Date.now());
  const day = date.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) headers[k.toLowerCase()] = v;
  headers['host'] = input.host;
  headers['x-amz-date'] = date;
  if (input.credentials.sessionToken) {
    headers['x-amz-security-token'] = input.credentials.sessionToken;
  }
  const signed = Object.keys(headers).sort();
  const body = typeof input.body === 'string' ? Buffer.from(input.body) : input.body;
  const creq = canonicalRequest(input.method, input.path, headers, signed, sha256Hex(body));
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = [ALGORITHM, date, scope, sha256Hex(creq)].join('\n');
  const key = signingKey(input.credentials.secretAccessKey, day, input.region, input.service);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  headers['authorization'] =
    `${ALGORITHM} Credential=${input.credentials.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  return headers;
}
