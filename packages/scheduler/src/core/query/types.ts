/**
 * The data shapes of the ECS cluster query language: the parsed expression tree and the view
 * of a container instance it is evaluated against. Plain data only; must never hold I/O or
 * behaviour beyond precompiled matchers (RegExp) built at parse time.
 */

/** Comparison operators in their symbolic form (`equals` parses to `==`, and so on). */
export type QueryOperator =
  '==' | '!=' | '>' | '>=' | '<' | '<=' | 'exists' | '!exists' | 'in' | '!in' | '=~' | '!~';

/** What a comparison looks at. */
export type QuerySubject =
  | { readonly kind: 'agentConnected' }
  | { readonly kind: 'agentVersion' }
  | { readonly kind: 'ec2InstanceId' }
  | { readonly kind: 'registeredAt' }
  | { readonly kind: 'runningTasksCount' }
  | { readonly kind: 'task:group' }
  | { readonly kind: 'attribute'; readonly name: string };

/** One literal argument, with what parsing precomputed for it. */
export interface QueryValue {
  /** The text after unquoting. */
  readonly text: string;
  /** Whether it was written in quotes (quoted values never act as `*` wildcards). */
  readonly quoted: boolean;
  /** For `=~` / `!~`: the anchored pattern; for unquoted values with `*`: the wildcard. */
  readonly pattern?: RegExp;
  /** For `runningTasksCount`: the integer. */
  readonly number?: number;
  /** For `registeredAt`: [from, to) in epoch milliseconds (a date alone covers its UTC day). */
  readonly range?: readonly [number, number];
}

/** `subject operator [argument]`. */
export interface QueryComparison {
  readonly type: 'compare';
  readonly subject: QuerySubject;
  readonly op: QueryOperator;
  /** Empty for exists / !exists, one value for most operators, a list for in / !in. */
  readonly values: readonly QueryValue[];
}

/** A node of the expression tree. */
export type QueryNode =
  | QueryComparison
  | { readonly type: 'and'; readonly terms: readonly QueryNode[] }
  | { readonly type: 'or'; readonly terms: readonly QueryNode[] }
  | { readonly type: 'not'; readonly term: QueryNode };

/** A parsed, validated cluster query. Deeply frozen. */
export interface ClusterQuery {
  /** The expression as given. */
  readonly expression: string;
  readonly root: QueryNode;
  /**
   * True when the result can change as tasks are placed (`task:group`, `runningTasksCount`),
   * so placement re-evaluates it for an instance after putting a task there.
   */
  readonly dynamic: boolean;
}

/** The container instance fields a query can look at. */
export interface QueryInstance {
  ec2InstanceId: string;
  attributes: Record<string, string>;
  /** Epoch milliseconds. */
  registeredAt: number;
  runningTasksCount: number;
  agentConnected: boolean;
  agentVersion?: string;
  status: string;
  /** The groups of the tasks on the instance (`family:web`, `service:api`, ...). */
  taskGroups: readonly string[];
}
