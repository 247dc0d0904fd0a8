// A card made by astcard, booted to the AstLinux image's marker on BIOS (SeaBIOS) and on UEFI (OVMF), under
// QEMU software emulation: the whole boot from firmware start, and where the time goes — firmware and boot
// program until the loader's kernel starts, the loader until `kexec -e`, the AstLinux kernel until its
// marker. The UEFI figure includes syslinux.efi's boot prompt (EFI_PROMPT_TENTHS, 2 s): UEFI gives SYSLINUX
// no Shift key, so that prompt is how a person chooses the previous loader there.
// Needs `npm run build:loader` and `npm run build:syslinux` first, and the ovmf package.
//
//   npx tsx bench/uefi-boot.bench.ts [boots per firmware]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAstlinuxImage, fixtureCache } from '../e2e/fixtures/astlinux-images.js';
import { boot } from '../e2e/loader/qemu.js';
import { FileBlockDevice } from '../electron/core/block/file-block-device.js';
import { loadLoaderAssets, loadSyslinuxAssets } from '../electron/core/card/assets.js';
import { imageFromFile } from '../electron/core/card/image-source.js';
import { prepareCard } from '../electron/core/card/prepare.js';
import { EFI_PROMPT_TENTHS } from '../shared/boot-menu.js';

const boots = Number(process.argv[2] ?? 3);
const dir = join(fixtureCache, 'bench-uefi');
mkdirSync(dir, { recursive: true });

const card = join(dir, 'card.img');
const images = ['0.4.0', '0.4.1', '0.10.0'].map((version) =>
  buildAstlinuxImage({ version, format: 'ext2' }, join(dir, `AstLinux-${version}.img`)),
);
const disk = await FileBlockDevice.create(card, 96 * 1024 * 1024);
try {
  await prepareCard(disk, {
    layout: 'mbr',
    images: await Promise.all(images.map((file) => imageFromFile(file))),
    loader: await loadLoaderAssets(),
    syslinux: await loadSyslinuxAssets(),
    console: ['ttyS0,115200'],
    loaderOptions: { onfail: 'poweroff' },
  });
} finally {
  await disk.close();
}

/** First the loader's kernel banner, then the loader's jump, then the AstLinux image's marker. */
const MARKS = [/Linux version /, /astcard: kexec -e /, /ASTLINUX-MARKER version=0\.10\.0/];

interface Timing {
  toLoaderKernel: number;
  loader: number;
  toMarker: number;
  whole: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function measure(firmware: 'bios' | 'uefi'): Promise<Timing[]> {
  const timings: Timing[] = [];
  for (let i = 0; i < boots; i++) {
    const result = await boot([{ file: card, interface: 'ide' }], {
      firmware,
      marks: MARKS,
      timeoutMs: 240_000,
    });
    writeFileSync(join(dir, `${firmware}-${i + 1}.log`), result.log);
    const [kernel, jump, marker] = result.marks;
    if (result.timedOut || kernel == null || jump == null || marker == null) {
      console.error(result.log.slice(-3000));
      throw new Error(`the ${firmware} boot did not reach AstLinux 0.10.0's marker`);
    }
    const timing = { toLoaderKernel: kernel, loader: jump - kernel, toMarker: marker, whole: result.seconds };
    timings.push(timing);
    console.log(
      `${firmware} boot ${i + 1}: firmware start → marker ${marker.toFixed(1)} s (to loader kernel ${kernel.toFixed(1)} s, loader to kexec -e ${timing.loader.toFixed(1)} s, AstLinux to marker ${(marker - jump).toFixed(1)} s)`,
    );
  }
  return timings;
}

const bios = await measure('bios');
const uefi = await measure('uefi');
const line = (name: string, t: Timing[]) =>
  `${name.padEnd(5)} firmware start → AstLinux marker ${median(t.map((x) => x.toMarker)).toFixed(1)} s ` +
  `(firmware + boot program → loader kernel ${median(t.map((x) => x.toLoaderKernel)).toFixed(1)} s, ` +
  `loader kernel → kexec -e ${median(t.map((x) => x.loader)).toFixed(1)} s)`;
console.log(`uefi-boot: median of ${boots} boots each, TCG, MBR FAT16 card on IDE, three ext2 images`);
console.log(line('BIOS', bios));
console.log(line('UEFI', uefi));
console.log(
  `uefi-boot: UEFI − BIOS = ${(median(uefi.map((t) => t.toMarker)) - median(bios.map((t) => t.toMarker))).toFixed(1)} s, of which ${EFI_PROMPT_TENTHS / 10} s is syslinux.efi's boot prompt`,
);
