import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSyslinuxBinaries, type SyslinuxBinaries } from '../../../electron/core/syslinux/binaries.js';

export const SYSLINUX_ASSETS = resolve(import.meta.dirname, '../../../assets/syslinux');

/** The shipped binaries; fails with the fix when the build step has not run. */
export async function shippedBinaries(): Promise<SyslinuxBinaries> {
  if (!existsSync(join(SYSLINUX_ASSETS, 'manifest.json'))) {
    throw new Error(
      `${SYSLINUX_ASSETS} is missing: run "node scripts/build-syslinux.mjs" (npm run build:syslinux) first`,
    );
  }
  return loadSyslinuxBinaries(SYSLINUX_ASSETS);
}
