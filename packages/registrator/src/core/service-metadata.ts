/**
 * Registrator's SERVICE_* metadata, read from a container's env and labels: general keys
 * (`SERVICE_NAME`) and port keys (`SERVICE_8080_NAME`). Labels override env; a port key
 * overrides the general key for that port. Pure; never throws: bad keys become warnings.
 */

/** One SERVICE_* value and where it came from (for warnings). */
export interface MetadataEntry {
  readonly value: string;
  /** The original env var / label name. */
  readonly key: string;
}

/** An attribute set for one port: lower-case attribute name (`check_http`) → entry. */
export type Attributes = ReadonlyMap<string, MetadataEntry>;

export interface ParsedMetadata {
  readonly general: Attributes;
  readonly byPort: ReadonlyMap<number, Attributes>;
  readonly warnings: readonly { key: string; message: string }[];
}

const PREFIX = 'SERVICE_';
const PORT_KEY = /^(\d+)_(.+)$/;

/** Splits env (`K=V`) and labels into general and per-port SERVICE_* attributes. */
export function parseServiceMetadata(
  env: readonly string[],
  labels: Readonly<Record<string, string>>,
): ParsedMetadata {
  const pairs: [string, string][] = [];
  for (const entry of env) {
    const eq = entry.indexOf('=');
    if (eq > 0) pairs.push([entry.slice(0, eq), entry.slice(eq + 1)]);
  }
  // Labels come last so they override env, as registrator does.
  for (const [k, v] of Object.entries(labels)) pairs.push([k, v]);

  const general = new Map<string, MetadataEntry>();
  const byPort = new Map<number, Map<string, MetadataEntry>>();
  const warnings: { key: string; message: string }[] = [];
  for (const [key, value] of pairs) {
    if (!key.startsWith(PREFIX) || key.length === PREFIX.length) continue;
    // An empty value means "unset" (registrator's mapDefault).
    if (value.trim() === '') continue;
    const attr = key.slice(PREFIX.length).toLowerCase();
    const m = PORT_KEY.exec(attr);
    if (m) {
      const port = Number(m[1]);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        warnings.push({ key, message: `bad port ${JSON.stringify(m[1])} (must be 1-65535)` });
        continue;
      }
      let attrs = byPort.get(port);
      if (!attrs) byPort.set(port, (attrs = new Map()));
      attrs.set(m[2] as string, { value, key });
    } else {
      general.set(attr, { value, key });
    }
  }
  return { general, byPort, warnings };
}

/** The attributes for one port: the general ones overridden by that port's own. */
export function attributesForPort(
  parsed: ParsedMetadata,
  port: number,
): { attrs: Attributes; fromPort: ReadonlySet<string> } {
  const own = parsed.byPort.get(port);
  const attrs = new Map(parsed.general);
  const fromPort = new Set<string>();
  if (own) {
    for (const [k, v] of own) {
      attrs.set(k, v);
      fromPort.add(k);
    }
  }
  return { attrs, fromPort };
}

const TRUE_TEXT = new Set(['true', '1', 'yes', 'on', 't', 'y']);
const FALSE_TEXT = new Set(['false', '0', 'no', 'off', 'f', 'n']);

/** Parses a boolean attribute; undefined when it is neither true- nor false-like. */
export function parseBool(text: string): boolean | undefined {
  const s = text.trim().toLowerCase();
  if (TRUE_TEXT.has(s)) return true;
  if (FALSE_TEXT.has(s)) return false;
  return undefined;
}

/** Splits `SERVICE_TAGS` on commas, `\,` being a literal comma; trims and drops empties. */
export function splitTags(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && text[i + 1] === ',') {
      cur += ',';
      i++;
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}
