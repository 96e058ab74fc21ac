/**
 * How the scaler changes a service's count: through the same `UpdateService` handler a
 * person's call reaches, so deployments, the circuit breaker, task protection and the
 * discovery drain behave as for a person's change. Must never write the service record
 * itself.
 */
import { ECS_TARGET_PREFIX } from '@berth/protocol';
import type { ApiContext } from '../api/context.js';
import { lookupAction } from '../api/dispatch.js';

/** Sets the desired count; resolves with why it was refused, or undefined when it was not. */
export async function setDesiredCount(
  ctx: ApiContext,
  target: { readonly cluster: string; readonly service: string },
  desiredCount: number,
): Promise<string | undefined> {
  const update = lookupAction(`${ECS_TARGET_PREFIX}UpdateService`);
  if (!update) throw new Error('UpdateService is not registered');
  try {
    await update.handler(ctx, { cluster: target.cluster, service: target.service, desiredCount });
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
