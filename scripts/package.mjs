#!/usr/bin/env node
// `npm run package`: the desktop app as installable packages for this platform (Linux: AppImage and .deb;
// Windows: NSIS installer; macOS: dmg), with electron-builder (electron-builder.config.mjs).
//   npm run package [-- --dir] [--electron-dist PATH] [--output DIR]
// --dir makes the unpacked app only (dist/packages/linux-unpacked/…), no installer. Electron itself is never
// downloaded: a local Electron is used (see scripts/lib/local-electron.mjs); without one, this stops at once,
// before building anything, with one line saying what it needs, and exit code 2.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { builderConfig, STAGE } from '../electron-builder.config.mjs';
import { electronCacheDir, findLocalElectron } from './lib/local-electron.mjs';

const checkout = resolve(import.meta.dirname, '..');
const EXIT_USAGE = 2;

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      dir: { type: 'boolean' },
      'electron-dist': { type: 'string' },
      output: { type: 'string' },
    },
  }));
} catch (error) {
  console.error(`npm run package: ${error.message}`);
  process.exit(EXIT_USAGE);
}

const electronModule = join(checkout, 'node_modules', 'electron');
const version = JSON.parse(readFileSync(join(electronModule, 'package.json'), 'utf8')).version;
const found = findLocalElectron({
  given: options['electron-dist'],
  env: process.env,
  platform: process.platform,
  arch: process.arch,
  version,
  moduleDir: electronModule,
  cacheDir: electronCacheDir(process.env, process.platform),
});
if (found.problem) {
  console.error(found.problem);
  process.exit(EXIT_USAGE);
}

const output = resolve(options.output ?? join(checkout, 'dist', 'packages'));
const stage = join(checkout, STAGE);
rmSync(stage, { recursive: true, force: true });

/** Runs a build step in the checkout; a failed step ends packaging with its own output shown. */
function step(what, command, args) {
  console.error(`npm run package: ${what}…`);
  const run = spawnSync(command, args, { cwd: checkout, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`npm run package: ${what} failed.`);
    process.exit(1);
  }
}

// Compiled afresh into the stage, so nothing left over in dist/ from an older build is packed. Each file is
// transpiled on its own (tsconfig's isolatedModules keeps that equal to tsc's output) and nothing is type
// checked here: `npm run typecheck` does that. tsc would take a minute for what esbuild does in a second.
console.error('npm run package: compiling the app…');
const { build: transpile } = await import('esbuild');
const sources = ['electron', 'shared'].flatMap((folder) =>
  readdirSync(join(checkout, folder), { recursive: true, encoding: 'utf8' })
    .map((name) => join(folder, name))
    .filter((path) => /\.c?ts$/.test(path) && !path.endsWith('.d.ts')),
);
const transpiled = {
  absWorkingDir: checkout,
  outdir: stage,
  outbase: '.',
  bundle: false,
  platform: 'node',
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
  logLevel: 'warning',
};
try {
  await transpile({
    ...transpiled,
    entryPoints: sources.filter((path) => path.endsWith('.ts')),
    format: 'esm',
  });
  // The preload is CommonJS (Electron's sandboxed preloads are), as tsc makes it from .cts.
  await transpile({
    ...transpiled,
    entryPoints: sources.filter((path) => path.endsWith('.cts')),
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
  });
} catch {
  console.error('npm run package: compiling the app failed.');
  process.exit(1);
}
step('building the window', 'npx', [
  'vite',
  'build',
  '--config',
  'renderer/vite.config.ts',
  '--outDir',
  join(stage, 'renderer'),
  '--emptyOutDir',
  '--logLevel',
  'warn',
]);
if (!existsSync(join(checkout, 'assets', 'syslinux', 'manifest.json'))) {
  step('building the SYSLINUX files', 'npm', ['run', 'build:syslinux']);
}
if (!existsSync(join(checkout, 'assets', 'loader', 'manifest.json'))) {
  step('building the loader', 'npm', ['run', 'build:loader']);
}

const { build } = await import('electron-builder');
console.error(`npm run package: packing with Electron from ${found.dist}…`);
const made = await build({
  projectDir: checkout,
  config: builderConfig({ output, electronDist: found.dist }),
  publish: 'never',
  ...(options.dir ? { dir: true } : {}),
});
for (const file of made) console.log(file);
console.error(`npm run package: done, in ${output}`);
