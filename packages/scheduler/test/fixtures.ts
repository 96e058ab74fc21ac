// Test fixtures: a catalog and a scheduler in-process on port 0, a temp credentials file,
// an AWS SDK ECS client and berth's JSON client pointed at them. Every client reaches the
// scheduler through a recording proxy (the scheduler advertises it, so forwarded requests
// pass it too), and close() fails when any ECS answer breaks the CLI's botocore output
// shapes (issue 18: a strict client must see only ECS's members and types).
import { eventually } from '@berth/daemon/testing';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import { startCatalog, type RunningCatalog } from '@berth/catalog';
import { startScheduler, type RunningScheduler, type StartSchedulerOptions } from '../src/index.js';
import { EcsJsonClient } from '../src/client/ecs-json-client.js';
import { ResponseRecorder } from './response-recorder.js';

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
  /** The scheduler, its `url` being the recording proxy's. */
  scheduler: RunningScheduler;
  /** The answers recorded so far (checked against botocore's shapes at close()). */
  recorder: ResponseRecorder;
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
  const recorder = await ResponseRecorder.start();
  const real = await startScheduler({
    consul: catalog.url,
    listen: '127.0.0.1:0',
    credentials: credentialsFile,
    advertise: recorder.url,
    ...opts,
  });
  recorder.target = real.url;
  const scheduler: RunningScheduler = { ...real, url: recorder.url };
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
    recorder,
    dir,
    credentialsFile,
    sdk,
    json,
    async close() {
      sdk.destroy();
      json.close();
      await scheduler.close();
      await recorder.close();
      await catalog.close();
      await rm(dir, { recursive: true, force: true });
      const faults = recorder.faults();
      if (faults.length > 0) {
        throw new Error(
          `${faults.length} answers break botocore's ECS output shapes:\n  ${faults.join('\n  ')}`,
        );
      }
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
