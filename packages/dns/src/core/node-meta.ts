/**
 * A node's metadata as TXT texts, the way Consul serves them: `key=value` encoded per
 * RFC 1464 (backquotes escape a literal backquote, `=` and leading or trailing spaces in the
 * key), or the bare value for keys starting with `rfc1035-`. Pure.
 */

/** `key=value` per RFC 1464. */
export function rfc1464(key: string, value: string): string {
  let k = key.replace(/`/g, '``').replace(/=/g, '`=');
  const lead = /^ +/.exec(k)?.[0].length ?? 0;
  const trail = / +$/.exec(k)?.[0].length ?? 0;
  if (lead === k.length) k = '` '.repeat(lead);
  else k = '` '.repeat(lead) + k.slice(lead, k.length - trail) + '` '.repeat(trail);
  return `${k}=${value.replace(/`/g, '``')}`;
}

/** The TXT texts of a node's metadata, in key order. */
export function metaTexts(meta: Readonly<Record<string, string>>): string[] {
  return Object.keys(meta)
    .sort()
    .map((key) => {
      const value = meta[key] ?? '';
      return key.toLowerCase().startsWith('rfc1035-') ? value : rfc1464(key, value);
    });
}
