/**
 * `--help` text generated from an OptionsSpec, so help can never drift from the config.
 */

import { type OptionDef, type OptionsSpec, envNames, flagName } from './config.js';
import { formatListen, type ListenAddress } from './listen.js';

const PLACEHOLDER: Readonly<Record<OptionDef['type'], string>> = {
  string: 'TEXT',
  int: 'N',
  number: 'N',
  boolean: '',
  duration: 'DURATION',
  listen: 'HOST:PORT',
  url: 'URL',
  enum: '',
  list: 'A,B',
};

function formatDefault(def: OptionDef): string | undefined {
  const d = def.default;
  if (d === undefined || d === '' || (Array.isArray(d) && d.length === 0)) return undefined;
  if (typeof d === 'object' && d !== null && 'port' in d) return formatListen(d as ListenAddress);
  return Array.isArray(d) ? d.join(',') : String(d);
}

/** Renders usage and one line block per option, with default and env vars. */
export function helpText(
  usage: string,
  summary: string,
  spec: OptionsSpec,
  envPrefix?: string,
): string {
  const rows = Object.entries(spec).map(([key, def]) => {
    const arg =
      def.arg ?? (def.type === 'enum' ? (def.choices ?? []).join('|') : PLACEHOLDER[def.type]);
    const left = `--${flagName(key)}${arg ? ` ${arg}` : ''}${def.multiple ? ' ...' : ''}`;
    const notes: string[] = [];
    const dflt = formatDefault(def);
    if (dflt !== undefined) notes.push(`default ${dflt}`);
    if (def.required) notes.push('required');
    const envs = envNames(key, def, envPrefix);
    if (envs.length) notes.push(`env ${envs.join(', ')}`);
    return { left, right: def.help + (notes.length ? ` (${notes.join('; ')})` : '') };
  });
  const width = Math.min(34, Math.max(...rows.map((r) => r.left.length), 10) + 2);
  const lines = rows.map((r) =>
    r.left.length + 2 > width
      ? `  ${r.left}\n  ${' '.repeat(width)}${r.right}`
      : `  ${r.left.padEnd(width)}${r.right}`,
  );
  return `Usage: ${usage}\n\n${summary}\n\nOptions:\n${lines.join('\n')}\n`;
}
