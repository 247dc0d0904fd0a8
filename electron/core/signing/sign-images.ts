/**
 * Signing images for their publisher or reseller: each image gets a signed list of its own beside it
 * (`AstLinux-1.5.10.img.sha256.sig`, as `signify -S -e` makes it), naming its SHA-256. The loader and the
 * app find it there, on the card or in a published folder.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { IO_CHUNK } from '../block/io-chunk.js';
import type { SignifySecretKey } from './secret-key.js';
import { signList } from './sign-list.js';

export interface SignedImage {
  image: string;
  list: string;
  sha256: string;
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: IO_CHUNK })) hash.update(chunk);
  return hash.digest('hex');
}

/** Writes `<image>.sha256.sig` beside each image, signed with `key`. */
export async function signImages(key: SignifySecretKey, images: string[]): Promise<SignedImage[]> {
  const signed: SignedImage[] = [];
  for (const image of images) {
    const sha256 = await sha256OfFile(image);
    const list = `${image}.sha256.sig`;
    await writeFile(list, signList(key, [{ algo: 'sha256', name: basename(image), digest: sha256 }]));
    signed.push({ image, list, sha256 });
  }
  return signed;
}
