/**
 * The page and its assets, all served by the console itself (nothing from a CDN): read once
 * from the bundle directory at start, kept in memory with a gzip copy, answered with long-lived
 * caching for the content-hashed assets and no caching for the page. Must never serve a file
 * from outside the bundle directory.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SECURITY_HEADERS } from './http-util.js';

interface Asset {
  readonly type: string;
  readonly body: Buffer;
  readonly gzip: Buffer;
}

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
};

const MISSING_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>berth console</title></head>
<body><h1>berth console</h1><p>The console's page is not built. Run <code>npm run bundle -w @berth/console</code>
(scripts/setup does it) and restart the console.</p></body></html>\n`;

function asset(type: string, body: Buffer): Asset {
  return { type, body, gzip: gzipSync(body, { level: 9 }) };
}

export class StaticFiles {
  readonly #assets = new Map<string, Asset>();
  #index: Asset = asset(TYPES['.html'] as string, Buffer.from(MISSING_PAGE));
  built = false;

  /** Loads every file of `dir` (the bundle); a missing bundle serves a page saying how to build it. */
  async load(dir: string): Promise<this> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return this;
    }
    for (const name of names) {
      const type = TYPES[extname(name)];
      if (!type) continue;
      // A file replaced by a bundle build running at this moment is skipped.
      const body = await readFile(join(dir, name)).catch(() => undefined);
      if (!body) continue;
      const a = asset(type, body);
      if (name === 'index.html') {
        this.#index = a;
        this.built = true;
      } else this.#assets.set(`/assets/${name}`, a);
    }
    return this;
  }

  /** Total gzip size of the scripts and styles (the bundle budget). */
  get gzipBytes(): number {
    let n = 0;
    for (const a of this.#assets.values())
      if (!a.type.startsWith('application/json')) n += a.gzip.length;
    return n;
  }

  /** Answers `/assets/*`; false when the path is not an asset. */
  serveAsset(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    const a = this.#assets.get(path);
    if (!a) return false;
    this.#send(req, res, a, 'public, max-age=31536000, immutable');
    return true;
  }

  /** The page (for every view's URL). */
  serveIndex(req: IncomingMessage, res: ServerResponse): void {
    this.#send(req, res, this.#index, 'no-store');
  }

  #send(req: IncomingMessage, res: ServerResponse, a: Asset, cache: string): void {
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? a.gzip : a.body;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': a.type,
      'cache-control': cache,
      'content-length': body.length,
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}
