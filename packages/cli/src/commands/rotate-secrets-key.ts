/**
 * `berth rotate-secrets-key`: asks the scheduler (signed, `BerthAdminV1.RotateSecretsKey`) to
 * put a new key first in its secrets key file, re-encrypt every SSM parameter under it and
 * retire the old keys. Prints key ids and counts, never a key or a value.
 */
import { EcsJsonClient } from '@berth/scheduler';
import type { Env } from '../commands.js';
import { runVerb, type Verb } from '../verbs/run-verb.js';

const usage = `Usage: berth rotate-secrets-key [--json]
  Re-encrypts every SSM parameter of the scheduler under a new key and retires the old ones
  (replicas on other machines need the new key file copied to them).`;

const verb: Verb = {
  name: 'rotate-secrets-key',
  usage,
  options: {},
  body: async (args, { ecs, endpoint }, io) => {
    const credentials = await ecs.config.credentials();
    const client = new EcsJsonClient({
      endpoint,
      region: await ecs.config.region(),
      credentials: {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
      },
    });
    try {
      const r = await client.call<{ KeyId: string; ReEncrypted: number; RetiredKeyIds: string[] }>(
        'BerthAdminV1.RotateSecretsKey',
        {},
      );
      if (args.json) io.out(`${JSON.stringify(r, null, 2)}\n`);
      else {
        io.out(
          `new key ${r.KeyId}: ${r.ReEncrypted} parameter(s) re-encrypted; retired ${r.RetiredKeyIds.join(', ') || 'none'}\n`,
        );
      }
      return 0;
    } finally {
      client.close();
    }
  },
};

export function run(argv: readonly string[], env: Env): Promise<number> {
  return runVerb(verb, argv, env);
}
