// `aws ecs` against a test stack through the shared harness (test/helpers/aws-cli.ts): the
// stack's endpoint, its temporary dir as HOME, the test credentials. Test support only.
import {
  awsCli,
  cliErrorType,
  requireAwsCli,
  type CliResult,
} from '../../../test/helpers/aws-cli.js';
import { CREDS, type Stack } from './fixtures.js';

requireAwsCli();

export { cliErrorType, type CliResult };

/** Runs `aws ecs <args>` against the stack. */
export function awsEcs(s: Stack, args: readonly string[]): Promise<CliResult> {
  return awsCli('ecs', args, { endpoint: s.scheduler.url, home: s.dir, credentials: CREDS });
}
