/**
 * The sizes each job's plan is made of (shared/progress.ts makes the plans): local image files, the
 * built loader and SYSLINUX, the keydisk. Images from a web address or an archive are counted here and
 * sized as they are downloaded or unpacked. The weights only share the bar out: a plan a little off
 * makes the bar speed up or wait, never go back.
 */
import { stat } from 'node:fs/promises';
import type { JobSizes } from '../../shared/progress.js';
import { archiveKind } from '../core/card/archive-source.js';
import { loadLoaderAssets, loadSyslinuxAssets } from '../core/card/assets.js';
import { isUrl } from '../core/card/url-source.js';

type AssetSizes = Pick<JobSizes, 'loader' | 'bootloader'>;

let assetSizes: Promise<AssetSizes> | undefined;

/** Read once: the build output does not change while the app runs. Missing assets weigh nothing here. */
export function assetSizesOnce(): Promise<AssetSizes> {
  assetSizes ??= Promise.all([loadLoaderAssets(), loadSyslinuxAssets()]).then(
    ([loader, syslinux]) => ({
      loader: loader.kernel.length + loader.initramfs.length,
      bootloader: syslinux.ldlinuxImage.length + syslinux.ldlinuxC32.length,
    }),
    // The job itself says that the build is missing, in its own words.
    () => ({ loader: 0, bootloader: 0 }),
  );
  return assetSizes;
}

/** What a job writing these sources (and a keydisk of this many bytes) moves, as far as is known now. */
export async function jobSizes(sources: string[], keydiskBytes = 0): Promise<JobSizes> {
  const local = sources.filter((source) => !isUrl(source) && archiveKind(source) === null);
  const [assets, sizes] = await Promise.all([
    assetSizesOnce(),
    Promise.all(
      local.map((source) =>
        stat(source).then(
          (info) => info.size,
          () => 0,
        ),
      ),
    ),
  ]);
  return {
    ...assets,
    localImages: sizes.reduce((sum, size) => sum + size, 0),
    downloads: sources.filter((source) => isUrl(source)).length,
    archives: sources.filter((source) => !isUrl(source) && archiveKind(source) !== null).length,
    keydisk: keydiskBytes,
  };
}
