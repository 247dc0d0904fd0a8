/**
 * Card operations, as the GUI, the CLI and batch runs call them. Every long operation takes
 * `onProgress` (phase, bytes done/total, speed, ETA) and an AbortSignal; a cancelled one throws
 * CardError('cancelled') and leaves the card as consistent as it found it. Errors are CardError (closed
 * set of codes, a sentence to show, `detail` for logs) or the lower layers' own typed errors.
 *
 *   openTarget(path)                       an image file or removable drive → BlockDevice
 *   resolveImageSources([file|archive|url]) → ImageSource[] (checksum from the source, if it had one)
 *   prepareCard(disk, {images, keydisk, loader, syslinux, …})
 *   inspectCard(disk, {quick})             → CardReport, the card doctor (the loader's exact decision)
 *   addImages(disk, sources, {keep})       crash-safe: .part, read-back, rename, sidecar last
 *   removeImages(disk, versions)
 *   updateLoader(disk, {loader, syslinux}) new loader beside the old, switched by renaming syslinux.cfg
 *   createKeydiskImage(size) / putKeydiskOnCard / readKeydiskFromCard / writeKeydiskToDevice
 */
export { type LoaderAssets, loadLoaderAssets, loadSyslinuxAssets } from './assets.js';
export { CardError, type CardErrorCode } from './card-error.js';
export type { CopiedImage } from './copy-image.js';
export type { ImageSource } from './image-source.js';
export { type AddImagesOptions, type AddImagesResult, addImages, removeImages } from './images.js';
export { type CardProblem, type CardReport, type InspectOptions, inspectCard } from './inspect.js';
export {
  checkKeydisk,
  createKeydiskImage,
  DEFAULT_KEYDISK_BYTES,
  KEYDISK_LABEL,
  type KeydiskOptions,
  putKeydiskOnCard,
  readKeydiskFromCard,
  saveKeydisk,
  writeKeydiskToDevice,
} from './keydisk.js';
export { type UpdateLoaderOptions, type UpdateLoaderResult, updateLoader } from './loader-update.js';
export { type CardSources, readCardSources, setCardSources } from './network-source.js';
export { type PrepareOptions, type PrepareResult, prepareCard } from './prepare.js';
export type { Progress, ProgressListener, ProgressPhase } from './progress.js';
export { type PublishResult, publishImages, writeIndex } from './publish.js';
export { resolveImageSource, resolveImageSources } from './sources.js';
export { openTarget, targetKind } from './target.js';
export { isUrl, type UrlSourceOptions } from './url-source.js';
