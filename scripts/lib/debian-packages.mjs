// Fetches Debian packages with apt-get and unpacks them with dpkg-deb, so build steps can take files out of
// them without installing anything on the host. Downloads and unpacked trees are cached under a directory
// (normally .cache/debian/), keyed by package name + version: a new version on the mirror means a new entry.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Thrown when apt or dpkg cannot give us a package; `code` says which step failed. */
export class DebianPackageError extends Error {
  /**
   * @param {'no-candidate' | 'download-failed' | 'unpack-failed' | 'no-kernel'} code
   * @param {string} message
   * @param {unknown} [cause]
   */
  constructor(code, message, cause) {
    super(message, { cause });
    this.name = 'DebianPackageError';
    this.code = code;
  }
}

function run(command, args, options = {}) {
  return execFileSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
}

/** The version apt would install now (the candidate), or throws no-candidate. */
export function candidateVersion(name) {
  let text;
  try {
    text = run('apt-cache', ['show', '--no-all-versions', name]);
  } catch (error) {
    throw new DebianPackageError(
      'no-candidate',
      `apt knows no package "${name}" (run apt-get update?)`,
      error,
    );
  }
  const match = /^Version: (.+)$/m.exec(text);
  if (!match) throw new DebianPackageError('no-candidate', `apt has no installable version of "${name}"`);
  return match[1];
}

/** Names in the candidate's Depends field (first alternative of each, version constraints dropped). */
export function dependsOf(name) {
  const text = run('apt-cache', ['show', '--no-all-versions', name]);
  const match = /^Depends: (.+)$/m.exec(text);
  if (!match) return [];
  return match[1].split(',').map(
    (item) =>
      item
        .split('|')[0]
        .trim()
        .split(/[\s(:]/)[0],
  );
}

/** Follows Depends from `roots`, keeping only packages `keep` accepts (e.g. shared libraries). */
export function dependencyClosure(roots, keep) {
  const seen = new Set();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.shift();
    if (seen.has(name)) continue;
    seen.add(name);
    for (const dep of dependsOf(name)) if (keep(dep) && !seen.has(dep)) queue.push(dep);
  }
  return [...seen].sort();
}

/**
 * The real kernel package behind Debian's `linux-image-amd64` metapackage (e.g. linux-image-6.1.0-56-amd64):
 * only the newest one stays on the mirror, so it is never written down anywhere.
 */
export function resolveKernelPackage(meta = 'linux-image-amd64') {
  const real = dependsOf(meta).find((dep) => dep.startsWith('linux-image-'));
  if (!real) throw new DebianPackageError('no-kernel', `${meta} does not name a kernel package`);
  return { package: real, release: real.replace(/^linux-image-/, '') };
}

function sha256Of(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * Downloads the candidate version of `name` into `cacheDir/debs/` unless that exact version is already there.
 * @returns {{ name: string, version: string, file: string, sha256: string }}
 */
export function downloadPackage(name, cacheDir) {
  const version = candidateVersion(name);
  const debs = join(cacheDir, 'debs');
  mkdirSync(debs, { recursive: true });
  // apt-get names the file name_version_arch.deb with the epoch colon escaped as %3a.
  const prefix = `${name}_${version.replace(':', '%3a')}_`;
  const find = () => readdirSync(debs).find((file) => file.startsWith(prefix) && file.endsWith('.deb'));
  if (!find()) {
    try {
      run('apt-get', ['download', '-q', `${name}=${version}`], { cwd: debs });
    } catch (error) {
      const stderr = error?.stderr ? String(error.stderr).trim() : '';
      throw new DebianPackageError(
        'download-failed',
        `apt-get download ${name}=${version} failed: ${stderr}`,
        error,
      );
    }
  }
  const found = find();
  if (!found)
    throw new DebianPackageError('download-failed', `apt-get download left no ${prefix}*.deb in ${debs}`);
  const file = join(debs, found);
  return { name, version, file, sha256: sha256Of(file) };
}

/** Unpacks a downloaded package once into `cacheDir/roots/<name>_<version>/` and returns that directory. */
export function unpackPackage(pkg, cacheDir) {
  const root = join(cacheDir, 'roots', `${pkg.name}_${pkg.version.replace(':', '%3a')}`);
  if (existsSync(root)) return root;
  const partial = `${root}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    run('dpkg-deb', ['-x', pkg.file, partial]);
  } catch (error) {
    throw new DebianPackageError('unpack-failed', `dpkg-deb -x ${pkg.file} failed`, error);
  }
  // Renamed only when complete, so an interrupted unpack is never mistaken for a cached one.
  renameSync(partial, root);
  return root;
}

/** Download + unpack; returns the package record with its unpacked `root`. */
export function fetchPackage(name, cacheDir) {
  const pkg = downloadPackage(name, cacheDir);
  return { ...pkg, root: unpackPackage(pkg, cacheDir) };
}
