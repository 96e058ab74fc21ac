/**
 * The options of `berth dns`, one definition per key (flags, env, defaults, help). The keys
 * that configure the responder are named as startDns's options, so the command passes the
 * config through instead of copying fields; `admin`, `maxStale` and `workers` are the
 * daemon's own.
 * Must never read process.env or argv itself.
 */
import { defineOptions, type ConfigOf } from '@berth/daemon';

/** Every option of `berth dns`. */
export const dnsOptions = defineOptions({
  consul: {
    type: 'url',
    default: 'http://127.0.0.1:8500',
    env: 'CONSUL_HTTP_ADDR',
    help: 'Consul (or berth catalog) HTTP address',
    arg: 'URL',
  },
  consulToken: {
    type: 'string',
    env: 'CONSUL_HTTP_TOKEN',
    help: 'Consul ACL token',
    arg: 'TOKEN',
  },
  listen: {
    type: 'listen',
    multiple: true,
    default: ['127.0.0.1:8600'],
    help: 'UDP and TCP address to answer on (repeatable)',
    arg: 'HOST:PORT',
  },
  admin: {
    type: 'listen',
    default: '127.0.0.1:8601',
    help: 'HTTP address of /health and /metrics',
    arg: 'HOST:PORT',
  },
  domain: { type: 'string', default: 'consul', help: 'Domain served', arg: 'DOMAIN' },
  altDomain: { type: 'string', help: 'A second domain served alike', arg: 'DOMAIN' },
  recursor: {
    type: 'string',
    multiple: true,
    help: 'Upstream resolver IP[:PORT] for other names, tried in order (repeatable); none: REFUSED',
    arg: 'ADDR',
  },
  recursorTimeout: {
    type: 'duration',
    default: '2s',
    help: 'Timeout of one attempt (UDP or TCP) at one recursor',
  },
  onlyPassing: {
    type: 'boolean',
    default: false,
    help: 'Serve only instances whose checks all pass (warning excludes too)',
  },
  serviceTtl: {
    type: 'string',
    multiple: true,
    help: "TTL of a service's answers: NAME=SECONDS, NAME*=SECONDS (prefix) or *=SECONDS (repeatable)",
    arg: 'NAME=SECONDS',
  },
  nodeTtl: {
    type: 'int',
    default: 0,
    help: 'TTL of node, addr and PTR answers, seconds',
    arg: 'SECONDS',
  },
  aRecordLimit: {
    type: 'int',
    default: 0,
    help: 'Most A/AAAA records per answer after rotation (0: all that fit)',
    arg: 'N',
  },
  nodeMetaTxt: {
    type: 'boolean',
    default: true,
    help: 'Node metadata as TXT in the additional section of node and SRV answers (--no-node-meta-txt: off)',
  },
  tcpIdleTimeout: {
    type: 'duration',
    default: '10s',
    help: 'Close a TCP connection with nothing going on (no query arriving or pending) this long',
  },
  tcpReadTimeout: {
    type: 'duration',
    default: '5s',
    help: 'A query over TCP must arrive whole within this from its first byte',
  },
  maxTcpConnections: {
    type: 'int',
    default: 1000,
    help: 'Most TCP connections at once',
    arg: 'N',
  },
  queryTimeout: {
    type: 'duration',
    default: '2s',
    help: 'Deadline of one prepared query execute call (NAME.query.<domain>); past it: SERVFAIL',
  },
  queryCacheSize: {
    type: 'int',
    default: 4096,
    help: 'Most prepared query names whose answers are cached (each for at most its TTL)',
    arg: 'N',
  },
  workers: {
    type: 'int',
    default: 1,
    help: 'Processes answering on the same sockets (cluster module; each follows the catalog)',
    arg: 'N',
  },
  maxStale: {
    type: 'duration',
    default: '30s',
    help: 'How long Consul may be unreachable before /health turns degraded',
  },
});

/** The typed config of `berth dns`. */
export type DnsConfig = ConfigOf<typeof dnsOptions>;
