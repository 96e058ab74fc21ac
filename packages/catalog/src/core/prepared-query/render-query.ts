/**
 * Prepared queries in Consul's JSON shape (structs.PreparedQuery): unset lists and maps are
 * `null`, as Go encodes them, and the query's Token is `<hidden>` to all but management
 * tokens. Only how a query looks on the wire is decided here.
 */
import type { QueryRec, QueryService } from '../types.js';

export function renderQueryService(s: QueryService): Record<string, unknown> {
  return {
    Service: s.service,
    Failover: {
      NearestN: s.failoverNearestN,
      Datacenters: s.failoverDatacenters ? [...s.failoverDatacenters] : null,
      Targets: null,
    },
    OnlyPassing: s.onlyPassing,
    IgnoreCheckIDs: s.ignoreCheckIds ? [...s.ignoreCheckIds] : null,
    Near: s.near,
    Tags: s.tags ? [...s.tags] : null,
    NodeMeta: s.nodeMeta ? { ...s.nodeMeta } : null,
    ServiceMeta: s.serviceMeta ? { ...s.serviceMeta } : null,
    Peer: s.peer,
    Connect: { Enabled: s.connect },
  };
}

export function renderQuery(
  q: QueryRec,
  showToken: boolean,
  service: QueryService = q.service,
): Record<string, unknown> {
  return {
    ID: q.id,
    Name: q.name,
    Session: q.session,
    Token: q.token !== '' && !showToken ? '<hidden>' : q.token,
    Template: {
      Type: q.templateType,
      Regexp: q.templateRegexp,
      RemoveEmptyTags: q.templateRemoveEmptyTags,
    },
    Service: renderQueryService(service),
    DNS: { TTL: q.dnsTtl },
    CreateIndex: q.createIndex,
    ModifyIndex: q.modifyIndex,
  };
}
