/**
 * Small text files on a card (os/ver, records, settings) changed in one rename: whatever a cut leaves is
 * the old file or the new one, never half of either.
 */
import { FatError } from '../fat/fat-error.js';
import type { FatVolume } from '../fat/fat-volume.js';

const TEMP_SUFFIX = '.new';

export async function replaceSmallFile(
  volume: FatVolume,
  path: string,
  data: Uint8Array | string,
): Promise<void> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const temp = `${path}${TEMP_SUFFIX}`;
  await removeIfPresent(volume, temp);
  await volume.writeFile(temp, bytes);
  const exists = await volume.stat(path).catch(() => null);
  await volume.rename(temp, path, exists ? { replace: true } : { loseRatherThanShare: true });
}

/** The file's text, or null when there is no such file. */
export async function readTextIfPresent(volume: FatVolume, path: string): Promise<string | null> {
  try {
    return new TextDecoder().decode(await volume.readFile(path));
  } catch (error) {
    if (error instanceof FatError && (error.code === 'not-found' || error.code === 'not-a-directory'))
      return null;
    throw error;
  }
}

export async function removeIfPresent(volume: FatVolume, path: string): Promise<boolean> {
  try {
    await volume.unlink(path);
    return true;
  } catch (error) {
    if (error instanceof FatError && error.code === 'not-found') return false;
    throw error;
  }
}
