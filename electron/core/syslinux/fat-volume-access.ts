import type { BlockDevice } from '../block/block-device.js';
import { FatError, openFat } from '../fat/index.js';
import { ATTRIBUTE, type SyslinuxVolumeAccess } from './volume-access.js';

/** The installer's view of a volume, backed by our FAT implementation. */
export async function openFatVolumeAccess(
  device: BlockDevice,
  options: { readOnly?: boolean } = {},
): Promise<SyslinuxVolumeAccess> {
  const volume = await openFat(device, { readOnly: options.readOnly ?? false });
  return {
    async writeFile(path, data, { contiguous, attributes }) {
      const options = {
        attributes: {
          readOnly: (attributes & ATTRIBUTE.readOnly) !== 0,
          hidden: (attributes & ATTRIBUTE.hidden) !== 0,
          system: (attributes & ATTRIBUTE.system) !== 0,
          archive: (attributes & ATTRIBUTE.archive) !== 0,
        },
      };
      try {
        await volume.writeFile(path, data, { ...options, contiguous });
      } catch (error) {
        // SYSLINUX boots from a fragmented ldlinux.sys too; contiguous only saves BIOS calls.
        if (!(contiguous && error instanceof FatError && error.code === 'no-contiguous-space')) throw error;
        await volume.writeFile(path, data, { ...options, contiguous: false });
      }
    },
    async readFile(path) {
      try {
        return await volume.readFile(path);
      } catch (error) {
        if (error instanceof FatError && error.code === 'not-found') return undefined;
        throw error;
      }
    },
    fileSectors: (path) => volume.fileSectors(path),
    flush: () => volume.flush(),
  };
}
