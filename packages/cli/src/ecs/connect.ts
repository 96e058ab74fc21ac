/**
 * How the user verbs reach the scheduler: endpoint from `--endpoint`, `BERTH_ENDPOINT` or the
 * dev file; credentials from the AWS environment or the dev file's credentials file. It only
 * builds a client; it never sends a request itself.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';
import type { Env } from '../commands.js';
import { berthHome, type DevFile, parseDefaultProfile, readDevFile } from '../dev/dev-files.js';
import { CliError } from '../errors.js';

/** A connected verb: the client, its cluster and what `berth dev` said about itself. */
export interface Connection {
  readonly ecs: ECSClient;
  readonly endpoint: string;
  readonly cluster: string;
  readonly dev: DevFile | undefined;
}

/**
 * An ECS client for berth's scheduler. The SDK's Node-version notice (it wants Node 22 from
 * 2027) is turned off: berth supports Node 20 and the notice would land in every table.
 */
export function ecsClient(config: ECSClientConfig): ECSClient {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new ECSClient({ maxAttempts: 2, ...config });
}

/** The flags every verb accepts. */
export interface ConnectFlags {
  readonly endpoint?: string | undefined;
  readonly cluster?: string | undefined;
  readonly region?: string | undefined;
  readonly devFile?: string | undefined;
}

/** Builds the ECS client; throws CliError(`NO_ENDPOINT` / `NO_CREDENTIALS`) with what to do. */
export async function connect(flags: ConnectFlags, env: Env): Promise<Connection> {
  const devPath = flags.devFile ?? env.BERTH_DEV_FILE ?? join(berthHome(env), 'dev.json');
  const dev = await readDevFile(devPath);
  const endpoint = flags.endpoint ?? env.BERTH_ENDPOINT ?? dev?.endpoint;
  if (!endpoint) {
    throw new CliError(
      'NO_ENDPOINT',
      `no scheduler endpoint: start 'berth dev', or pass --endpoint URL (or BERTH_ENDPOINT); looked for ${devPath}`,
    );
  }
  const region =
    flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? dev?.region ?? 'us-east-1';
  let credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  } else {
    const file = dev?.credentialsFile ?? env.AWS_SHARED_CREDENTIALS_FILE;
    const text = file ? await readFile(file, 'utf8').catch(() => undefined) : undefined;
    const pair = text === undefined ? undefined : parseDefaultProfile(text);
    if (!pair) {
      throw new CliError(
        'NO_CREDENTIALS',
        'no credentials: set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or start berth dev (it writes a credentials file)',
      );
    }
    credentials = { accessKeyId: pair.id, secretAccessKey: pair.secret };
  }
  const ecs = ecsClient({ endpoint, region, credentials });
  return { ecs, endpoint, cluster: flags.cluster ?? dev?.cluster ?? 'default', dev };
}
