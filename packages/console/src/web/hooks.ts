/**
 * The page's state hooks: the current path (history API, so every view has its URL), view
 * models fetched from the server and fetched again whenever the live feed says something
 * changed, and the live feed itself with its connection state. Must never poll the scheduler
 * for changes: they arrive through `/api/events` (only measurements, which no event announces,
 * are fetched again on a slow timer).
 */
import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { LiveState } from '../core/view-types.js';
import { ApiError, getJson, SIGNED_OUT } from './api.js';

const NAVIGATE = 'berth:navigate';

export function navigate(path: string, replace = false): void {
  if (path === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE));
  window.scrollTo(0, 0);
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = (): void => setPath(location.pathname);
    window.addEventListener('popstate', on);
    window.addEventListener(NAVIGATE, on);
    return () => {
      window.removeEventListener('popstate', on);
      window.removeEventListener(NAVIGATE, on);
    };
  }, []);
  return path;
}

/** Bumped whenever the live feed reports a change; views refetch when it moves. */
export const LiveVersion = createContext(0);

export interface ViewState<T> {
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  reload(): void;
}

/**
 * A view model from `/api<path>`, fetched again on every live change (old data kept meanwhile)
 * and, with `everyMs`, that often too (for measurements no event announces; not the person's
 * activity).
 */
export function useView<T>(path: string | undefined, everyMs?: number): ViewState<T> {
  const version = useContext(LiveVersion);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!everyMs || path === undefined) return;
    const timer = window.setInterval(() => setTick((n) => n + 1), everyMs);
    return () => window.clearInterval(timer);
  }, [path, everyMs]);
  const [state, setState] = useState<{
    data?: T;
    error?: ApiError;
    loading: boolean;
    path?: string;
  }>({
    loading: true,
  });
  const [nonce, setNonce] = useState(0);
  const last = useRef<{ path?: string; nonce: number }>({ nonce: 0 });
  useEffect(() => {
    if (path === undefined) return;
    // Only a new path or a reload is the person's doing; a live change is not.
    const auto = last.current.path === path && last.current.nonce === nonce;
    last.current = { path, nonce };
    const ctl = new AbortController();
    setState((s) => ({ ...(s.path === path ? s : {}), path, loading: true }));
    getJson<T>(path, ctl.signal, auto).then(
      (data) => setState({ data, loading: false, path }),
      (e: unknown) => {
        if ((e as Error).name === 'AbortError') return;
        setState((s) => ({
          ...(s.path === path ? s : {}),
          path,
          error: e as ApiError,
          loading: false,
        }));
      },
    );
    return () => ctl.abort();
  }, [path, version, nonce, tick]);
  return {
    data: state.path === path ? state.data : undefined,
    error: state.path === path ? state.error : undefined,
    loading: state.loading,
    reload: () => setNonce((n) => n + 1),
  };
}

export type LinkState = 'connecting' | 'live' | 'lost' | 'resumed';

export interface Live {
  readonly link: LinkState;
  readonly upstream: LiveState | undefined;
  readonly version: number;
}

/**
 * The live feed of the signed-in page: an EventSource on `/api/events` (the browser resends
 * Last-Event-ID on reconnect). Changes bump `version` at most every 250 ms.
 */
export function useLive(enabled: boolean): Live {
  const [link, setLink] = useState<LinkState>('connecting');
  const [upstream, setUpstream] = useState<LiveState | undefined>();
  const [version, setVersion] = useState(0);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (!enabled) return;
    const bump = (): void => {
      if (timer.current !== undefined) return;
      timer.current = window.setTimeout(() => {
        timer.current = undefined;
        setVersion((v) => v + 1);
      }, 250);
    };
    let wasLost = false;
    let resumedTimer: number | undefined;
    const es = new EventSource('/api/events');
    es.onopen = () => {
      if (wasLost) {
        setLink('resumed');
        bump();
        resumedTimer = window.setTimeout(() => setLink('live'), 4000);
      } else setLink('live');
      wasLost = false;
    };
    es.onerror = () => {
      wasLost = true;
      window.clearTimeout(resumedTimer);
      setLink('lost');
      if (es.readyState === EventSource.CLOSED) {
        // The server refused the stream (signed out?): ask the session endpoint.
        getJson('/session').catch(() => undefined);
      }
    };
    for (const type of ['scheduler', 'catalog', 'action']) es.addEventListener(type, bump);
    es.addEventListener('live', (e) => {
      const s = JSON.parse((e as MessageEvent<string>).data) as LiveState;
      setUpstream((prev) => {
        if (prev && (prev.scheduler !== s.scheduler || prev.catalog !== s.catalog)) bump();
        return s;
      });
    });
    es.addEventListener('session', () => {
      es.close();
      window.dispatchEvent(new Event(SIGNED_OUT));
    });
    return () => {
      es.close();
      window.clearTimeout(resumedTimer);
      window.clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, [enabled]);
  return { link, upstream, version };
}
