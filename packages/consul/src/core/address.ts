/**
 * Pure parsing of where Consul is: an explicit URL, or Consul's own CONSUL_HTTP_ADDR /
 * CONSUL_HTTP_SSL / CONSUL_HTTP_TOKEN environment variables. Must never do I/O.
 */
import { ConsulOptionError } from '../errors.js';

/** Where and how to reach Consul, after defaults and environment are applied. */
export interface ConsulAddress {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  /** `http(s)://host:port`, without a trailing slash or `/v1`. */
  readonly url: string;
  readonly token: string | undefined;
}

/** Consul's default HTTP address. */
export const DEFAULT_CONSUL_URL = 'http://127.0.0.1:8500';

/**
 * Resolve the Consul address: `url` wins over `env.CONSUL_HTTP_ADDR` (host:port or URL;
 * `CONSUL_HTTP_SSL=true` selects https for a bare host:port), which wins over
 * http://127.0.0.1:8500. `token` wins over `env.CONSUL_HTTP_TOKEN`.
 */
export function resolveConsulAddress(
  options: { url?: string | undefined; token?: string | undefined },
  env: Readonly<Record<string, string | undefined>> = {},
): ConsulAddress {
  const fromEnv = env['CONSUL_HTTP_ADDR']?.trim();
  const raw = options.url?.trim() || fromEnv || DEFAULT_CONSUL_URL;
  const what = options.url?.trim() ? 'url' : fromEnv ? 'CONSUL_HTTP_ADDR' : 'default';
  const sslEnv = (env['CONSUL_HTTP_SSL'] ?? '').toLowerCase();
  const sslDefault = sslEnv === 'true' || sslEnv === '1';
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw)
    ? raw
    : `${sslDefault ? 'https' : 'http'}://${raw}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new ConsulOptionError(`${what}: cannot parse Consul address ${JSON.stringify(raw)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConsulOptionError(
      `${what}: Consul address ${JSON.stringify(raw)} must be http(s)://host:port or host:port`,
    );
  }
  if (parsed.pathname !== '/' && parsed.pathname !== '' && parsed.pathname !== '/v1') {
    throw new ConsulOptionError(
      `${what}: Consul address ${JSON.stringify(raw)} must not carry a path other than /v1`,
    );
  }
  const secure = parsed.protocol === 'https:';
  const port = parsed.port ? Number(parsed.port) : secure ? 443 : 8500;
  // URL keeps IPv6 hosts bracketed; the http module wants them bare.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host)
    throw new ConsulOptionError(`${what}: Consul address ${JSON.stringify(raw)} has no host`);
  const token = options.token || env['CONSUL_HTTP_TOKEN'] || undefined;
  return {
    secure,
    host,
    port,
    url: `${secure ? 'https' : 'http'}://${parsed.hostname}:${port}`,
    token,
  };
}
