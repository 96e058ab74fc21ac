// Test fixtures: a catalog and a scheduler in-process on port 0, a temp credentials file,
// an AWS SDK ECS client and berth's JSON client pointed at them.
import { eventually } from '@berth/daemon/testing';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import { startCatalog, type RunningCatalog } from '@berth/catalog';
import { startScheduler, type RunningScheduler, type StartSchedulerOptions } from '../src/index.js';
import { EcsJsonClient } from '../src/testing/ecs-json-client.js';

export const CREDS = {
  accessKeyId: 'AKIDBERTHTEST0001',
  secretAccessKey: 'berth/test/secret+key0000000000000000001',
};
export const CREDS2 = {
  accessKeyId: 'AKIDBERTHTEST0002',
  secretAccessKey: 'berth/test/secret+key0000000000000000002',
};

export interface Stack {
  catalog: RunningCatalog;
  scheduler: RunningScheduler;
  dir: string;
  credentialsFile: string;
  sdk: ECSClient;
  json: EcsJsonClient;
  close(): Promise<void>;
}

export async function writeCredentials(dir: string): Promise<string> {
  const file = join(dir, 'credentials');
  await writeFile(
    file,
    `[default]\naws_access_key_id = ${CREDS.accessKeyId}\naws_secret_access_key = ${CREDS.secretAccessKey}\n\n` +
      `[profile other]\naws_access_key_id = ${CREDS2.accessKeyId}\naws_secret_access_key = ${CREDS2.secretAccessKey}\n`,
  );
  return file;
}

export async function startStack(opts: Partial<StartSchedulerOptions> = {}): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-sched-'));
  const credentialsFile = await writeCredentials(dir);
  const catalog = await startCatalog({ listen: '127.0.0.1:0', sessionTtlMultiplier: 1 });
  const scheduler = await startScheduler({
    consul: catalog.url,
    listen: '127.0.0.1:0',
    credentials: credentialsFile,
    ...opts,
  });
  await eventually('scheduler.replica.isLeader', () => scheduler.replica.isLeader, {
    timeoutMs: 10_000,
  });
  const sdk = new ECSClient({
    endpoint: scheduler.url,
    region: 'us-east-1',
    credentials: CREDS,
    maxAttempts: 1,
  });
  const json = new EcsJsonClient({ endpoint: scheduler.url, credentials: CREDS });
  return {
    catalog,
    scheduler,
    dir,
    credentialsFile,
    sdk,
    json,
    async close() {
      sdk.destroy();
      json.close();
      await scheduler.close();
      await catalog.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A small valid task definition. */
export function webTaskDef(family = 'web', extra: Record<string, unknown> = {}) {
  return {
    family,
    containerDefinitions: [
      {
        name: 'web',
        image: 'berth-test/busybox',
        cpu: 256,
        memory: 128,
        essential: true,
        portMappings: [{ containerPort: 80, hostPort: 0 }],
      },
    ],
    ...extra,
  };
}
