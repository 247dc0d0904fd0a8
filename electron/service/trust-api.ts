/**
 * Signed images in the window (issue 21): the keys a card trusts and who signed each of its images, judged
 * by the same shared code the loader runs (core/card/card-signatures.ts); adding and removing keys is a
 * `keys` writer job like every other change to a card.
 */
import { access, constants } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AstcardApi, CardSummary, CardTrust, ImageSignature } from '../../shared/api.js';
import type { SignatureStatus } from '../../shared/signed-images.js';
import { readKeys } from '../core/card/card-keys.js';
import { readCardSignatures } from '../core/card/card-signatures.js';
import { openCardVolume } from '../core/card/card-volume.js';
import { openTarget } from '../core/card/target.js';
import { AppError } from './app-error.js';
import type { CardWork } from './card-work.js';

export interface TrustApiDeps {
  card(id: string): Promise<CardSummary>;
  work: CardWork;
}

/** The files the boot plan takes for images (the card doctor lists the same). */
const IMAGE_NAME = /^astlinux-.+\.img$/i;

export function trustApi(deps: TrustApiDeps): Pick<AstcardApi, 'readTrust' | 'changeKeys'> {
  const read = (id: string) =>
    deps.work.queue(id, async (): Promise<CardTrust> => {
      await deps.card(id);
      const disk = await openTarget(id, { readOnly: true });
      try {
        const { volume } = await openCardVolume(disk, { readOnly: true });
        try {
          const names = (await volume.readdir('/'))
            .filter((entry) => entry.isFile && IMAGE_NAME.test(entry.name))
            .map((entry) => entry.name);
          const keys = await readKeys(volume);
          const { policy, judgement } = await readCardSignatures(volume, names);
          const images: Record<string, ImageSignature> = {};
          // With the policy off the loader reads no signed list: saying "unsigned" would be a guess.
          if (policy !== 'off') {
            for (const name of names) {
              const status = judgement.byName[name];
              if (status) images[name] = signatureOf(status);
            }
          }
          return { keys, policy, images, notes: judgement.notes.slice() };
        } finally {
          await volume.close();
        }
      } finally {
        await disk.close();
      }
    });

  return {
    readTrust: read,
    async changeKeys(id, changes) {
      const add = (changes?.add ?? []).map((path) => String(path).trim()).filter((path) => path !== '');
      const remove = (changes?.remove ?? []).map(String);
      if (add.length === 0 && remove.length === 0) {
        throw new AppError('nothing-chosen', 'Choose a public key file (.pub) to add, or a key to remove.');
      }
      for (const path of add) {
        // The user's words for a file that is not there, before any card work.
        await access(path, constants.R_OK).catch((error) => {
          throw new AppError('file-missing', `Cannot read the key file ${path}. Check its name.`, {
            cause: error,
          });
        });
      }
      await deps.work.change(id, {
        kind: 'keys',
        ...(add.length > 0 ? { add: add.map((path) => resolve(path)) } : {}),
        ...(remove.length > 0 ? { remove } : {}),
      });
      // What the card says now, read back.
      return read(id);
    },
  };
}

function signatureOf(status: SignatureStatus): ImageSignature {
  if (status.status === 'signed') {
    return { status: 'signed', signer: status.signer, keyNumber: status.keyNumber, list: status.list };
  }
  if (status.status === 'unsigned') return { status: 'unsigned' };
  return { status: status.status, reason: status.reason, list: status.list };
}
