/**
 * UpdateCluster and UpdateClusterSettings, and the cluster fields they share with
 * CreateCluster: `settings` (containerInsights: enabled / disabled / enhanced, stored and
 * shown; berth collects no metrics for it) and `configuration` (executeCommandConfiguration,
 * validated and stored as given). Service Connect needs AWS Cloud Map: refused. Must never
 * change a cluster that is not ACTIVE.
 */
import { invalidParameter } from '../errors.js';
import type { ClusterRec } from '../state/records.js';
import {
  optEnum,
  optObject,
  optObjectList,
  optString,
  reqString,
  type Body,
} from '../core/input.js';
import { activeCluster } from './clusters.js';
import type { ApiContext, Handler } from './context.js';
import { renderCluster } from './render.js';

/** What create / update responses show of a cluster. */
export const CLUSTER_ANSWER_FIELDS = ['TAGS', 'SETTINGS', 'CONFIGURATIONS'] as const;

/** `settings`: containerInsights only, enabled / disabled / enhanced. */
export function readClusterSettings(body: Body): { name: string; value: string }[] | undefined {
  const list = optObjectList(body, 'settings');
  if (list === undefined) return undefined;
  return list.map((s, i) => {
    const name = optEnum(s, 'name', ['containerInsights'] as const, `settings[${i}].name`);
    const value = optString(s, 'value', `settings[${i}].value`);
    if (!name || value === undefined)
      throw invalidParameter(`settings[${i}] needs a name and a value.`);
    if (!['enabled', 'disabled', 'enhanced'].includes(value)) {
      throw invalidParameter(
        `settings[${i}].value must be one of enabled, disabled, enhanced, got '${value}'.`,
      );
    }
    return { name, value };
  });
}

/** `configuration.executeCommandConfiguration`, checked as ECS checks it. */
export function readClusterConfiguration(body: Body): Record<string, unknown> | undefined {
  const conf = optObject(body, 'configuration');
  if (conf === undefined) return undefined;
  const ecc = optObject(
    conf,
    'executeCommandConfiguration',
    'configuration.executeCommandConfiguration',
  );
  if (ecc) {
    const at = 'configuration.executeCommandConfiguration';
    const logging = optEnum(
      ecc,
      'logging',
      ['NONE', 'DEFAULT', 'OVERRIDE'] as const,
      `${at}.logging`,
    );
    const logConfiguration = optObject(ecc, 'logConfiguration', `${at}.logConfiguration`);
    if (logging === 'OVERRIDE' && !logConfiguration) {
      throw invalidParameter(`${at}.logConfiguration is required when logging is OVERRIDE.`);
    }
    if (logging !== 'OVERRIDE' && logConfiguration) {
      throw invalidParameter(`${at}.logConfiguration can only be given when logging is OVERRIDE.`);
    }
  }
  return conf as Record<string, unknown>;
}

/** Service Connect needs AWS Cloud Map. */
export function refuseServiceConnect(body: Body): void {
  if (optObject(body, 'serviceConnectDefaults') !== undefined) {
    throw invalidParameter('serviceConnectDefaults is not supported by berth (no AWS Cloud Map).');
  }
}

/** Stores a cluster record (fenced) and answers it as ECS does. */
export async function saveCluster(
  ctx: ApiContext,
  c: ClusterRec,
): Promise<Record<string, unknown>> {
  ctx.state.clusters.set(c.name, c);
  await ctx.persist.write([
    { verb: 'set', key: ctx.layout.cluster(c.name), value: JSON.stringify(c) },
  ]);
  return { cluster: renderCluster(ctx.state, c, CLUSTER_ANSWER_FIELDS) };
}

function mergeSettings(
  c: ClusterRec,
  settings: readonly { name: string; value: string }[],
): ClusterRec['settings'] {
  const out = new Map(c.settings.map((s) => [s.name, s.value]));
  for (const s of settings) out.set(s.name, s.value);
  return [...out].map(([name, value]) => ({ name, value }));
}

export const updateCluster: Handler = async (ctx, body) => {
  const c = activeCluster(ctx, reqString(body, 'cluster'));
  const settings = readClusterSettings(body);
  const configuration = readClusterConfiguration(body);
  refuseServiceConnect(body);
  const next: ClusterRec = {
    ...c,
    ...(settings ? { settings: mergeSettings(c, settings) } : {}),
    ...(configuration ? { configuration } : {}),
  };
  return saveCluster(ctx, next);
};

export const updateClusterSettings: Handler = async (ctx, body) => {
  const c = activeCluster(ctx, reqString(body, 'cluster'));
  const settings = readClusterSettings(body);
  if (!settings || settings.length === 0)
    throw invalidParameter('settings can not be null or empty.');
  return saveCluster(ctx, { ...c, settings: mergeSettings(c, settings) });
};
