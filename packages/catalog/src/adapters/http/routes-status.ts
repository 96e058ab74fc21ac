/**
 * `/v1/status/*` (leader, peers: this single server, served to anyone) and `/v1/event/*`
 * (fired with event write, kept in memory, listed as far as the token may read them).
 * Nothing here is durable.
 */
import { randomUUID } from 'node:crypto';
import { keep } from '../../core/acl/acl-filter.js';
import type { Ctx, Reply } from './context.js';
import type { Route } from './route.js';

const leader = (ctx: Ctx): string => `${ctx.catalog.config.advertise}:8300`;

interface UserEvent {
  readonly ID: string;
  readonly Name: string;
  readonly Payload: string | null;
  readonly NodeFilter: string;
  readonly ServiceFilter: string;
  readonly TagFilter: string;
  readonly Version: number;
  readonly LTime: number;
}

const byCatalog = new WeakMap<object, UserEvent[]>();

function eventsOf(ctx: Ctx): UserEvent[] {
  let list = byCatalog.get(ctx.catalog);
  if (!list) byCatalog.set(ctx.catalog, (list = []));
  return list;
}

async function fire(ctx: Ctx): Promise<Reply> {
  ctx.require(ctx.authz.eventWrite(ctx.rest), 'event:write', ctx.rest);
  const body = await ctx.body();
  const events = eventsOf(ctx);
  const ev: UserEvent = {
    ID: randomUUID(),
    Name: ctx.rest,
    Payload: body.length ? body.toString('base64') : null,
    NodeFilter: ctx.get('node') ?? '',
    ServiceFilter: ctx.get('service') ?? '',
    TagFilter: ctx.get('tag') ?? '',
    Version: 1,
    LTime: events.length + 1,
  };
  events.push(ev);
  if (events.length > 256) events.shift();
  return { json: ev };
}

export const statusRoutes: readonly Route[] = [
  {
    path: '/v1/status/leader',
    methods: ['GET'],
    acl: false,
    handle: (ctx) => ({ json: leader(ctx) }),
  },
  {
    path: '/v1/status/peers',
    methods: ['GET'],
    acl: false,
    handle: (ctx) => ({ json: [leader(ctx)] }),
  },
  { path: '/v1/event/fire/', prefix: true, methods: ['PUT'], handle: fire },
  {
    path: '/v1/event/list',
    methods: ['GET'],
    handle: (ctx) => {
      const name = ctx.get('name');
      const events = eventsOf(ctx).filter((e) => !name || e.Name === name);
      const seen = keep(events, (e) => ctx.authz.eventRead(e.Name));
      return { json: seen.items, index: eventsOf(ctx).length || 1, filtered: seen.filtered };
    },
  },
];
