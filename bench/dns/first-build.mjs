// First full table build of berth dns against a reference build of @berth/dns, in alternating
// rounds: each round runs `bench/dns/rebuild.mjs` once for this checkout and once for the
// reference (DNS_MODULE), each in a fresh process, and reads its "first build (ms)" column.
// Fresh processes, because a first build in a warm process would measure a second one.
//
//   REF=/tmp/dns-old/packages/dns/dist/index.js node bench/dns/first-build.mjs
//   REF=... SCALE=10000 PAIRS=6 node bench/dns/first-build.mjs
//
// REF: the reference's dist/index.js, e.g. an older commit compiled elsewhere:
//   git archive ba8124d packages/dns tsconfig.base.json | tar -x -C /tmp/dns-old
//   ln -s "$PWD/node_modules" /tmp/dns-old/node_modules
//   (cd /tmp/dns-old/packages/dns && sed -i '/references/d' tsconfig.json && npx tsc -p .)
//
// Bounded: PAIRS (default 6) pairs of runs, each killed after 120 s.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { commit, machineLine, summarize } from '../lib/report.mjs';

const ref = process.env.REF;
if (!ref) throw new Error('REF=<path to the reference dist/index.js> is required');
const scale = Number(process.env.SCALE ?? 10000);
const pairs = Number(process.env.PAIRS ?? 6);
const script = fileURLToPath(new URL('./rebuild.mjs', import.meta.url));

/** The first-build time and name count of one fresh run. */
function once(dnsModule) {
  const env = { ...process.env, SCALES: String(scale), ROUNDS: '2', DIFF: '0' };
  if (dnsModule) env.DNS_MODULE = dnsModule;
  else delete env.DNS_MODULE;
  const out = execFileSync(process.execPath, [script], { env, encoding: 'utf8', timeout: 120_000 });
  const row = out.split('\n').find((l) => l.startsWith(`| ${scale} |`));
  const cells = row?.split('|').map((c) => c.trim());
  if (!cells) throw new Error(`no row for ${scale} in:\n${out}`);
  return { names: Number(cells[2]), ms: Number(cells[3]) };
}

const mine = [];
const theirs = [];
let names = { mine: 0, theirs: 0 };
for (let i = 0; i < pairs; i++) {
  // Alternate which goes first, so a trend in the machine's load hits both alike.
  const order = i % 2 === 0 ? ['mine', 'theirs'] : ['theirs', 'mine'];
  for (const who of order) {
    const r = once(who === 'mine' ? undefined : ref);
    (who === 'mine' ? mine : theirs).push(r.ms);
    names[who] = r.names;
  }
}
const m = summarize(mine);
const t = summarize(theirs);
const f = (x) => x.toFixed(0);
console.log(
  `# berth dns first full build against a reference — ${new Date().toISOString().slice(0, 10)}\n`,
);
console.log(
  `- measured: @berth/dns at ${commit(['packages/dns', 'bench/dns'])}; reference: ${ref}`,
);
console.log(`- machine: ${machineLine()}`);
console.log(
  `- command: \`REF=${ref} SCALE=${scale} PAIRS=${pairs} node bench/dns/first-build.mjs\` ` +
    `(each run: \`SCALES=${scale} ROUNDS=2 DIFF=0 node bench/dns/rebuild.mjs\`, alternating)\n`,
);
console.log('| round | this (ms) | reference (ms) |');
console.log('|---|---|---|');
mine.forEach((x, i) => console.log(`| ${i + 1} | ${f(x)} | ${f(theirs[i])} |`));
console.log(
  `\nnames: ${names.mine} (this) / ${names.theirs} (reference); ` +
    `median ${f(m.p50)} ms / ${f(t.p50)} ms; ` +
    `speed ratio reference/this at the median: ${(t.p50 / m.p50).toFixed(2)}×`,
);
