/**
 * `astlinux.pin` on the label the card boots: the release or image astcard's loader tries first (it falls
 * back to the newest that verifies when the pinned one does not). Changed like every other loader option:
 * the UEFI menu rendered again first, then /syslinux.cfg written whole and renamed over the old one, so a
 * cut leaves each firmware on the old pin or the new one.
 */
import { readBootMenu } from '../../../shared/boot-menu-read.js';
import { parseLoaderOptions } from '../../../shared/loader-config.js';
import {
  formatSyslinuxConfig,
  parseSyslinuxConfig,
  setLabelLoaderOptions,
} from '../../../shared/syslinux-config.js';
import type { FatVolume } from '../fat/fat-volume.js';
import { CARD_FILES } from './assets.js';
import { removeIfPresent } from './copy-image.js';
import { readEfiState, syncEfiConfig } from './efi-files.js';
import { defaultLabel } from './loader-files.js';
import { readTextIfPresent } from './small-files.js';

const CONFIG_TEMP = 'syslinux.pin';

/** The pin on the booting label; null when there is none (or no config to read). */
export async function readLoaderPin(volume: FatVolume): Promise<string | null> {
  const text = await readTextIfPresent(volume, CARD_FILES.config);
  const label = text === null ? null : defaultLabel(text);
  return label ? parseLoaderOptions(label.append).options.pin : null;
}

/** Sets (or, with null, removes) the pin; writes nothing when the card already has that pin. */
export async function setLoaderPin(volume: FatVolume, pin: string | null): Promise<boolean> {
  const text = await readTextIfPresent(volume, CARD_FILES.config);
  const label = text === null ? null : defaultLabel(text);
  if (text === null || label === null) return false;
  const current = parseLoaderOptions(label.append).options;
  if ((current.pin ?? null) === pin) return false;
  // Consoles keep their place and spelling: only the astlinux.* options are written again.
  const { console: _consoles, ...others } = current;
  const updated = formatSyslinuxConfig(
    setLabelLoaderOptions(parseSyslinuxConfig(text), label.name, { ...others, pin }),
  );
  await syncEfiConfig(volume, await readEfiState(volume), readBootMenu(updated));
  await removeIfPresent(volume, CONFIG_TEMP);
  await volume.writeFile(CONFIG_TEMP, new TextEncoder().encode(updated));
  await volume.flush();
  await volume.rename(CONFIG_TEMP, CARD_FILES.config, { replace: true });
  await volume.flush();
  return true;
}
