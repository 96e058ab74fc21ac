/**
 * The registrator's Prometheus metrics, fed from the engine's events: registrations,
 * deregistrations, reconcile actions, errors, warnings, Docker events and the latency from a
 * Docker event to its Consul write. It only observes; it never changes the engine.
 */

import { Counter, Gauge, Histogram, type Registry } from '@berth/daemon';
import type { Registrator } from '../engine.js';
import type { Trigger } from '../types.js';

function source(trigger: Trigger): 'event' | 'reconcile' {
  return trigger.startsWith('event:') ? 'event' : 'reconcile';
}

/** Registers the metrics on `registry` and subscribes them to `registrator`. */
export function registratorMetrics(registry: Registry, registrator: Registrator): void {
  const registers: Registry[] = [registry];
  const registrations = new Counter({
    name: 'berth_registrator_registrations_total',
    help: 'Services registered (new or changed), by source (event or reconcile)',
    labelNames: ['source'],
    registers,
  });
  const deregistrations = new Counter({
    name: 'berth_registrator_deregistrations_total',
    help: 'Services deregistered, by source (event or reconcile)',
    labelNames: ['source'],
    registers,
  });
  const actions = new Counter({
    name: 'berth_registrator_reconcile_actions_total',
    help: 'What full reconciles did per service: register, deregister, maintenance, health, unchanged',
    labelNames: ['action'],
    registers,
  });
  const healthUpdates = new Counter({
    name: 'berth_registrator_docker_health_updates_total',
    help: 'Docker-health mirror checks set, by status (passing or critical)',
    labelNames: ['status'],
    registers,
  });
  const reconciles = new Counter({
    name: 'berth_registrator_reconciles_total',
    help: 'Full reconciles run, by trigger',
    labelNames: ['trigger'],
    registers,
  });
  const reconcileSeconds = new Histogram({
    name: 'berth_registrator_reconcile_seconds',
    help: 'Duration of full reconciles',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const errors = new Counter({
    name: 'berth_registrator_errors_total',
    help: 'Failed operations (sync of a container, reconcile, probe), by operation kind',
    labelNames: ['op'],
    registers,
  });
  const retries = new Counter({
    name: 'berth_registrator_retries_total',
    help: 'Retries of Consul calls',
    registers,
  });
  const warnings = new Counter({
    name: 'berth_registrator_warnings_total',
    help: 'Malformed SERVICE_* values skipped',
    registers,
  });
  const events = new Counter({
    name: 'berth_registrator_docker_events_total',
    help: 'Docker container events received, by action',
    labelNames: ['action'],
    registers,
  });
  const latency = new Histogram({
    name: 'berth_registrator_event_to_consul_seconds',
    help: 'From a Docker event (its own timestamp) to the Consul write it caused, by kind',
    labelNames: ['kind'],
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers,
  });
  new Gauge({
    name: 'berth_registrator_services',
    help: 'Services this registrator has in Consul',
    registers,
    collect() {
      this.set(registrator.registeredCount);
    },
  });
  new Gauge({
    name: 'berth_registrator_docker_connected',
    help: '1 while the Docker event stream is live',
    registers,
    collect() {
      this.set(registrator.runtimeConnected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'berth_registrator_consul_reachable',
    help: '1 while the last Consul call succeeded',
    registers,
    collect() {
      this.set(registrator.registryReachable ? 1 : 0);
    },
  });

  registrator.on('register', (e) => {
    registrations.inc({ source: source(e.trigger) });
    if (e.eventTime !== undefined)
      latency.observe({ kind: 'register' }, (Date.now() - e.eventTime) / 1000);
  });
  registrator.on('deregister', (e) => {
    deregistrations.inc({ source: source(e.trigger) });
    if (e.eventTime !== undefined)
      latency.observe({ kind: 'deregister' }, (Date.now() - e.eventTime) / 1000);
  });
  registrator.on('health', (e) => {
    healthUpdates.inc({ status: e.status });
    if (e.eventTime !== undefined)
      latency.observe({ kind: 'health' }, (Date.now() - e.eventTime) / 1000);
  });
  registrator.on('reconcile', (r) => {
    reconciles.inc({ trigger: r.trigger });
    reconcileSeconds.observe(r.ms / 1000);
    actions.inc({ action: 'register' }, r.registered);
    actions.inc({ action: 'deregister' }, r.deregistered);
    actions.inc({ action: 'maintenance' }, r.maintenance);
    actions.inc({ action: 'health' }, r.health);
    actions.inc({ action: 'unchanged' }, r.unchanged);
  });
  registrator.on('failure', (f) => errors.inc({ op: f.op.split(' ', 1)[0] ?? f.op }));
  registrator.on('retry', () => retries.inc());
  registrator.on('warning', () => warnings.inc());
  registrator.on('event', (e) => events.inc({ action: e.action }));
}
