/**
 * PutAccountSetting, PutAccountSettingDefault, ListAccountSettings, DeleteAccountSetting: ECS
 * account settings per IAM principal (each credentials profile signs as
 * `arn:aws:iam::<account>:user/<profile>`; the root `arn:aws:iam::<account>:root` holds the
 * account's defaults), one KV key per principal written through the fenced writer. Effective
 * value: the principal's own, else the root's, else AWS's default. The long-ARN settings can
 * only be enabled (berth always forms long ARNs); containerInsights is the default of new
 * clusters' setting. Must never write a setting of another account.
 */
import { invalidParameter } from '../errors.js';
import { optBool, optEnum, optInt, optString, reqString, type Body } from '../core/input.js';
import { paginate } from '../core/pagination.js';
import type { ApiContext, Caller, Handler } from './context.js';

/** The setting names of the CLI's ECS model. */
export const SETTING_NAMES = [
  'serviceLongArnFormat',
  'taskLongArnFormat',
  'containerInstanceLongArnFormat',
  'awsvpcTrunking',
  'containerInsights',
] as const;
type SettingName = (typeof SETTING_NAMES)[number];

/** AWS's defaults: long ARNs on (opting out ended), trunking and Container Insights off. */
const DEFAULTS: Readonly<Record<SettingName, string>> = {
  serviceLongArnFormat: 'enabled',
  taskLongArnFormat: 'enabled',
  containerInstanceLongArnFormat: 'enabled',
  awsvpcTrunking: 'disabled',
  containerInsights: 'disabled',
};

const LONG_ARN = new Set<string>([
  'serviceLongArnFormat',
  'taskLongArnFormat',
  'containerInstanceLongArnFormat',
]);

const rootOf = (ctx: ApiContext): string => `arn:aws:iam::${ctx.state.scope.accountId}:root`;

/** The principal a request acts for: `principalArn` if given (this account only), else the caller. */
function principalOf(ctx: ApiContext, body: Body, caller: Caller | undefined): string {
  const given = optString(body, 'principalArn');
  if (given === undefined) return caller?.principalArn ?? rootOf(ctx);
  const m =
    /^arn:aws[a-z-]*:iam::(\d{12}):(root|user\/[\w+=,.@/-]{1,512}|role\/[\w+=,.@/-]{1,512})$/.exec(
      given,
    );
  if (!m) throw invalidParameter(`principalArn ${given} is not a valid IAM principal ARN.`);
  if (m[1] !== ctx.state.scope.accountId) {
    throw invalidParameter('principalArn must be a principal of this account.');
  }
  return given;
}

function readValue(name: SettingName, body: Body): string {
  const value = reqString(body, 'value');
  const allowed =
    name === 'containerInsights' ? ['enabled', 'disabled', 'enhanced'] : ['enabled', 'disabled'];
  if (!allowed.includes(value)) {
    throw invalidParameter(`value must be one of ${allowed.join(', ')}, got '${value}'.`);
  }
  if (LONG_ARN.has(name) && value === 'disabled') {
    throw invalidParameter('You can no longer disable Long Arn settings.');
  }
  return value;
}

async function store(ctx: ApiContext, principal: string, settings: Record<string, string>) {
  const key = ctx.layout.accountSettings(principal);
  // The view first, so concurrent calls build on each other; answered once written.
  if (Object.keys(settings).length === 0) {
    ctx.state.accountSettings.delete(principal);
    await ctx.persist.write([{ verb: 'delete', key }]);
  } else {
    ctx.state.accountSettings.set(principal, settings);
    await ctx.persist.write([{ verb: 'set', key, value: JSON.stringify(settings) }]);
  }
}

/** The effective value of a setting for a principal, and whose setting it is. */
export function effectiveSetting(
  ctx: ApiContext,
  principal: string,
  name: SettingName,
): { value: string; principalArn: string } {
  const own = ctx.state.accountSettings.get(principal)?.[name];
  if (own !== undefined) return { value: own, principalArn: principal };
  const root = rootOf(ctx);
  return {
    value: ctx.state.accountSettings.get(root)?.[name] ?? DEFAULTS[name],
    principalArn: root,
  };
}

async function put(ctx: ApiContext, principal: string, body: Body) {
  const name = optEnum(body, 'name', SETTING_NAMES);
  if (name === undefined) throw invalidParameter('name can not be null.');
  const value = readValue(name, body);
  await store(ctx, principal, { ...ctx.state.accountSettings.get(principal), [name]: value });
  return { setting: { name, value, principalArn: principal } };
}

export const putAccountSetting: Handler = async (ctx, body, caller) =>
  put(ctx, principalOf(ctx, body, caller), body);

export const putAccountSettingDefault: Handler = async (ctx, body) => put(ctx, rootOf(ctx), body);

export const deleteAccountSetting: Handler = async (ctx, body, caller) => {
  const name = optEnum(body, 'name', SETTING_NAMES);
  if (name === undefined) throw invalidParameter('name can not be null.');
  const principal = principalOf(ctx, body, caller);
  const { [name]: removed, ...rest } = ctx.state.accountSettings.get(principal) ?? {};
  if (removed !== undefined) await store(ctx, principal, rest);
  // Nothing was set: the answer shows what holds now (ECS does not say; berth's choice).
  const value = removed ?? effectiveSetting(ctx, principal, name).value;
  return { setting: { name, value, principalArn: principal } };
};

export const listAccountSettings: Handler = async (ctx, body, caller) => {
  const name = optEnum(body, 'name', SETTING_NAMES);
  const value = optString(body, 'value');
  if (value !== undefined && name === undefined) {
    throw invalidParameter('value can only be specified together with name.');
  }
  const principal = principalOf(ctx, body, caller);
  const effective = optBool(body, 'effectiveSettings') ?? false;
  const max = optInt(body, 'maxResults', 1, 10);
  const names = name ? [name] : [...SETTING_NAMES];
  const settings: { name: string; value: string; principalArn: string }[] = [];
  for (const n of names) {
    if (effective) settings.push({ name: n, ...effectiveSetting(ctx, principal, n) });
    else {
      const own = ctx.state.accountSettings.get(principal)?.[n];
      if (own !== undefined) settings.push({ name: n, value: own, principalArn: principal });
    }
  }
  const matching = settings.filter((s) => value === undefined || s.value === value);
  const page = paginate(matching, (s) => s.name, optString(body, 'nextToken'), max, 10);
  return { settings: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
};
