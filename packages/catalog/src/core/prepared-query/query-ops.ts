/**
 * Prepared-query writes over the state (Consul's `state/prepared_query.go`): a query needs a
 * service, a unique name (templates: unique among templates, the empty name being the
 * catch-all), a live session when it names one, a DNS TTL and a template that compile; it is
 * deleted with the session it names. Never read the clock here.
 */
import { BadRequestError, StateError } from '../../errors.js';
import { parseGoDuration } from '../go-duration.js';
import { isUuid } from '../acl/acl-ops.js';
import type { Tx } from '../tx.js';
import type { QueryInput } from '../types.js';
import { compileTemplate } from './template.js';

function bad(message: string): never {
  throw new BadRequestError(message);
}

/** Checks a query definition that does not need the state (decoders call it too). */
export function validateQuery(q: QueryInput): void {
  if (q.service.service === '') bad('Must provide a Service name to query');
  if (q.name !== '' && isUuid(q.name)) bad('Query name cannot be a UUID');
  if (q.service.failoverNearestN < 0) {
    bad(`Bad NearestN '${q.service.failoverNearestN}', must be >= 0`);
  }
  if (q.dnsTtl !== '') {
    const ns = parseGoDuration(q.dnsTtl);
    if (ns === undefined) bad(`Bad DNS TTL '${q.dnsTtl}': time: invalid duration "${q.dnsTtl}"`);
    if (ns < 0) bad(`Bad DNS TTL '${q.dnsTtl}', must be >=0`);
  }
  if (q.templateType !== '' && q.templateType !== 'name_prefix_match') {
    bad(`Bad Template.Type '${q.templateType}'`);
  }
  if (q.templateType !== '') compileTemplate(q);
}

export function querySet(tx: Tx, q: QueryInput, create: boolean): void {
  validateQuery(q);
  const s = tx.state;
  const prev = s.queries.get(q.id);
  if (create && prev) bad(`Query ${JSON.stringify(q.id)} already exists`);
  if (!create && !prev)
    throw new StateError(`Cannot modify non-existent prepared query: '${q.id}'`);
  if (q.session !== '' && !s.sessions.has(q.session)) {
    throw new StateError(`Invalid session ${JSON.stringify(q.session)}`);
  }
  for (const other of s.queries.values()) {
    if (other.id === q.id) continue;
    const bothTemplates = other.templateType !== '' && q.templateType !== '';
    if (
      q.name !== '' &&
      other.name === q.name &&
      (bothTemplates || other.templateType === q.templateType)
    ) {
      throw new StateError(`Name ${JSON.stringify(q.name)} aliases an existing query name`);
    }
    if (q.templateType !== '' && q.name === '' && bothTemplates && other.name === '') {
      throw new StateError('a query template with an empty name already exists');
    }
  }
  tx.put(s.queries, q.id, {
    ...q,
    createIndex: prev?.createIndex ?? tx.index,
    modifyIndex: tx.index,
  });
  tx.table('queries');
}

export function queryDelete(tx: Tx, id: string): void {
  if (tx.drop(tx.state.queries, id)) tx.table('queries');
}

/** A session was invalidated: the queries bound to it go with it. */
export function deleteQueriesOfSession(tx: Tx, session: string): void {
  for (const q of [...tx.state.queries.values()]) if (q.session === session) queryDelete(tx, q.id);
}
