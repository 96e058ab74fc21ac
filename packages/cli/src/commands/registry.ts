/**
 * `berth registry`: a private image registry (Debian's `docker-registry`) with a config berth
 * writes: storage under --data-dir, htpasswd auth (a user with a random password is made when
 * no --htpasswd is given), loopback by default, garbage collection on a schedule. The logic is
 * in ../registry/; this file only declares the flags.
 */
import { defineOptions, type DaemonCommand } from '@berth/daemon';
import type { Env } from '../commands.js';
import { startRegistry } from '../registry/registry-daemon.js';
import { runDaemonCommand } from '../run-daemon-command.js';

const registryOptions = defineOptions({
  listen: {
    type: 'listen',
    default: '127.0.0.1:5000',
    arg: 'HOST:PORT',
    help: 'Registry API (docker push / pull); loopback unless told otherwise',
  },
  admin: {
    type: 'listen',
    default: '127.0.0.1:5001',
    arg: 'HOST:PORT',
    help: '/health, /metrics, GET /v1/repositories, POST /v1/gc',
  },
  dataDir: {
    type: 'string',
    default: '/var/lib/berth/registry',
    arg: 'DIR',
    help: 'Images (storage/), config.yml, htpasswd and the generated credentials.json',
  },
  auth: {
    type: 'enum',
    choices: ['htpasswd', 'none'] as const,
    default: 'htpasswd',
    help: 'htpasswd (bcrypt users) or none (loopback development registries only)',
  },
  htpasswd: {
    type: 'string',
    arg: 'FILE',
    help: 'Users file (bcrypt); default <data-dir>/htpasswd, made with --user and a random password',
  },
  user: { type: 'string', default: 'berth', help: 'User made when berth writes the htpasswd file' },
  realm: { type: 'string', default: 'berth-registry', help: 'Basic-auth realm' },
  gcInterval: {
    type: 'duration',
    default: '24h',
    help: 'Collect garbage (unreferenced blobs, untagged manifests) this often; 0 = never',
  },
  binary: {
    type: 'string',
    default: '/usr/bin/docker-registry',
    arg: 'FILE',
    help: "Docker's registry (Debian package docker-registry)",
  },
});

/** The `berth registry` daemon command. */
export const command: DaemonCommand<typeof registryOptions> = {
  name: 'registry',
  summary:
    "Private image registry (Debian's docker-registry) with berth's config: storage, htpasswd auth, scheduled GC (:5000)",
  options: registryOptions,
  async start(config, ctx) {
    const running = await startRegistry({
      ...config,
      listen: `${config.listen.host}:${config.listen.port}`,
      admin: `${config.admin.host}:${config.admin.port}`,
      auth: config.auth as 'htpasswd' | 'none',
      gcIntervalMs: config.gcInterval,
      log: ctx.log,
      registry: ctx.registry,
      health: ctx.health,
    });
    ctx.log.info({ admin: running.adminUrl }, 'admin listening');
    ctx.shutdown.add('registry', () => running.close());
  },
};

export function run(argv: readonly string[], env: Env): Promise<number> {
  return runDaemonCommand(command, argv, env);
}
