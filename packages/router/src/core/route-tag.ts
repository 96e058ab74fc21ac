/**
 * Turns one `urlprefix-[host]/path [k=v ...]` service tag into a `route add` command with
 * Fabio's options validated. Pure: this module must never do I/O or log; it returns errors.
 */
import type { AddCommand } from './route-command.js';
import { TagError } from '../errors.js';

/** Where a tagged instance lives. */
export interface TagTarget {
  readonly service: string;
  readonly address: string;
  readonly port: number;
  /** All tags of the instance, carried on the route for `route del/weight ... tags`. */
  readonly tags: readonly string[];
}

const HOST_RE =
  /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;
// RFC 3986 path characters, plus `*`, `?`, `[`, `]` for the glob matcher.
const PATH_RE = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?[\]]*$/;
const REDIRECT_CODES = new Set(['301', '302', '303', '307', '308']);

/** Formats `address:port` as the authority of a URL (IPv6 in brackets). */
export function authority(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function checkOpt(key: string, value: string): string | undefined {
  switch (key) {
    case 'strip':
    case 'prepend':
      return PATH_RE.test(value) ? undefined : `${key}=${value} is not a /path`;
    case 'proto':
      if (value === 'http' || value === 'https') return undefined;
      return `proto=${value} is not supported (http or https)`;
    case 'tlsskipverify':
      return value === 'true' || value === 'false' ? undefined : `tlsskipverify=${value}`;
    case 'host':
      return value === 'dst' || HOST_RE.test(value) ? undefined : `host=${value} is not a name`;
    case 'weight': {
      const w = Number(value);
      return /^\d*\.?\d+$/.test(value) && w > 0 && Number.isFinite(w)
        ? undefined
        : `weight=${value} is not a positive number`;
    }
    case 'redirect': {
      const comma = value.indexOf(',');
      const code = value.slice(0, comma);
      const url = value.slice(comma + 1);
      if (comma < 0 || !REDIRECT_CODES.has(code)) return `redirect=${value} needs <code>,<url>`;
      if (!/^https?:\/\/[^\s/]+/.test(url)) return `redirect URL ${url} is not http(s)`;
      return undefined;
    }
    default:
      return `unknown option ${key}`;
  }
}

/**
 * Parses one tag. Returns undefined when the tag does not start with `tagPrefix`; throws
 * {@link TagError} (naming the service and the tag) when it does but is malformed.
 */
export function routeFromTag(
  tag: string,
  tagPrefix: string,
  target: TagTarget,
): AddCommand | undefined {
  if (!tag.startsWith(tagPrefix)) return undefined;
  const fail = (reason: string): never => {
    throw new TagError(target.service, tag, reason);
  };
  const words = tag.slice(tagPrefix.length).trim().split(/\s+/);
  const src = words[0] ?? '';
  const slash = src.indexOf('/');
  if (slash < 0) fail('needs [host]/path');
  const host = src.slice(0, slash).toLowerCase();
  const path = src.slice(slash);
  if (host !== '' && !HOST_RE.test(host)) fail(`bad host ${JSON.stringify(host)}`);
  if (!PATH_RE.test(path)) fail(`bad path ${JSON.stringify(path)}`);
  const opts: Record<string, string> = {};
  for (const word of words.slice(1)) {
    const eq = word.indexOf('=');
    if (eq <= 0) fail(`option ${JSON.stringify(word)} is not key=value`);
    const key = word.slice(0, eq);
    const value = word.slice(eq + 1);
    if (key in opts) fail(`option ${key} given twice`);
    const err = checkOpt(key, value);
    if (err !== undefined) fail(err);
    opts[key] = value;
  }
  if (!/^[^\s"]+$/.test(target.service)) fail('service name is not a word');
  if (target.address === '' || /[\s/]/.test(target.address)) fail('instance has no address');
  if (!Number.isInteger(target.port) || target.port <= 0 || target.port > 65535) {
    fail(`instance port ${target.port} is invalid`);
  }
  let dst = `${opts.proto ?? 'http'}://${authority(target.address, target.port)}/`;
  if (opts.redirect !== undefined) {
    const comma = opts.redirect.indexOf(',');
    dst = opts.redirect.slice(comma + 1);
    opts.redirect = opts.redirect.slice(0, comma);
  }
  return {
    op: 'add',
    service: target.service,
    src: host + path,
    dst,
    tags: target.tags.filter((t) => !t.startsWith(tagPrefix) && !/[\s",]/.test(t)),
    opts,
  };
}
