// The `astcard` command line as users run it: electron/cli/astcard.ts and the writer's helper bundled by
// esbuild into dist/cli/. One file to load at start instead of hundreds of modules; each command in its own
// chunk, imported when it runs; npm packages left external, so the heavy ones (the ext2 wasm, archive
// readers, ws, drivelist's native module) load only in the commands that use them.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const checkout = join(import.meta.dirname, '..', '..');
export const CLI_DIR = join(checkout, 'dist', 'cli');
export const ASTCARD_CLI = join(CLI_DIR, 'astcard.js');
const STALE_MS = 60 * 60 * 1000;

/**
 * Builds the bundle. Files are replaced by rename, and chunks of an older build are left in place (their
 * names carry a content hash) for an hour: a test or user running the CLI while it is rebuilt keeps a
 * whole program.
 */
export async function buildCli() {
  const result = await build({
    absWorkingDir: checkout,
    // The helper must sit beside the chunk that starts it: launch.ts finds it as ./helper.js.
    entryPoints: { astcard: 'electron/cli/astcard.ts', helper: 'electron/core/writer/helper.ts' },
    outdir: CLI_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
    write: false,
  });
  mkdirSync(CLI_DIR, { recursive: true });
  for (const file of result.outputFiles) {
    let old = null;
    try {
      old = readFileSync(file.path);
    } catch {}
    if (old?.equals(file.contents)) continue;
    const temporary = join(dirname(file.path), `.${process.pid}.tmp`);
    writeFileSync(temporary, file.contents, { mode: file.path === ASTCARD_CLI ? 0o755 : 0o644 });
    renameSync(temporary, file.path);
  }
  const current = new Set(result.outputFiles.map((file) => file.path));
  for (const name of readdirSync(CLI_DIR)) {
    const path = join(CLI_DIR, name);
    if (!current.has(path) && Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true });
  }
}
