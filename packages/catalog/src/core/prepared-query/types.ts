/**
 * Prepared-query records and the store operations that change them. Plain JSON-serialisable
 * data only.
 */

/** The service part of a prepared query. */
export interface QueryService {
  readonly service: string;
  readonly failoverNearestN: number;
  readonly failoverDatacenters: readonly string[] | null;
  readonly onlyPassing: boolean;
  readonly ignoreCheckIds: readonly string[] | null;
  readonly near: string;
  readonly tags: readonly string[] | null;
  readonly nodeMeta: Readonly<Record<string, string>> | null;
  readonly serviceMeta: Readonly<Record<string, string>> | null;
  readonly connect: boolean;
  readonly peer: string;
}

export interface QueryRec {
  readonly id: string;
  readonly name: string;
  readonly session: string;
  /** The token the query runs with ('' = the caller's); never shown but to management. */
  readonly token: string;
  readonly service: QueryService;
  readonly dnsTtl: string;
  /** '' or 'name_prefix_match'. */
  readonly templateType: string;
  readonly templateRegexp: string;
  readonly templateRemoveEmptyTags: boolean;
  readonly createIndex: number;
  readonly modifyIndex: number;
}

export type QueryInput = Omit<QueryRec, 'createIndex' | 'modifyIndex'>;

export type QueryOp =
  | { readonly t: 'query-set'; readonly query: QueryInput; readonly create: boolean }
  | { readonly t: 'query-delete'; readonly id: string };
