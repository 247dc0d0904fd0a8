// `npm run package`, as far as it can be checked without Electron's binary (which cannot be downloaded
// here). Without a local Electron it stops at once with one plain line and exit code 2. Given one, it packs
// the app with electron-builder: read back with @electron/asar, the package holds main, preload, the window
// and the writer's entry, with the writer, its npm packages, the loader and SYSLINUX files and drivelist's
// native module unpacked beside app.asar. And the writer runs from there: plain Node starts the packed
// helper.js, which prepares a card image with the packed core and assets.
//
// The "Electron" handed to electron-builder in this test is a placeholder folder whose program only says it
// is not Electron: the test checks what electron-builder packs and how the writer runs from it, not Electron.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { extractFile, listPackage } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runJob } from '../../electron/core/writer/run-job.js';
import { electronProgram } from '../../scripts/lib/local-electron.mjs';
import { fakeImage, fsckCard, inspectImageFile, mtoolsNames } from '../core/card/card-fixtures.js';

const checkout = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'astcard-package-'));
const output = join(work, 'packages');
const electronVersion = JSON.parse(readFileSync(join(checkout, 'node_modules/electron/package.json'), 'utf8'))
  .version as string;
const realElectronHere = existsSync(
  join(checkout, 'node_modules/electron/dist', electronProgram(process.platform)),
);

function packageScript(args: string[], env: NodeJS.ProcessEnv) {
  const run = spawnSync('npm', ['run', '--silent', 'package', '--', ...args], {
    cwd: checkout,
    env,
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The environment of a machine with no Electron anywhere: an empty Electron cache, nothing named. */
function withoutElectron(): NodeJS.ProcessEnv {
  const empty = join(work, 'empty-cache');
  mkdirSync(empty, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_CACHE: empty };
  delete env.ELECTRON_OVERRIDE_DIST_PATH;
  return env;
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run package without Electron', () => {
  test.skipIf(realElectronHere)(
    `stops at once with one plain line saying what it needs, exit code 2${realElectronHere ? ' — skipped: Electron is installed here' : ''}`,
    () => {
      const run = packageScript([], withoutElectron());
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        // The whole of stderr: it stopped before its first step, which would have said "compiling the app".
        `npm run package needs Electron ${electronVersion} for ${process.platform}-${process.arch}, and it cannot be downloaded here: install it with npm (without ELECTRON_SKIP_BINARY_DOWNLOAD), set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron, or put electron-v${electronVersion}-${process.platform}-${process.arch}.zip in ${join(work, 'empty-cache')}.\n`,
      );
    },
  );

  test('a named folder without Electron in it is refused the same way', () => {
    const empty = join(work, 'not-electron');
    mkdirSync(empty, { recursive: true });
    const run = packageScript([], { ...withoutElectron(), ELECTRON_OVERRIDE_DIST_PATH: empty });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      `npm run package: ELECTRON_OVERRIDE_DIST_PATH is ${empty}, which holds no Electron (${electronProgram(process.platform)} or electron-v${electronVersion}-${process.platform}-${process.arch}.zip).`,
    ]);
  });
});

