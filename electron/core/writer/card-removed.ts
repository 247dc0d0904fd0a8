/**
 * A card pulled mid-write surfaces as EIO, ENXIO, ENODEV or ENOENT from the device (or as our block layer's
 * io / not-found). People need to hear it in plain words, with what is safe to do next for the job that
 * was running — not "Something went wrong".
 */
import { BlockDeviceError } from '../block/block-device-error.js';
import type { JobKind } from './jobs.js';
import { WriterError } from './writer-error.js';

const REMOVAL_ERRNOS = new Set(['EIO', 'ENXIO', 'ENODEV', 'ENOENT', 'ENOMEDIUM']);

const NEXT_STEP: Record<JobKind, string> = {
  prepare: 'What is on it now cannot be trusted: put it back in (or use another card) and prepare it again.',
  add: 'Images that were already on it are untouched, and the one being copied will not boot because its checksum file is written last. Put the card back in and add the image again.',
  remove:
    'Put the card back in and inspect it; an image whose checksum file is gone will not boot, so removing it again is safe.',
  verify: 'Nothing was changed on it. Put it back in and verify again.',
  revert:
    'os/ver is switched in one rename, so the card boots either the release it ran or the one it was going back to, both checked. Put it back in, inspect it, and revert again if needed.',
  repair:
    'Each fix is written in the same safe order as every other change. Put it back in and repair it again.',
  'loader-update':
    'The card keeps using its previous loader until a switch completes. Put it back in and run the loader update again.',
  'keydisk-place': 'Put the card back in and place the keydisk again.',
  keys: 'Each key file is written whole or not at all. Put the card back in and list its keys, then add or remove them again.',
  settings:
    'The keydisk is replaced in one rename, so it holds either the old or the new settings. Put the card back in and set them again.',
  'keydisk-whole': 'What is on it now is not a keydisk: put it back in and make the keydisk again.',
  provision:
    'What is on it now cannot be trusted: put it back in (or use another card) and run it through the batch again.',
  sources:
    'Its syslinux.cfg is replaced in one rename, so it holds either the old or the new sources. Put it back in and set them again.',
};

/** Whether an error raised while the device was in use means the device went away or failed. */
export function isCardRemoval(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 6; depth++) {
    if (current instanceof BlockDeviceError) return current.code === 'io' || current.code === 'not-found';
    const errno = (current as { code?: unknown }).code;
    if (typeof errno === 'string' && REMOVAL_ERRNOS.has(errno)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export function cardRemovedError(device: string, job: JobKind, cause: unknown): WriterError {
  return new WriterError(
    'card-removed',
    `The card was removed or failed while astcard was using it (${device}). ${NEXT_STEP[job]}`,
    { cause },
  );
}
