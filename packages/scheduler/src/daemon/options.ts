/**
 * The config keys of `berth scheduler` (flags, environment, defaults, help): one source for the
 * command line and for `startScheduler`'s option names and defaults. Declarations only; it must
 * never read the environment or start anything itself.
 */
import { defineOptions } from '@berth/daemon';

/** The scheduler's config keys. */
export const schedulerOptions = defineOptions({
  consul: {
    type: 'url',
    env: 'CONSUL_HTTP_ADDR',
    default: 'http://127.0.0.1:8500',
    help: 'Consul (or berth catalog) HTTP address holding the durable state',
    arg: 'URL',
  },
  consulToken: { type: 'string', env: 'CONSUL_HTTP_TOKEN', help: 'Consul ACL token', arg: 'TOKEN' },
  listen: {
    type: 'listen',
    default: '127.0.0.1:8700',
    help: 'ECS-compatible API, /health and /metrics',
    arg: 'HOST:PORT',
  },
  credentials: {
    type: 'string',
    help: "AWS shared-credentials file; every profile's key pair may sign requests (SigV4). Without it, signatures are not checked",
    arg: 'FILE',
  },
  region: {
    type: 'string',
    default: 'us-east-1',
    env: 'AWS_REGION',
    help: 'Region in ARNs and SigV4 scope',
  },
  accountId: { type: 'string', default: '000000000000', help: 'Account ID in ARNs' },
  kvPrefix: { type: 'string', default: 'berth/', help: 'KV prefix of the durable state' },
  agentGrace: {
    type: 'duration',
    default: '30s',
    help: 'An agent without a poll for this long is disconnected (placement skips it)',
  },
  lostAfter: {
    type: 'duration',
    default: '2m',
    help: 'An agent disconnected this long has its tasks marked STOPPED (lost)',
  },
  advertise: {
    type: 'url',
    help: 'URL other replicas forward requests to (default http://<listen>)',
    arg: 'URL',
  },
  lockTtl: { type: 'duration', default: '10s', help: 'Session TTL of the leader lock (≥10s)' },
  leaderProbe: {
    type: 'duration',
    default: '1s',
    help: "Followers probe the leader this often; 3 failures end the dead leader's session (0 = off)",
  },
  stoppedTaskTtl: {
    type: 'duration',
    default: '1h',
    help: 'How long STOPPED tasks stay describable',
  },
  txnInFlight: { type: 'int', default: 4, help: 'KV transactions in flight at once' },
  elbEndpoint: {
    type: 'url',
    help: "ELB API endpoint for services' load balancers (default AWS's for --elb-region); credentials from the AWS chain",
    arg: 'URL',
  },
  elbRegion: { type: 'string', help: 'ELB region (default --region)' },
  deregistrationDelay: {
    type: 'duration',
    help: "Wait this long after DeregisterTargets before stopping a task (default: the target group's deregistration_delay)",
  },
  discoveryDrain: {
    type: 'duration',
    default: '2s',
    help: "Before a service's task stops: put its Consul services in maintenance, wait until the catalog no longer lists them, then this long for the routers (0: stop at once)",
  },
  scalingInterval: {
    type: 'duration',
    default: '5s',
    help: "Auto scaling's pass: metrics read, policies and scheduled actions applied this often (>0)",
  },
  secretsKey: {
    type: 'string',
    help: 'Key file of the SSM API and task secrets (AES-256-GCM keyring, created when missing; never in KV)',
    arg: 'FILE',
  },
  webhook: {
    type: 'url',
    help: 'POST every task and service event (JSON) to this URL, retried with back-off',
    arg: 'URL',
  },
});