describe.skipIf(process.platform !== 'linux')('the packed app (Linux, unpacked)', () => {
  const resources = join(output, 'linux-unpacked', 'resources');
  const asar = join(resources, 'app.asar');
  const unpacked = join(resources, 'app.asar.unpacked');
  let entries: Map<string, 'pack' | 'unpack'>;

  beforeAll(() => {
    const placeholder = join(work, 'placeholder-electron');
    mkdirSync(placeholder, { recursive: true });
    writeFileSync(
      join(placeholder, 'electron'),
      '#!/bin/sh\necho "a placeholder, not Electron" >&2\nexit 1\n',
    );
    chmodSync(join(placeholder, 'electron'), 0o755);
    const run = packageScript(['--dir', '--output', output], {
      ...withoutElectron(),
      ELECTRON_OVERRIDE_DIST_PATH: placeholder,
    });
    if (run.status !== 0) throw new Error(`npm run package failed:\n${run.stdout}\n${run.stderr}`);
    entries = new Map(
      listPackage(asar, { isPack: true }).map((line) => {
        const [state, path] = line.split(/\s*:\s/) as [string, string];
        return [path, state.trim() === 'unpack' ? 'unpack' : 'pack'];
      }),
    );
  }, 300_000);

  test('app.asar holds main, preload and the window; the program is called astcard', () => {
    for (const path of ['/electron/main.js', '/electron/preload.cjs', '/dist/renderer/index.html']) {
      expect(entries.get(path), path).toBe('pack');
    }
    expect([...entries.keys()].some((path) => /^\/dist\/renderer\/assets\/index-.*\.js$/.test(path))).toBe(
      true,
    );
    const manifest = JSON.parse(extractFile(asar, 'package.json').toString('utf8'));
    expect(manifest).toMatchObject({ name: 'astcard', type: 'module', main: 'electron/main.js' });
    expect(existsSync(join(output, 'linux-unpacked', 'astcard'))).toBe(true);
  });

  test('the writer, its packages, the assets and drivelist.node are unpacked beside it, as files', () => {
    for (const path of [
      '/package.json',
      '/electron/core/writer/helper.js',
      '/electron/core/writer/helper-main.js',
      '/shared/api.js',
      '/assets/loader/bzImage',
      '/assets/loader/loader.img',
      '/assets/syslinux/ldlinux.c32',
      '/node_modules/drivelist/build/Release/drivelist.node',
      '/node_modules/ext2fs/package.json',
      '/node_modules/file-disk/package.json',
    ]) {
      expect(entries.get(path), path).toBe('unpack');
      expect(existsSync(join(unpacked, path)), path).toBe(true);
    }
  });

  test('nothing but the app: none of its sources or source maps, no development packages', () => {
    const paths = [...entries.keys()];
    // Packages from npm come as published (drivelist ships its TypeScript); the app's own code is compiled.
    const own = paths.filter((path) => !path.startsWith('/node_modules/'));
    expect(own.filter((path) => /\.(ts|tsx|cts|map)$/.test(path))).toEqual([]);
    expect(own.filter((path) => path.endsWith('.js')).length).toBeGreaterThan(100);
    for (const name of [
      'react',
      'vite',
      'vitest',
      'electron',
      'electron-builder',
      'playwright-core',
      'typescript',
    ]) {
      expect(entries.has(`/node_modules/${name}`), name).toBe(false);
    }
    expect(paths.some((path) => path.startsWith('/test/') || path.startsWith('/e2e/'))).toBe(false);
  });

  test('the app, which reads its modules from app.asar, starts the writer from app.asar.unpacked', () => {
    // app.asar seen as a folder (links to the unpacked files; Node keeps the names it was given), so the
    // packed launch.js runs at the path it has inside the app.
    const view = join(work, 'resources-view');
    mkdirSync(view, { recursive: true });
    symlinkSync(unpacked, join(view, 'app.asar'));
    symlinkSync(unpacked, join(view, 'app.asar.unpacked'));
    const launch = join(view, 'app.asar', 'electron', 'core', 'writer', 'launch.js');
    const run = spawnSync(
      process.execPath,
      [
        '--preserve-symlinks',
        '--input-type=module',
        '-e',
        `const { defaultHelperCommand } = await import(${JSON.stringify(pathToFileURL(launch).href)}); console.log(JSON.stringify(defaultHelperCommand()));`,
      ],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    const command = JSON.parse(run.stdout) as { args: string[] };
    expect(command.args).toEqual([
      join(view, 'app.asar.unpacked', 'electron', 'core', 'writer', 'helper.js'),
    ]);
  });

  test('the packed writer runs from the package: plain Node starts helper.js, which prepares a card image', async () => {
    const dir = join(work, 'card');
    mkdirSync(dir, { recursive: true });
    const image = fakeImage(dir, '1.5.10', 1024 * 1024);
    const card = join(dir, 'card.img');
    const log = join(dir, 'launches.log');
    const helper = join(unpacked, 'electron', 'core', 'writer', 'helper.js');
    // Through sh, to count the launches and say which script ran; the helper itself is the packed file.
    const result = await runJob(
      { device: card },
      { kind: 'prepare', images: [image], layout: 'mbr', keydisk: null },
      {
        mode: 'helper',
        helper: {
          command: '/bin/sh',
          args: ['-c', `echo "$1" >> '${log}'; exec "$0" "$@"`, process.execPath, helper],
          env: {},
        },
        create: { size: 48 * 1024 * 1024 },
      },
    );
    expect(readFileSync(log, 'utf8')).toBe(`${helper}\n`);
    expect(result.result.images.map((written) => written.name)).toEqual(['AstLinux-1.5.10.img']);
    expect(mtoolsNames(card, 'mbr')).toEqual(
      expect.arrayContaining([
        'AstLinux-1.5.10.img',
        'AstLinux-1.5.10.img.sha1',
        'syslinux.cfg',
        'loader.img',
      ]),
    );
    expect(fsckCard(card, 'mbr').status).toBe(0);
    expect((await inspectImageFile(card)).boot).toMatchObject({ image: 'AstLinux-1.5.10.img' });
  }, 300_000);
});
