// What a test card holds, read with astcard's own FAT code, shaped as the shared boot policies take it: the
// listing (root names, and os/<name> for the os folder), the small text files, and the sha1 of every .run —
// so a test can ask the shared code what the card boots and compare with what QEMU showed.
import { createHash } from 'node:crypto';
import { FileBlockDevice } from '../../electron/core/block/file-block-device.js';
import { openCardVolume } from '../../electron/core/card/card-volume.js';
import type { BootPlanInput } from '../../shared/boot-plan.js';
import type { RunnixCardInput } from '../../shared/runnix-rules.js';

export interface CardContents {
  root: { name: string; size: number }[];
  os: { name: string; size: number }[];
  /** Text of the small files in os/ (sidecars, .run.conf, ver, default.conf), by bare name. */
  texts: Record<string, string>;
  /** sha1 of each file in os/ ending in .run, by bare name. */
  runDigests: Record<string, string>;
}

const SMALL = 64 * 1024;

export async function readCardContents(cardFile: string): Promise<CardContents> {
  const disk = await FileBlockDevice.open(cardFile, { readOnly: true });
  try {
    const { volume } = await openCardVolume(disk, { readOnly: true });
    try {
      const listed = (entries: { name: string; size: number; isFile: boolean }[]) =>
        entries.filter((entry) => entry.isFile).map(({ name, size }) => ({ name, size }));
      const root = listed(await volume.readdir('/'));
      const os = listed(await volume.readdir('os'));
      const texts: Record<string, string> = {};
      const runDigests: Record<string, string> = {};
      for (const { name, size } of os) {
        if (name.endsWith('.run')) {
          const hash = createHash('sha1');
          for await (const chunk of volume.chunks(`os/${name}`)) hash.update(chunk);
          runDigests[name] = hash.digest('hex');
        } else if (size <= SMALL) {
          texts[name] = new TextDecoder().decode(await volume.readFile(`os/${name}`));
        }
      }
      return { root, os, texts, runDigests };
    } finally {
      await volume.close();
    }
  } finally {
    await disk.close();
  }
}

/** The boot plan's input for this card, as the loader lists it (root names and os/<name>). */
export function planInput(card: CardContents): BootPlanInput {
  const inOs = (name: string) => `os/${name}`;
  const files = [...card.root, ...card.os.map(({ name, size }) => ({ name: inOs(name), size }))];
  const pick = (suffix: RegExp) =>
    Object.fromEntries(
      Object.entries(card.texts)
        .filter(([name]) => suffix.test(name))
        .map(([n, t]) => [inOs(n), t]),
    );
  return { files, sidecars: pick(/\.sha(1|256)$/), runConfs: pick(/\.run\.conf$/) };
}

/** The .run digests as the boot plan names its candidates. */
export function planDigests(card: CardContents): Record<string, string> {
  return Object.fromEntries(Object.entries(card.runDigests).map(([name, hex]) => [`os/${name}`, hex]));
}

/** RUNNIX's view of the card, for predictRunnixBoot. */
export function runnixInput(card: CardContents, cmdline: string): RunnixCardInput {
  const text = (name: string) => card.texts[name] ?? null;
  return {
    osFiles: card.os.map((file) => file.name),
    rootFiles: card.root.map((file) => file.name),
    ver: text('ver'),
    defaultConf: text('default.conf'),
    cmdline,
    sidecars: card.texts,
    runConfs: card.texts,
    digests: card.runDigests,
  };
}
