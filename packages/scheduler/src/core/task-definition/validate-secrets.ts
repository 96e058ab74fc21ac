/**
 * A container's `secrets` and `repositoryCredentials` as ECS validates them at
 * RegisterTaskDefinition: each secret names an environment variable and a `valueFrom` that is
 * an SSM parameter name or ARN or a Secrets Manager ARN ("The Systems Manager parameter name
 * specified for secret X is invalid"), and a task with secrets needs an `executionRoleArn`
 * ("When you are specifying container secrets, you must also specify a value for
 * 'executionRoleArn'."). Pure: must never do I/O.
 */
import { parseValueFrom } from '../secrets/value-from.js';
import { TaskDefinitionError } from './errors.js';
import { FieldReader } from './field-reader.js';
import type { NormalizedContainerDefinition, OpaqueJson } from '@berth/protocol';
import type { Draft } from './types.js';

const ENV_NAME = /^[^=\0]{1,255}$/;

/** Reads `secrets` and `repositoryCredentials` of container reader `r` into `c`. */
export function readContainerSecrets(
  r: FieldReader,
  c: Draft<NormalizedContainerDefinition>,
): void {
  const list = r.list('secrets');
  if (list !== undefined) {
    const seen = new Set<string>();
    c.secrets = list.map((v, i): OpaqueJson => {
      const s = new FieldReader(v, r.at(`secrets[${i}]`), r.owner);
      const name = s.str('name');
      if (name === undefined || name === '') {
        r.fail(`secrets[${i}].name`, 'the secret name is required');
      }
      if (!ENV_NAME.test(name)) {
        r.fail(`secrets[${i}].name`, `'${name}' is not an environment variable name`);
      }
      if (seen.has(name)) r.fail(`secrets[${i}].name`, `the secret name ${name} is repeated`);
      seen.add(name);
      const valueFrom = s.str('valueFrom');
      if (valueFrom === undefined || valueFrom === '') {
        r.fail(`secrets[${i}].valueFrom`, 'valueFrom is required');
      }
      if (!parseValueFrom(valueFrom)) {
        throw new TaskDefinitionError(
          'ClientException',
          r.at(`secrets[${i}].valueFrom`),
          `The Systems Manager parameter name specified for secret ${name} is invalid`,
        );
      }
      return { name, valueFrom };
    });
  }
  const rc = r.child('repositoryCredentials');
  if (rc) {
    const param = rc.str('credentialsParameter');
    if (param === undefined || param === '') {
      throw new TaskDefinitionError(
        'ClientException',
        rc.at('credentialsParameter'),
        'RepositoryCredentials.credentialsParameter should not be null or empty.',
      );
    }
    if (!parseValueFrom(param)) {
      rc.fail('credentialsParameter', `'${param}' is not a secret ARN or parameter name`);
    }
    c.repositoryCredentials = { credentialsParameter: param };
  }
}

/** ECS refuses container secrets without a task execution role. */
export function checkSecretsRole(
  containers: readonly NormalizedContainerDefinition[],
  executionRoleArn: string | undefined,
): void {
  if (executionRoleArn) return;
  if (containers.some((c) => (c.secrets?.length ?? 0) > 0)) {
    throw new TaskDefinitionError(
      'ClientException',
      'executionRoleArn',
      "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
    );
  }
}
