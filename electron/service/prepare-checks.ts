/**
 * What a prepare request must pass before any card is opened for writing: something chosen, no card that
 * is also a source, no drive the rules block, and the exact typed name for every drive that needs it.
 * The writer checks all of this again on the drive itself; this is so the window hears it at once.
 */
import { basename, resolve, sep } from 'node:path';
import type { CardSummary, PrepareRequest } from '../../shared/api.js';
import { isUrl } from '../core/card/url-source.js';
import type { DriveReason } from '../core/drives/classify.js';
import { AppError } from './app-error.js';

/** The name a person types to confirm a system drive: `sdb`, `disk2`, `PHYSICALDRIVE1`. */
export function confirmationName(card: CardSummary): string {
  return card.confirmName ?? basename(card.location.replace(/\\/g, '/'));
}

/** A card image file chosen as a card and as one of the images to write onto it. */
export function sourceIsCardMessage(name: string): string {
  return `${name} is one of the images you chose to write: it cannot be the card as well. Choose a different card.`;
}

export function refusePrepare(
  request: PrepareRequest,
  targets: CardSummary[],
  mountpointsOf: (id: string) => string[],
  /** The drive rules' reasons for a drive (none for image files). */
  reasonsOf: (id: string) => DriveReason[] = () => [],
): void {
  if (targets.length === 0) throw new AppError('nothing-chosen', 'Choose at least one card to prepare.');
  if (request.images.length === 0) {
    throw new AppError('nothing-chosen', 'Choose at least one AstLinux image to put on the card.');
  }
  const localSources = request.images.filter((image) => !isUrl(image)).map((image) => resolve(image));
  if (request.keydisk.mode === 'import') localSources.push(resolve(request.keydisk.path));
  for (const target of targets) {
    const onTarget = localSources.find(
      (source) =>
        source === target.id ||
        mountpointsOf(target.id).some((mount) =>
          source.startsWith(mount.endsWith(sep) ? mount : mount + sep),
        ),
    );
    if (onTarget) {
      throw new AppError(
        'wrong-drive',
        onTarget === target.id
          ? sourceIsCardMessage(target.title)
          : `${target.title} holds ${basename(onTarget)}, which you chose to write onto it. Choose a different card, or copy the image elsewhere first.`,
      );
    }
    const blocked = reasonsOf(target.id).filter((reason) => reason.severity === 'blocked');
    if (blocked.length > 0) {
      throw new AppError('drive-refused', blocked.map((reason) => reason.message).join(' '), {
        detail: blocked.map((reason) => reason.code).join(','),
      });
    }
    if (target.system) {
      const wanted = confirmationName(target);
      // Exact, as the writer will check it: the point is that the name was read, not guessed.
      if ((request.typedNames?.[target.id] ?? '') !== wanted) {
        throw new AppError(
          'system-drive',
          `${target.location} is a system drive. If you are sure, type its name "${wanted}" to confirm.`,
        );
      }
    }
  }
}
