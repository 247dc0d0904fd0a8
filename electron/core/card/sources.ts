/** Turns what a user names — an image file, an archive or a web address — into the images to copy. */
import { archiveKind, imagesFromArchive } from './archive-source.js';
import { type ImageSource, imageFromFile } from './image-source.js';
import { imageFromUrl, isUrl, type UrlSourceOptions } from './url-source.js';

export type { ImageSource } from './image-source.js';

/** One argument's images: one for a file or URL, every image inside for an archive. */
export async function resolveImageSource(
  where: string,
  options: UrlSourceOptions = {},
): Promise<ImageSource[]> {
  if (isUrl(where)) return [await imageFromUrl(where, options)];
  if (archiveKind(where)) return imagesFromArchive(where);
  return [await imageFromFile(where)];
}

/** Every argument's images, in order. */
export async function resolveImageSources(
  wheres: string[],
  options: UrlSourceOptions = {},
): Promise<ImageSource[]> {
  const all: ImageSource[] = [];
  for (const where of wheres) all.push(...(await resolveImageSource(where, options)));
  return all;
}
