export type {
  ContentJudgement,
  ContentVerdict,
  ImageFilesystem,
  ReadImageBytes,
} from './content-judgement.js';
export { ImageContentError, type ImageContentErrorCode } from './image-content-error.js';
export { READ_BUDGET } from './image-reader.js';
export { blockDeviceImage, INITRD_PATH, judgeImageContent, KERNEL_PATH } from './judge-image-content.js';
