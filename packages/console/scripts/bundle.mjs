#!/usr/bin/env node
// Builds the console's page: src/web/main.tsx (Preact) and its CSS bundled and minified by
// esbuild into dist/web/ with content-hashed names, plus the index.html that loads them.
// Everything the page needs is in dist/web/: the console serves it; nothing comes from a CDN.
// Usage: node scripts/bundle.mjs   (npm run bundle -w @berth/console; scripts/setup runs it)
//        node scripts/bundle.mjs --check   (bundles in memory, prints the sizes as JSON, writes nothing)
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');

/** Bundles into memory; returns the files (name -> contents). */
export async function bundle() {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/web/main.tsx'],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: 'app-[hash]',
    outdir: 'dist/web',
    write: false,
    legalComments: 'linked',
    logLevel: 'warning',
    metafile: true,
  });
  const files = new Map();
  for (const f of result.outputFiles) files.set(basename(f.path), Buffer.from(f.contents));
  const js = [...files.keys()].find((n) => n.endsWith('.js'));
  const css = [...files.keys()].find((n) => n.endsWith('.css'));
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>berth console</title>
<link rel="icon" href="data:,">
${css ? `<link rel="stylesheet" href="/assets/${css}">` : ''}
<script type="module" src="/assets/${js}"></script>
</head>
<body>
<div id="app"><p>Loading the berth console…</p></div>
<noscript><p>The berth console needs JavaScript.</p></noscript>
</body>
</html>
`;
  files.set('index.html', Buffer.from(html));
  return files;
}

/** Gzip size of the scripts and styles (the budget is 200 KB). */
export function gzipBytes(files) {
  let n = 0;
  for (const [name, body] of files)
    if (/\.(js|css|html)$/.test(name)) n += gzipSync(body, { level: 9 }).length;
  return n;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = await bundle();
  if (process.argv.includes('--check')) {
    const sizes = Object.fromEntries([...files].map(([n, b]) => [n, b.length]));
    console.log(JSON.stringify({ gzipBytes: gzipBytes(files), sizes }));
    process.exit(0);
  }
  // Safe beside a console that is starting (tests run in parallel): the hashed assets first,
  // then index.html replaced in one rename, and only then the files no index names any more.
  await mkdir(out, { recursive: true });
  for (const [name, body] of files) {
    if (name !== 'index.html') await writeFile(join(out, name), body);
  }
  const tmp = join(out, `.index.${process.pid}.tmp`);
  await writeFile(tmp, files.get('index.html'));
  await rename(tmp, join(out, 'index.html'));
  for (const name of await readdir(out)) {
    if (!files.has(name) && !name.startsWith('.index.')) await rm(join(out, name), { force: true });
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  console.log(
    `[console] ${pkg.name}: bundled ${[...files.keys()].join(', ')} into dist/web/ (${(gzipBytes(files) / 1024).toFixed(1)} KB gzipped)`,
  );
}
