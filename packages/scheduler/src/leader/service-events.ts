/**
 * What a service loop pass tells the event hub: the service's new events (ServiceEvent) and
 * its deployments' changed states (DeploymentStateChange). Publishes only; must never change
 * the service.
 */
import type { EventHub } from '../events/event-hub.js';
import type { Service } from '../core/service-model/index.js';

/** Publishes the service events and deployment state changes `after` has over `before`. */
export function publishServiceEvents(
  hub: EventHub,
  cluster: string,
  before: Service,
  after: Service,
): void {
  const seen = new Set(before.events.map((e) => e.id));
  for (const e of [...after.events].reverse()) {
    if (seen.has(e.id)) continue;
    hub.publish(
      'ServiceEvent',
      {
        cluster,
        serviceArn: after.serviceArn,
        serviceName: after.serviceName,
        id: e.id,
        message: e.message,
      },
      e.createdAt,
    );
  }
  for (const d of after.deployments) {
    const prev = before.deployments.find((x) => x.id === d.id);
    if (prev && prev.rolloutState === d.rolloutState && prev.status === d.status) continue;
    hub.publish('DeploymentStateChange', {
      cluster,
      serviceArn: after.serviceArn,
      deploymentId: d.id,
      status: d.status,
      rolloutState: d.rolloutState,
      reason: d.rolloutStateReason,
    });
  }
}
