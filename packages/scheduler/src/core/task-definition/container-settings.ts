/**
 * Readers of the nested settings of a container definition: dependsOn, extraHosts, ulimits,
 * healthCheck, restartPolicy and logConfiguration, with ECS's ranges and enumerations. Each
 * returns undefined when the setting is absent. Pure: must never do I/O.
 */

import { TaskDefinitionError } from './errors.js';
import { FieldReader } from './field-reader.js';
import type {
  ContainerDependency,
  ContainerRestartPolicy,
  HostEntry,
  LogConfiguration,
  NormalizedHealthCheck,
  Ulimit,
  UlimitName,
} from '@berth/protocol';
import type { Draft } from './types.js';

const ULIMIT_NAMES: readonly UlimitName[] = [
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
];
const LOG_DRIVERS = [
  'json-file',
  'syslog',
  'journald',
  'gelf',
  'fluentd',
  'awslogs',
  'splunk',
  'awsfirelens',
] as const;
const CONDITIONS = ['START', 'COMPLETE', 'SUCCESS', 'HEALTHY'] as const;
export function readDependsOn(r: FieldReader): ContainerDependency[] | undefined {
  return r.list('dependsOn')?.map((v, i) => {
    const d = new FieldReader(v, r.at(`dependsOn[${i}]`), r.owner);
    const containerName = d.str('containerName');
    if (containerName === undefined || containerName === '') {
      r.fail(`dependsOn[${i}].containerName`, 'containerName is required');
    }
    const condition = d.oneOf('condition', CONDITIONS);
    if (condition === undefined) r.fail(`dependsOn[${i}].condition`, 'condition is required');
    return { containerName, condition };
  });
}

export function readExtraHosts(r: FieldReader): HostEntry[] | undefined {
  return r.list('extraHosts')?.map((v, i) => {
    const h = new FieldReader(v, r.at(`extraHosts[${i}]`), r.owner);
    const hostname = h.str('hostname');
    const ipAddress = h.str('ipAddress');
    if (!hostname || !ipAddress) {
      r.fail(`extraHosts[${i}]`, 'hostname and ipAddress are required');
    }
    return { hostname, ipAddress };
  });
}

export function readUlimits(r: FieldReader): Ulimit[] | undefined {
  return r.list('ulimits')?.map((v, i) => {
    const u = new FieldReader(v, r.at(`ulimits[${i}]`), r.owner);
    const name = u.raw('name');
    if (typeof name !== 'string' || !(ULIMIT_NAMES as readonly string[]).includes(name)) {
      throw new TaskDefinitionError(
        'ClientException',
        u.at('name'),
        `Unrecognized ulimit name ${String(name)}`,
      );
    }
    const softLimit = u.int('softLimit');
    const hardLimit = u.int('hardLimit');
    if (softLimit === undefined || hardLimit === undefined) {
      r.fail(`ulimits[${i}]`, `ulimit ${name} needs both softLimit and hardLimit`);
    }
    if (softLimit > hardLimit) {
      r.fail(`ulimits[${i}].softLimit`, `ulimit ${name} softLimit exceeds its hardLimit`);
    }
    return { name: name as UlimitName, softLimit, hardLimit };
  });
}

export function readHealthCheck(r: FieldReader): NormalizedHealthCheck | undefined {
  const h = r.child('healthCheck');
  if (h === undefined) return undefined;
  const command = h.strList('command');
  if (command === undefined || command.length === 0) {
    r.fail('healthCheck.command', 'a health check needs a command');
  }
  if (!['CMD', 'CMD-SHELL', 'NONE'].includes(command[0]!)) {
    r.fail('healthCheck.command', 'the command must start with CMD or CMD-SHELL');
  }
  const out: Draft<NormalizedHealthCheck> = {
    command,
    interval: h.int('interval', { min: 5, max: 300 }) ?? 30,
    timeout: h.int('timeout', { min: 2, max: 60 }) ?? 5,
    retries: h.int('retries', { min: 1, max: 10 }) ?? 3,
  };
  const startPeriod = h.int('startPeriod', { min: 0, max: 300 });
  if (startPeriod !== undefined) out.startPeriod = startPeriod;
  return out;
}

export function readRestartPolicy(r: FieldReader): ContainerRestartPolicy | undefined {
  const p = r.child('restartPolicy');
  if (p === undefined) return undefined;
  const enabled = p.bool('enabled');
  if (enabled === undefined) r.fail('restartPolicy.enabled', 'enabled is required');
  const out: Draft<ContainerRestartPolicy> = { enabled };
  const codes = p.intList('ignoredExitCodes', 50);
  if (codes !== undefined) out.ignoredExitCodes = codes;
  const period = p.int('restartAttemptPeriod', { min: 60, max: 1800 });
  if (period !== undefined) out.restartAttemptPeriod = period;
  return out;
}

export function readLogConfiguration(r: FieldReader): LogConfiguration | undefined {
  const l = r.child('logConfiguration');
  if (l === undefined) return undefined;
  const logDriver = l.oneOf('logDriver', LOG_DRIVERS);
  if (logDriver === undefined) r.fail('logConfiguration.logDriver', 'logDriver is required');
  const out: Draft<LogConfiguration> = { logDriver };
  const options = l.strMap('options');
  if (options !== undefined) out.options = options;
  const secretOptions = l.opaqueList('secretOptions');
  if (secretOptions !== undefined) out.secretOptions = secretOptions;
  return out;
}
