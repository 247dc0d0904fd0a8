import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSyslinuxBinaries, type SyslinuxBinaries } from '../syslinux/binaries.js';
import { CardError } from './card-error.js';

/** The loader as `npm run build:loader` leaves it in assets/loader/. */
export interface LoaderAssets {
  version: string;
  kernelRelease: string;
  kernel: Uint8Array;
  initramfs: Uint8Array;
}

/** The files a prepared card carries in its root, besides the images. */
export const CARD_FILES = {
  kernel: 'bzImage',
  initramfs: 'loader.img',
  /** What `inspect` reads to tell the loader's version without unpacking the initramfs. */
  loaderInfo: 'loader.json',
  config: 'syslinux.cfg',
  keydisk: 'kd.img',
} as const;

/** The project's assets/ folder, found from this module whether it runs from source or from dist/. */
export function defaultAssetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'electron')))
      return join(dir, 'assets');
    dir = dirname(dir);
  }
  return join(process.cwd(), 'assets');
}

/**
 * This build's loader version, or null when the loader is not built: from its manifest alone, without
 * reading the 13 MB of kernel and initramfs (inspect only compares versions).
 */
export async function builtLoaderVersion(dir = join(defaultAssetsDir(), 'loader')): Promise<string | null> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
      loaderVersion?: unknown;
    };
    return typeof manifest.loaderVersion === 'string' ? manifest.loaderVersion : null;
  } catch {
    return null;
  }
}

/**
 * A file as a plain Uint8Array over the Buffer's own memory: `new Uint8Array(buffer)` would copy it, and for
 * the 13 MB of kernel and initramfs that copy (fresh pages faulted in) cost ~40 ms of every prepare.
 */
async function readWhole(path: string): Promise<Uint8Array> {
  const buffer = await readFile(path);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

export async function loadLoaderAssets(dir = join(defaultAssetsDir(), 'loader')): Promise<LoaderAssets> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
      loaderVersion: string;
      kernelRelease: string;
    };
    return {
      version: manifest.loaderVersion,
      kernelRelease: manifest.kernelRelease,
      kernel: await readWhole(join(dir, 'bzImage')),
      initramfs: await readWhole(join(dir, 'loader.img')),
    };
  } catch (error) {
    throw new CardError(
      'assets-missing',
      'The AstLinux loader has not been built on this machine. Run "npm run build:loader" first.',
      { cause: error, detail: dir },
    );
  }
}

export async function loadSyslinuxAssets(
  dir = join(defaultAssetsDir(), 'syslinux'),
): Promise<SyslinuxBinaries> {
  try {
    return await loadSyslinuxBinaries(dir);
  } catch (error) {
    throw new CardError(
      'assets-missing',
      'The SYSLINUX boot files are missing on this machine. Run "npm run build:syslinux" first.',
      { cause: error, detail: dir },
    );
  }
}
