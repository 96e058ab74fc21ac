/**
 * Loads each page's view model: the API calls a page needs (with the person's own EcsApi), the
 * catalog snapshot, the routers' tables, DNS answers and the remembered history, handed to the
 * pure builders in core/. Must never perform an action or hold a secret beyond the call.
 */
import type { ContainerInstance, Task } from '@aws-sdk/client-ecs';
import { mapLimit } from '@berth/daemon';
import type { EcsApi } from './adapters/ecs-api.js';
import { EcsCallError } from './adapters/ecs-api.js';
import { buildDiscovery, catalogEndpoints, type RouterAnswer } from './core/discovery.js';
import { rates, type SeriesStore, sumSeries } from './core/history.js';
import { buildOverview } from './core/overview.js';
import {
  deploymentView,
  mergeEvents,
  rolloutProgress,
  serviceEvents,
  serviceReach,
  serviceRow,
} from './core/service-view.js';
import { familyRows, taskDefDetail } from './core/task-def-view.js';
import { instanceRow, sortTaskRows, taskDetail, taskRow } from './core/task-rows.js';
import type {
  DiscoveryView,
  DnsAnswer,
  EventRow,
  FamilyRow,
  InstanceDetail,
  InstanceRow,
  Overview,
  ServiceDetail,
  ServiceRow,
  TaskDefDetail,
  TaskDetail,
  TaskRow,
} from './core/view-types.js';
import type { CatalogFeed } from './adapters/catalog.js';

/** What the loader reads besides the API. */
export interface LoaderDeps {
  readonly catalog: CatalogFeed;
  readonly history: SeriesStore;
  /** Router tables of every known router (cached by the caller). */
  routers(instances: readonly ContainerInstance[]): Promise<RouterAnswer[]>;
  /** DNS answers by catalog service name (cached by the caller). */
  dns(names: readonly string[]): Promise<Map<string, DnsAnswer>>;
  /** Actions taken in the console, newest first. */
  actions(filter: (e: EventRow) => boolean): EventRow[];
  /** Remembers running counts seen (for the charts). */
  sawServices(cluster: string, rows: readonly ServiceRow[], now: number): void;
  readonly now: () => number;
}

const byArn = (list: readonly ContainerInstance[]): Map<string, ContainerInstance> =>
  new Map(list.map((i) => [i.containerInstanceArn ?? '', i]));

function notFound(what: string): EcsCallError {
  return new EcsCallError('NotFound', `${what} was not found`, 404);
}

export class ViewLoader {
  constructor(readonly deps: LoaderDeps) {}

  async overview(api: EcsApi, cluster: string): Promise<Overview> {
    const [clusters, instances, services, tasks] = await Promise.all([
      api.clusterNames(),
      api.instances(cluster),
      api.services(cluster),
      api.tasks(cluster),
    ]);
    const view = buildOverview({
      cluster,
      clusters,
      instances,
      services,
      tasks,
      actions: this.deps.actions(
        (e) => e.link?.startsWith(`/c/${encodeURIComponent(cluster)}/`) ?? true,
      ),
    });
    this.deps.sawServices(cluster, view.serviceRows, this.deps.now());
    return view;
  }

