// Debian's busybox (the shell and `ls` RUNNIX and AstLinux run) as an oracle for the shared code that
// reads what they would: settings files sourced by `ash`, and `ls *.run | tail -n1`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetchPackage } from '../../scripts/lib/debian-packages.mjs';

const projectRoot = join(import.meta.dirname, '../..');
const debianCache = join(projectRoot, '.cache/debian');
let binary: string | undefined;

/** The busybox-static the loader was built with when it is unpacked in the cache (no apt call), else apt's. */
export function busybox(): string {
  if (binary) return binary;
  const manifest = join(projectRoot, 'assets/loader/manifest.json');
  if (existsSync(manifest)) {
    const { packages } = JSON.parse(readFileSync(manifest, 'utf8')) as {
      packages: { name: string; version: string }[];
    };
    const version = packages.find((pkg) => pkg.name === 'busybox-static')?.version;
    const built =
      version && join(debianCache, 'roots', `busybox-static_${version.replace(':', '%3a')}`, 'bin/busybox');
    if (built && existsSync(built)) binary = built;
  }
  binary ??= join(fetchPackage('busybox-static', debianCache).root, 'bin/busybox');
  return binary;
}

/** Runs `script` under busybox ash with only `env` set (no locale: RUNNIX has none). */
export function ash(script: string, args: readonly string[], env: Record<string, string> = {}, cwd?: string) {
  const run = spawnSync(busybox(), ['sh', '-c', script, 'sh', ...args], {
    env: { PATH: '/usr/bin:/bin', ...env },
    cwd,
    encoding: 'utf8',
  });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
