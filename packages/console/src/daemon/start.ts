/**
 * Starts a console: the engine, the bundled page and the HTTP listener; `close()` stops all of
 * it. Programmatic entry for the command and for tests; must never exit the process.
 */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type AdminHandler, type ListenAddress } from '@berth/daemon';
import { defaultKeyPair } from '../core/credentials-file.js';
import { ConsoleEngine, type EngineOptions } from '../engine.js';
import { createConsoleServer } from '../server/http-server.js';
import { StaticFiles } from '../server/static-files.js';

/** The package's bundle directory (dist/web/, built by scripts/bundle.mjs). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url));

export interface StartConsoleOptions extends Omit<EngineOptions, 'credentials'> {
  readonly listen: ListenAddress;
  /** Shared-credentials file for the sampler. */
  readonly credentialsFile?: string | undefined;
  readonly secureCookies: boolean;
  readonly webDir?: string | undefined;
  readonly admin: AdminHandler;
}

export interface RunningConsole {
  readonly url: string;
  readonly address: AddressInfo;
  readonly engine: ConsoleEngine;
  readonly files: StaticFiles;
  close(): Promise<void>;
}

export async function startConsole(o: StartConsoleOptions): Promise<RunningConsole> {
  let credentials;
  if (o.credentialsFile) {
    const text = await readFile(o.credentialsFile, 'utf8');
    credentials = defaultKeyPair(text);
    if (!credentials) throw new Error(`--credentials ${o.credentialsFile}: no [default] key pair`);
  }
  const files = await new StaticFiles().load(o.webDir ?? DEFAULT_WEB_DIR);
  const engine = new ConsoleEngine({ ...o, credentials }).start();
  const server = createConsoleServer(engine, files, o.admin, { secureCookies: o.secureCookies });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.listen.port, o.listen.host || '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await engine.close();
    throw e;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    address,
    engine,
    files,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all([closed, engine.close()]);
    },
  };
}
