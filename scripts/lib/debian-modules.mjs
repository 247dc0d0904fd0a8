// Copies a chosen set of kernel modules, with everything they depend on, out of an unpacked Debian kernel
// package into a staging tree, then indexes that subset with depmod so modprobe works inside the initramfs.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Thrown when a requested module is not in the kernel package (neither a file nor built in). */
export class KernelModuleError extends Error {
  /** @param {'unknown-module' | 'depmod-failed'} code @param {string} message @param {unknown} [cause] */
  constructor(code, message, cause) {
    super(message, { cause });
    this.name = 'KernelModuleError';
    this.code = code;
  }
}

/**
 * @param {string} kernelRoot the unpacked linux-image package
 * @param {string} release e.g. 6.1.0-56-amd64
 * @param {string[]} names module names as modprobe knows them
 * @returns {string[]} module files (absolute, inside kernelRoot), dependencies included, sorted
 */
export function moduleFilesWithDependencies(kernelRoot, release, names) {
  // Debian's package ships no modules.dep (the postinst makes it); index the unpacked tree once.
  if (!existsSync(join(kernelRoot, 'lib/modules', release, 'modules.dep'))) {
    execFileSync('depmod', ['-b', kernelRoot, release], { stdio: ['ignore', 'pipe', 'pipe'] });
  }
  const files = new Set();
  for (const name of names) {
    let output;
    try {
      output = execFileSync('modprobe', ['-d', kernelRoot, '-S', release, '--show-depends', name], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      throw new KernelModuleError('unknown-module', `kernel ${release} has no module "${name}"`, error);
    }
    for (const line of output.split('\n')) {
      const match = /^insmod (\S+)/.exec(line);
      if (match) files.add(match[1]);
    }
  }
  return [...files].sort();
}

/**
 * Stages `names` (and their dependencies) under `stageRoot/lib/modules/<release>/` and runs depmod there.
 * @returns {string[]} staged module paths relative to the module directory
 */
export function stageModules(kernelRoot, release, names, stageRoot) {
  const sourceDir = join(kernelRoot, 'lib/modules', release);
  const targetDir = join(stageRoot, 'lib/modules', release);
  // depmod in a fresh modprobe index needs the package's own lists of built-in modules.
  mkdirSync(targetDir, { recursive: true });
  for (const list of ['modules.builtin', 'modules.builtin.modinfo', 'modules.order']) {
    if (existsSync(join(sourceDir, list))) copyFileSync(join(sourceDir, list), join(targetDir, list));
  }
  const staged = [];
  for (const file of moduleFilesWithDependencies(kernelRoot, release, names)) {
    const rel = relative(sourceDir, file);
    mkdirSync(dirname(join(targetDir, rel)), { recursive: true });
    copyFileSync(file, join(targetDir, rel));
    staged.push(rel);
  }
  try {
    execFileSync('depmod', ['-b', stageRoot, release], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new KernelModuleError('depmod-failed', `depmod -b ${stageRoot} ${release} failed`, error);
  }
  return staged;
}
