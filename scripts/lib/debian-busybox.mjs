// Installs Debian's static busybox into a staging tree with one symlink per applet, made at build time so the
// init does not spend boot time on `busybox --install`.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * @param {string} busyboxRoot the unpacked busybox-static package
 * @param {string} stageDir
 * @returns {number} how many applet links were made
 */
export function stageBusybox(busyboxRoot, stageDir) {
  const binary = join(busyboxRoot, 'bin/busybox');
  const target = join(stageDir, 'bin/busybox');
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(binary, target);
  chmodSync(target, 0o755);
  // The binary is static, so the host can run it to list its own applets and where they belong.
  const applets = execFileSync(binary, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  let count = 0;
  for (const applet of applets) {
    const link = join(stageDir, applet);
    if (existsSync(link)) continue;
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(relative(dirname(link), target), link);
    count += 1;
  }
  return count;
}
