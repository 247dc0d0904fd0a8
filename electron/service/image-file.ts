import { open } from 'node:fs/promises';
import { AppError } from './app-error.js';

const MIN_CARD_BYTES = 8 * 1024 * 1024;

/** A new blank card image: a sparse file of `size` bytes, refused if something is already there. */
export async function createFileImage(path: string, size: number): Promise<void> {
  if (!Number.isSafeInteger(size) || size < MIN_CARD_BYTES) {
    throw new AppError('create-failed', 'A card image needs at least 8 MiB; choose a larger size.');
  }
  try {
    const file = await open(path, 'wx');
    try {
      await file.truncate(size - (size % 512));
    } finally {
      await file.close();
    }
  } catch (error) {
    const exists = (error as NodeJS.ErrnoException).code === 'EEXIST';
    throw new AppError(
      'create-failed',
      exists
        ? `${path} already exists. Open it instead, or choose another name.`
        : `Could not create ${path}. Choose a folder you can write to.`,
      { cause: error },
    );
  }
}
