// Where `npm run package` finds Electron without downloading it: Electron's binary cannot be downloaded on
// this project's machines, so packaging uses one already here, or stops and says what it needs.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The file an unpacked Electron of this platform starts from. */
export function electronProgram(platform) {
  return platform === 'darwin' ? 'Electron.app' : platform === 'win32' ? 'electron.exe' : 'electron';
}

/** @electron/get's cache folder (ELECTRON_CACHE overrides it), where `npm install` leaves Electron's zip. */
export function electronCacheDir(env, platform) {
  if (env.ELECTRON_CACHE) return env.ELECTRON_CACHE;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'electron');
  if (platform === 'win32')
    return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'electron', 'Cache');
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'electron');
}

/**
 * A local Electron to package with, as electron-builder's `electronDist` takes it (an unpacked Electron
 * folder or Electron's zip), or the one line that says what is missing.
 *   given: a folder or zip named on the command line (--electron-dist); else
 *   ELECTRON_OVERRIDE_DIST_PATH: Electron's own variable for a local Electron (the electron package honours
 *     it too); when given, nothing else is looked at; else
 *   node_modules/electron/dist, when npm installed the binary; else
 *   electron-v<version>-<platform>-<arch>.zip in Electron's download cache (or one folder below it).
 */
export function findLocalElectron({ given, env, platform, arch, version, moduleDir, cacheDir }) {
  const program = electronProgram(platform);
  const zipName = `electron-v${version}-${platform}-${arch}.zip`;
  const usable = (path) =>
    path.endsWith('.zip') ? isFile(path) : existsSync(join(path, program)) || isFile(join(path, zipName));
  for (const [path, what] of [
    [given, '--electron-dist'],
    [env.ELECTRON_OVERRIDE_DIST_PATH, 'ELECTRON_OVERRIDE_DIST_PATH'],
  ]) {
    if (!path) continue;
    if (usable(path)) return { dist: path };
    return {
      problem: `npm run package: ${what} is ${path}, which holds no Electron (${program} or ${zipName}).`,
    };
  }
  const installed = join(moduleDir, 'dist');
  if (existsSync(join(installed, program))) return { dist: installed };
  for (const folder of [cacheDir, ...subfolders(cacheDir)]) {
    if (isFile(join(folder, zipName))) return { dist: join(folder, zipName) };
  }
  return {
    problem: `npm run package needs Electron ${version} for ${platform}-${arch}, and it cannot be downloaded here: install it with npm (without ELECTRON_SKIP_BINARY_DOWNLOAD), set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron, or put ${zipName} in ${cacheDir}.`,
  };
}

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function subfolders(dir) {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(dir, entry.name));
  } catch {
    return [];
  }
}
