/** Verify: every image on a card read back and checked as the loader will, and what it then boots. */
import type { BlockDevice } from '../block/block-device.js';
import { type CardReport, type InspectedImage, inspectCard } from './inspect.js';
import type { ProgressListener } from './progress.js';

export interface VerifyResult {
  /** False for a drive that is not an AstLinux card: nothing on it was checked. */
  astlinux: boolean;
  images: InspectedImage[];
  boot: CardReport['boot'];
  /** An AstLinux card whose every image checks out. */
  ok: boolean;
}

export async function verifyCard(
  disk: BlockDevice,
  options: { onProgress?: ProgressListener; signal?: AbortSignal } = {},
): Promise<VerifyResult> {
  const report = await inspectCard(disk, options);
  return {
    astlinux: report.astlinux,
    images: report.images,
    boot: report.boot,
    ok: report.astlinux && report.images.every((image) => image.checksum === 'ok'),
  };
}
