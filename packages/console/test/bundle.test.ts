/**
 * The page's bundle budget (issue 19: under 200 KB gzipped), measured on a fresh in-memory
 * bundle of the sources, and no reference to anything the console does not serve itself.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const BUNDLE = fileURLToPath(new URL('../scripts/bundle.mjs', import.meta.url));

t.test('the bundle stays under 200 KB gzipped', async (t) => {
  const { stdout } = await promisify(execFile)(process.execPath, [BUNDLE, '--check'], {
    timeout: 60_000,
  });
  const r = JSON.parse(stdout) as { gzipBytes: number; sizes: Record<string, number> };
  t.comment(`bundle: ${(r.gzipBytes / 1024).toFixed(1)} KB gzipped (${JSON.stringify(r.sizes)})`);
  t.ok(r.gzipBytes < 200 * 1024, `${r.gzipBytes} bytes gzipped < 200 KB`);
  t.ok(
    Object.keys(r.sizes).some((n) => /^app-\w+\.js$/.test(n)),
    'a content-hashed script',
  );
});
