/** The keydisk choices of the window, in the core's terms. */
import { readFile } from 'node:fs/promises';
import type { KeydiskChoice } from '../../shared/api.js';
import { createKeydiskImage } from '../core/card/keydisk.js';
import type { KeydiskSource } from '../core/card/stage-images.js';
import { AppError } from './app-error.js';

export function keydiskFor(choice: KeydiskChoice): KeydiskSource {
  if (choice.mode === 'import') return { path: choice.path };
  if (choice.mode === 'new') return { data: createKeydiskImage() };
  return null;
}

export async function readKeydiskFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new AppError('keydisk', `Cannot read the keydisk ${path}. Check the file name.`, { cause: error });
  }
}
