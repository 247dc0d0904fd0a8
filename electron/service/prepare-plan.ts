/**
 * What a prepare of the chosen images needs of a card, so the Cards list can flag the drives too small for
 * it or holding one of its sources while the user chooses (the writer checks both again on the card).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { KeydiskChoice } from '../../shared/api.js';
import { archiveKind } from '../core/card/archive-source.js';
import { loadLoaderAssets, loadSyslinuxAssets } from '../core/card/assets.js';
import { imageFromFile } from '../core/card/image-source.js';
import { createKeydiskImage } from '../core/card/keydisk.js';
import { requiredBytes } from '../core/card/prepare.js';
import { isUrl } from '../core/card/url-source.js';
import type { DrivePlan } from './card-registry.js';

/**
 * What a prepare of these images needs, for the drive rules (too small, holds a source). Cheap: local
 * files are only looked at; web addresses count as sources of unknown size and give no planned size.
 */
export async function prepareDrivePlan(images: string[], keydisk: KeydiskChoice): Promise<DrivePlan> {
  const local = images.filter((image) => !isUrl(image)).map((image) => resolve(image));
  const sourcePaths = [...local, ...(keydisk.mode === 'import' ? [resolve(keydisk.path)] : [])];
  if (local.length !== images.length || local.some((image) => archiveKind(image) !== null)) {
    return { sourcePaths };
  }
  try {
    const [sources, loader, syslinux] = await Promise.all([
      Promise.all(local.map((image) => imageFromFile(image))),
      loadLoaderAssets(),
      loadSyslinuxAssets(),
    ]);
    const keydiskBytes =
      keydisk.mode === 'import'
        ? (await stat(keydisk.path)).size
        : keydisk.mode === 'new'
          ? createKeydiskImage().length
          : 0;
    return { sourcePaths, plannedBytes: requiredBytes({ images: sources, loader, syslinux }, keydiskBytes) };
  } catch {
    // An unreadable image is reported by the prepare itself, in its own words.
    return { sourcePaths };
  }
}
