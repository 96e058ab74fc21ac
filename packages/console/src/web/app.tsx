/**
 * The console page: the session (sign-in when there is none), the header with the views and
 * the live state, and the view of the current URL. Must never hold a key pair: the server keeps
 * it, behind the HttpOnly session cookie.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { SessionInfo } from '../core/view-types.js';
import { getJson, send, setCsrf, SIGNED_OUT } from './api.js';
import { LiveVersion, navigate, useLive, usePath, type Live } from './hooks.js';
import { matchRoute, paths, type Route, routeCluster } from './routes.js';
import { Link } from './parts/ui.js';
import { Instance, Instances } from './views/instances.js';
import { Discovery } from './views/discovery.js';
import { Registry } from './views/registry.js';
import { Overview, Services } from './views/overview.js';
import { Service } from './views/service.js';
import { SignIn } from './views/sign-in.js';
import { EditTaskDefinition, Families, TaskDefinition } from './views/task-definitions.js';
import { Task, Tasks } from './views/tasks.js';

function View({ route, cluster }: { route: Route; cluster: string }): JSX.Element {
  switch (route.view) {
    case 'home':
    case 'overview':
      return <Overview cluster={cluster} />;
    case 'services':
      return <Services cluster={route.cluster} />;
    case 'service':
      return <Service cluster={route.cluster} name={route.name} />;
    case 'tasks':
      return <Tasks cluster={route.cluster} />;
    case 'task':
      return <Task cluster={route.cluster} id={route.id} />;
    case 'instances':
      return <Instances cluster={route.cluster} />;
    case 'instance':
      return <Instance cluster={route.cluster} id={route.id} />;
    case 'families':
      return <Families />;
    case 'task-definition':
      return <TaskDefinition name={route.name} cluster={cluster} />;
    case 'edit-task-definition':
      return <EditTaskDefinition name={route.name} />;
    case 'discovery':
      return <Discovery />;
    case 'registry':
      return <Registry />;
    case 'not-found':
      return (
        <>
          <h1>Not found</h1>
          <p>
            Nothing lives at <code>{route.path}</code>.{' '}
            <Link href={paths.overview(cluster)}>Back to the overview</Link>.
          </p>
        </>
      );
  }
}

function LiveBanner({ live }: { live: Live }): JSX.Element {
  const up = live.upstream;
  let text = 'Live';
  let tone = 'ok';
  if (live.link === 'connecting') {
    text = 'Connecting…';
    tone = 'idle';
  } else if (live.link === 'lost') {
    text = 'Connection to the console lost — reconnecting…';
    tone = 'bad';
  } else if (up?.scheduler === 'lost') {
    text = "The scheduler's event stream is lost — reconnecting…";
    tone = 'bad';
  } else if (up?.catalog === 'stale') {
    text = 'The catalog is unreachable — showing its last good state';
    tone = 'warn';
  } else if (live.link === 'resumed') {
    text = 'Live again: connection resumed';
  }
  return (
    <p
      class={`live tone-${tone}`}
      role="status"
      aria-live="polite"
      data-live={live.link}
      data-scheduler={up?.scheduler ?? ''}
    >
      <span class="dot" aria-hidden="true" /> {text}
    </p>
  );
}

const NAV: { label: string; path: (c: string) => string; views: Route['view'][] }[] = [
  { label: 'Overview', path: paths.overview, views: ['home', 'overview'] },
  { label: 'Services', path: paths.services, views: ['services', 'service'] },
  { label: 'Tasks', path: paths.tasks, views: ['tasks', 'task'] },
  { label: 'Instances', path: paths.instances, views: ['instances', 'instance'] },
  {
    label: 'Task definitions',
    path: () => paths.families(),
    views: ['families', 'task-definition', 'edit-task-definition'],
  },
  { label: 'Discovery', path: () => paths.discovery(), views: ['discovery'] },
  { label: 'Registry', path: () => paths.registry(), views: ['registry'] },
];

function Console({
  session,
  onSignOut,
}: {
  session: SessionInfo;
  onSignOut: () => void;
}): JSX.Element {
  const path = usePath();
  const route = matchRoute(path);
  const [cluster, setCluster] = useState(routeCluster(route) ?? 'default');
  const live = useLive(true);
  useEffect(() => {
    const c = routeCluster(route);
    if (c && c !== cluster) setCluster(c);
    if (route.view === 'home') navigate(paths.overview(cluster), true);
  }, [path]);
  useEffect(() => {
    const main = document.getElementById('main');
    const h1 = main?.querySelector('h1');
    document.title = `${h1?.textContent ?? 'berth'} · berth console`;
  });
  return (
    <LiveVersion.Provider value={live.version}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link class="brand" href={paths.overview(cluster)}>
          berth
        </Link>
        <nav aria-label="Views">
          <ul>
            {NAV.map((n) => (
              <li key={n.label}>
                <Link
                  href={n.path(cluster)}
                  aria-current={n.views.includes(route.view) ? 'page' : undefined}
                >
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <LiveBanner live={live} />
          <span class="muted">{session.accessKeyId}</span>
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <View route={route} cluster={cluster} />
      </main>
    </LiveVersion.Provider>
  );
}

export function App(): JSX.Element {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const [ended, setEnded] = useState(false);
  useEffect(() => {
    getJson<SessionInfo>('/session').then(
      (s) => {
        setCsrf(s.csrfToken);
        setSession(s);
      },
      () => setSession(null),
    );
    const out = (): void => {
      setSession((s) => {
        if (s) setEnded(true);
        return null;
      });
    };
    window.addEventListener(SIGNED_OUT, out);
    return () => window.removeEventListener(SIGNED_OUT, out);
  }, []);
  if (session === undefined) return <p class="muted">Loading…</p>;
  if (session === null) {
    return (
      <SignIn
        ended={ended}
        onSignedIn={(s) => {
          setCsrf(s.csrfToken);
          setEnded(false);
          setSession(s);
        }}
      />
    );
  }
  return (
    <Console
      session={session}
      onSignOut={() => {
        void send('DELETE', '/session').finally(() => {
          setCsrf('');
          setSession(null);
        });
      }}
    />
  );
}
