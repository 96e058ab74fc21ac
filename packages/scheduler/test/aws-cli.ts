// The real AWS CLI v2 (/usr/bin/aws, Debian's awscli; the first `aws` on PATH is an old v1
// shim) as a client of a test stack: JSON output, one attempt, no config files, the test
// credentials. Test support only.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CREDS, type Stack } from './fixtures.js';

export const AWS = '/usr/bin/aws';
if (!existsSync(AWS)) throw new Error('/usr/bin/aws (Debian awscli) is required for this test');

/** What one CLI call gave: exit code, parsed JSON output (if any) and stderr. */
export interface CliResult {
  code: number;
  // The CLI's JSON output, read field by field by the tests.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  out: any;
  stderr: string;
}

/** Runs `aws ecs <args>` against the stack. */
export function awsEcs(s: Stack, args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      AWS,
      [
        'ecs',
        ...args,
        '--endpoint-url',
        s.scheduler.url,
        '--region',
        'us-east-1',
        '--no-cli-pager',
        '--output',
        'json',
      ],
      {
        env: {
          PATH: '/usr/bin:/bin',
          HOME: s.dir,
          AWS_ACCESS_KEY_ID: CREDS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey,
          AWS_CONFIG_FILE: join(s.dir, 'no-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(s.dir, 'no-credentials'),
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_MAX_ATTEMPTS: '1',
        },
        timeout: 90_000,
      },
      (err, stdout, stderr) => {
        let out: unknown;
        try {
          out = stdout ? JSON.parse(stdout) : undefined;
        } catch {
          out = stdout;
        }
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out, stderr });
      },
    );
  });
}

/** The ECS exception name of a failed CLI call ("An error occurred (X) when calling ..."). */
export function cliErrorType(r: CliResult): string | undefined {
  return /An error occurred \(([A-Za-z]+)\)/.exec(r.stderr)?.[1];
}