  async services(api: EcsApi, cluster: string): Promise<ServiceRow[]> {
    const rows = (await api.services(cluster))
      .map(serviceRow)
      .filter((r) => r.status !== 'INACTIVE');
    this.deps.sawServices(cluster, rows, this.deps.now());
    return rows.sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async service(api: EcsApi, cluster: string, name: string): Promise<ServiceDetail> {
    const [services, tasks, instances] = await Promise.all([
      api.services(cluster, [name]),
      api.tasks(cluster, { serviceName: name }),
      api.instances(cluster),
    ]);
    const s = services[0];
    if (!s) throw notFound(`Service ${name}`);
    const row = serviceRow(s);
    const now = this.deps.now();
    this.deps.sawServices(cluster, [row], now);
    const rows = sortTaskRows(tasks.map((t) => taskRow(t, byArn(instances))));
    const family = row.taskDefinition.slice(0, row.taskDefinition.lastIndexOf(':'));
    const [routers, revisions] = await Promise.all([
      this.deps.routers(instances),
      api.taskDefinitionArns('ACTIVE', family).catch(() => []),
    ]);
    const reach = serviceReach(rows, catalogEndpoints(this.deps.catalog.snapshot), routers);
    const history = this.deps.history;
    const srcs = [...new Set(reach.routes.map((r) => r.src))];
    const rateHistory = sumSeries(
      srcs.map((src) => rates(history.get(`route:${src}:requests`, now))),
    );
    const errorHistory = sumSeries(
      srcs.map((src) => rates(history.get(`route:${src}:errors`, now))),
    );
    const servicePath = `/c/${encodeURIComponent(cluster)}/services/${encodeURIComponent(name)}`;
    return {
      row,
      deployments: (s.deployments ?? []).map(deploymentView),
      progress: rolloutProgress(s),
      events: mergeEvents(
        [serviceEvents(s, cluster), this.deps.actions((e) => e.link === servicePath)],
        50,
      ),
      tasks: rows.filter((r) => r.lastStatus !== 'STOPPED'),
      stoppedTasks: rows.filter((r) => r.lastStatus === 'STOPPED').slice(0, 20),
      reach,
      traffic: {
        rate: srcs.length ? (rateHistory[rateHistory.length - 1]?.[1] ?? 0) : undefined,
        errorRate: srcs.length ? (errorHistory[errorHistory.length - 1]?.[1] ?? 0) : undefined,
        rateHistory,
        errorHistory,
      },
      runningHistory: history.get(`running:${cluster}/${name}`, now),
      revisions: revisions
        .map((a) => a.slice(a.lastIndexOf('/') + 1))
        .filter((n) => n.slice(0, n.lastIndexOf(':')) === family)
        .sort((a, b) => Number(b.split(':').pop()) - Number(a.split(':').pop())),
    };
  }

  async tasks(api: EcsApi, cluster: string): Promise<TaskRow[]> {
    const [tasks, instances] = await Promise.all([api.tasks(cluster), api.instances(cluster)]);
    return sortTaskRows(tasks.map((t) => taskRow(t, byArn(instances))));
  }

  async task(
    api: EcsApi,
    cluster: string,
    id: string,
  ): Promise<TaskDetail & { taskDefinitionJson: unknown }> {
    const [found, instances] = await Promise.all([
      api.describeTasks(cluster, [id]),
      api.instances(cluster),
    ]);
    const t: Task | undefined = found[0];
    if (!t) throw notFound(`Task ${id}`);
    const detail = taskDetail(t, byArn(instances));
    const td = await api.taskDefinition(detail.row.taskDefinition).catch(() => undefined);
    return { ...detail, taskDefinitionJson: td ? taskDefDetail(td).described : undefined };
  }

  async instances(api: EcsApi, cluster: string): Promise<InstanceRow[]> {
    return (await api.instances(cluster))
      .map(instanceRow)
      .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  }

  async instance(api: EcsApi, cluster: string, id: string): Promise<InstanceDetail> {
    const instances = await api.instances(cluster);
    const inst = instances.find(
      (i) => i.containerInstanceArn === id || i.containerInstanceArn?.endsWith(`/${id}`),
    );
    if (!inst) throw notFound(`Container instance ${id}`);
    const live = await api.taskArns(cluster, {
      containerInstance: inst.containerInstanceArn ?? id,
      desiredStatus: 'RUNNING',
    });
    const tasks = await api.describeTasks(cluster, live);
    return {
      row: instanceRow(inst),
      attributes: (inst.attributes ?? [])
        .map((a) => ({ name: a.name ?? '', value: a.value ?? '' }))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
      tasks: sortTaskRows(tasks.map((t) => taskRow(t, byArn(instances)))),
      registeredAt: inst.registeredAt?.getTime(),
    };
  }

  async families(api: EcsApi): Promise<FamilyRow[]> {
    return familyRows(await api.taskDefinitionArns('ACTIVE'));
  }

  async taskDefinition(api: EcsApi, name: string): Promise<TaskDefDetail> {
    return taskDefDetail(await api.taskDefinition(name));
  }

  async discovery(api: EcsApi | undefined, clusters: readonly string[]): Promise<DiscoveryView> {
    const instances = api
      ? (await mapLimit([...clusters], 4, (c) => api.instances(c).catch(() => []))).flat()
      : [];
    const snapshot = this.deps.catalog.snapshot;
    const names = [...(snapshot?.services.keys() ?? [])].filter((n) => n !== 'consul');
    const [routers, dns] = await Promise.all([this.deps.routers(instances), this.deps.dns(names)]);
    return buildDiscovery(snapshot, routers, dns, this.deps.catalog.staleSince);
  }
}
