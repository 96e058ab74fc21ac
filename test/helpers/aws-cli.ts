/**
 * The one way tests drive the real AWS CLI v2 (/usr/bin/aws, Debian's awscli; the first `aws`
 * on PATH is an old v1 shim): `awsCli(service, args, target)` runs one call against a berth
 * endpoint with JSON output, no pager, one attempt, no config file, no instance metadata, and
 * either a key pair or a shared-credentials file. It never throws on a failed call: the result
 * carries the exit code, the parsed output and stderr, so tests assert on refusals too.
 * Test support only.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The CLI the tests drive. */
export const AWS = '/usr/bin/aws';

/** Throws (failing the test file) when the CLI is missing. */
export function requireAwsCli(): void {
  if (!existsSync(AWS)) throw new Error(`${AWS} (Debian package awscli) is required for this test`);
}

/** Where one call goes and as whom. */
export interface AwsCliTarget {
  /** `--endpoint-url`. */
  readonly endpoint: string;
  /** `--region` (default us-east-1). */
  readonly region?: string;
  /** HOME of the CLI (and where the absent config file is named): a test's temporary dir. */
  readonly home: string;
  /** A key pair, passed in the environment. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Or a shared-credentials file (its default profile signs). */
  readonly credentialsFile?: string;
  /** Kill the call after this long (default 90 s: the CLI is slow to start under load). */
  readonly timeoutMs?: number;
}

/** What one CLI call gave: exit code, parsed JSON output (if any), stdout and stderr. */
export interface CliResult {
  readonly code: number;
  // The CLI's JSON output, read field by field by the tests.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly out: any;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `aws <service> <args>` against `target`. */
export function awsCli(
  service: string,
  args: readonly string[],
  target: AwsCliTarget,
): Promise<CliResult> {
  const env: Record<string, string> = {
    PATH: '/usr/bin:/bin',
    HOME: target.home,
    AWS_CONFIG_FILE: join(target.home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: target.credentialsFile ?? join(target.home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
  };
  if (target.credentials) {
    env['AWS_ACCESS_KEY_ID'] = target.credentials.accessKeyId;
    env['AWS_SECRET_ACCESS_KEY'] = target.credentials.secretAccessKey;
  }
  const argv = [
    service,
    ...args,
    '--endpoint-url',
    target.endpoint,
    '--region',
    target.region ?? 'us-east-1',
    '--no-cli-pager',
    '--output',
    'json',
  ];
  return new Promise((resolve) => {
    execFile(AWS, argv, { env, timeout: target.timeoutMs ?? 90_000 }, (err, stdout, stderr) => {
      let out: unknown;
      try {
        out = stdout ? JSON.parse(stdout) : undefined;
      } catch {
        out = stdout;
      }
      const code = err ? ((err as { code?: unknown }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, out, stdout, stderr });
    });
  });
}

/** The exception name of a failed call ("An error occurred (X) when calling ..."). */
export function cliErrorType(r: CliResult): string | undefined {
  return /An error occurred \(([A-Za-z]+)\)/.exec(r.stderr)?.[1];
}
