/**
 * Small shared pieces of the pages: links that navigate without reloading, status badges
 * (colour plus the word, never colour alone), times, error and loading notes. Presentational
 * only; must never fetch.
 */
import type { AnchorHTMLAttributes, ComponentChildren, JSX } from 'preact';
import type { Tone } from '../../core/view-types.js';
import type { ApiError } from '../api.js';
import { navigate } from '../hooks.js';

export function Link(
  props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string },
): JSX.Element {
  const onClick = (e: MouseEvent): void => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)
      return;
    e.preventDefault();
    navigate(props.href);
  };
  return <a {...props} onClick={onClick} />;
}

export function Badge({
  tone,
  children,
}: {
  tone: Tone;
  children: ComponentChildren;
}): JSX.Element {
  return <span class={`badge tone-${tone}`}>{children}</span>;
}

export function ago(ms: number | undefined, now = Date.now()): string {
  if (ms === undefined) return '';
  const s = Math.round((now - ms) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function Time({ ms }: { ms: number | undefined }): JSX.Element | null {
  if (ms === undefined) return null;
  const d = new Date(ms);
  return (
    <time dateTime={d.toISOString()} title={d.toLocaleString()}>
      {ago(ms)}
    </time>
  );
}

export function ErrorNote({ error }: { error: ApiError | undefined }): JSX.Element | null {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      <strong>{error.type}</strong>: {error.message}
    </p>
  );
}

export function Loading({ what }: { what: string }): JSX.Element {
  return (
    <p class="muted" aria-busy="true">
      Loading {what}…
    </p>
  );
}

/** A table that scrolls sideways on narrow screens instead of squeezing its columns. */
export function Table({
  label,
  head,
  children,
}: {
  label: string;
  head: string[];
  children: ComponentChildren;
}): JSX.Element {
  return (
    <div class="table-wrap" role="region" aria-label={`${label} (table)`} tabIndex={0}>
      <table>
        <thead>
          <tr>
            {head.map((h) => (
              <th scope="col" key={h}>
                {h || <span class="sr-only">Actions</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function Section({
  title,
  children,
  id,
}: {
  title: string;
  children: ComponentChildren;
  id?: string;
}): JSX.Element {
  return (
    <section class="card" aria-labelledby={id ? `${id}-h` : undefined}>
      <h2 id={id ? `${id}-h` : undefined}>{title}</h2>
      {children}
    </section>
  );
}
