// Where `npm run package` looks for an Electron it need not download, in order, on real folders: one named
// on the command line, ELECTRON_OVERRIDE_DIST_PATH (and nothing else once that is set), the binary npm
// installed, then Electron's zip in its download cache — else one line saying what is missing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { electronCacheDir, findLocalElectron } from '../../scripts/lib/local-electron.mjs';

const root = mkdtempSync(join(tmpdir(), 'astcard-local-electron-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(...parts: string[]): string {
  const path = join(root, ...parts);
  mkdirSync(path, { recursive: true });
  return path;
}

const zip = 'electron-v41.7.1-linux-x64.zip';
const base = { platform: 'linux' as const, arch: 'x64', version: '41.7.1' };

describe('finding a local Electron', () => {
  test('an installed binary, else the zip in the cache (or a folder below it), else one line', () => {
    const moduleDir = folder('case1', 'node_modules', 'electron');
    const cacheDir = folder('case1', 'cache');
    const options = { ...base, env: {}, moduleDir, cacheDir };
    expect(findLocalElectron(options)).toEqual({
      problem: `npm run package needs Electron 41.7.1 for linux-x64, and it cannot be downloaded here: install it with npm (without ELECTRON_SKIP_BINARY_DOWNLOAD), set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron, or put ${zip} in ${cacheDir}.`,
    });
    // @electron/get keeps each download in a folder named after its address.
    writeFileSync(join(folder('case1', 'cache', '4f3c9a'), zip), 'zip');
    expect(findLocalElectron(options)).toEqual({ dist: join(cacheDir, '4f3c9a', zip) });
    // A zip for another version is not it.
    const otherCache = folder('case1', 'other-cache');
    writeFileSync(join(otherCache, 'electron-v40.0.0-linux-x64.zip'), 'zip');
    expect(findLocalElectron({ ...options, cacheDir: otherCache }).problem).toMatch(/^npm run package needs/);
    writeFileSync(join(folder('case1', 'node_modules', 'electron', 'dist'), 'electron'), '');
    expect(findLocalElectron(options)).toEqual({ dist: join(moduleDir, 'dist') });
  });

  test('a named folder or zip wins; ELECTRON_OVERRIDE_DIST_PATH, once set, is the only place looked at', () => {
    const moduleDir = folder('case2', 'node_modules', 'electron');
    writeFileSync(join(folder('case2', 'node_modules', 'electron', 'dist'), 'electron'), '');
    const cacheDir = folder('case2', 'cache');
    const unpacked = folder('case2', 'my-electron');
    writeFileSync(join(unpacked, 'electron'), '');
    const given = join(root, 'case2', zip);
    writeFileSync(given, 'zip');
    const options = { ...base, moduleDir, cacheDir };
    expect(findLocalElectron({ ...options, env: {}, given })).toEqual({ dist: given });
    expect(findLocalElectron({ ...options, env: { ELECTRON_OVERRIDE_DIST_PATH: unpacked } })).toEqual({
      dist: unpacked,
    });
    const empty = folder('case2', 'empty');
    expect(findLocalElectron({ ...options, env: { ELECTRON_OVERRIDE_DIST_PATH: empty } })).toEqual({
      problem: `npm run package: ELECTRON_OVERRIDE_DIST_PATH is ${empty}, which holds no Electron (electron or ${zip}).`,
    });
    // On Windows and macOS the program has their names.
    const windows = folder('case2', 'win');
    writeFileSync(join(windows, 'electron.exe'), '');
    expect(
      findLocalElectron({ ...options, platform: 'win32', env: { ELECTRON_OVERRIDE_DIST_PATH: windows } })
        .dist,
    ).toBe(windows);
  });

  test("Electron's cache folder: ELECTRON_CACHE, else each system's own cache place", () => {
    expect(electronCacheDir({ ELECTRON_CACHE: '/c' }, 'linux')).toBe('/c');
    expect(electronCacheDir({ XDG_CACHE_HOME: '/x' }, 'linux')).toBe('/x/electron');
    expect(electronCacheDir({ LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' }, 'win32')).toBe(
      join('C:\\Users\\me\\AppData\\Local', 'electron', 'Cache'),
    );
    expect(electronCacheDir({}, 'darwin')).toMatch(/Library\/Caches\/electron$/);
  });
});
