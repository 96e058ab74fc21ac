/**
 * Every route of the `/v1` API, in one list for the server to index. Data only.
 */
import type { Route } from './route.js';
import { aclRoutes } from './routes-acl.js';
import { aclMiscRoutes } from './routes-acl-misc.js';
import { agentRoutes } from './routes-agent.js';
import { agentSelfRoutes } from './routes-agent-self.js';
import { catalogRoutes } from './routes-catalog.js';
import { healthRoutes } from './routes-health.js';
import { kvRoutes } from './routes-kv.js';
import { operatorRoutes } from './routes-operator.js';
import { queryRoutes } from './routes-query.js';
import { sessionRoutes } from './routes-session.js';
import { statusRoutes } from './routes-status.js';
import { txnRoutes } from './routes-txn.js';

export const ROUTES: readonly Route[] = [
  ...kvRoutes,
  ...agentRoutes,
  ...agentSelfRoutes,
  ...catalogRoutes,
  ...healthRoutes,
  ...sessionRoutes,
  ...txnRoutes,
  ...statusRoutes,
  ...aclRoutes,
  ...aclMiscRoutes,
  ...queryRoutes,
  ...operatorRoutes,
];
