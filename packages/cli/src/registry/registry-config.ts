/**
 * The configuration berth writes for Docker's registry (Debian's `docker-registry`, the
 * distribution v2 server): filesystem storage under the data dir, deletes enabled (so garbage
 * collection can reclaim space), htpasswd auth or none, JSON logs, the listen address (loopback
 * by default) and a health check of the storage driver. Pure: text in, text out.
 */
import { stringify } from 'yaml';

/** What the config depends on. */
export interface RegistryConfigInput {
  /** `host:port` the registry listens on. */
  readonly listen: string;
  /** Root of the blob and manifest storage. */
  readonly storageDir: string;
  /** htpasswd file (bcrypt entries); undefined: no authentication. */
  readonly htpasswd: string | undefined;
  readonly realm: string;
  /** Secret the registry signs upload state with (random per data dir). */
  readonly httpSecret: string;
  /** Read-only while garbage collection runs. */
  readonly readOnly?: boolean;
}

/** The registry's config.yml text. */
export function registryConfig(o: RegistryConfigInput): string {
  const config = {
    version: 0.1,
    log: { level: 'info', formatter: 'json', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: o.storageDir },
      delete: { enabled: true },
      cache: { blobdescriptor: 'inmemory' },
      maintenance: {
        uploadpurging: { enabled: true, age: '168h', interval: '24h', dryrun: false },
        readonly: { enabled: o.readOnly === true },
      },
    },
    http: {
      addr: o.listen,
      secret: o.httpSecret,
      headers: { 'X-Content-Type-Options': ['nosniff'] },
    },
    ...(o.htpasswd ? { auth: { htpasswd: { realm: o.realm, path: o.htpasswd } } } : {}),
    health: { storagedriver: { enabled: true, interval: '10s', threshold: 3 } },
  };
  return stringify(config);
}

/** Parses `garbage-collect --dry-run`'s summary: blobs and manifests it would delete. */
export function parseGcSummary(text: string): { blobs: number; manifests: number } | undefined {
  const m = /(\d+) blobs marked, (\d+) blobs and (\d+) manifests eligible for deletion/.exec(text);
  return m ? { blobs: Number(m[2]), manifests: Number(m[3]) } : undefined;
}
