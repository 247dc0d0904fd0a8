/**
 * What a card boots, predicted from the shared code the loader itself runs, read straight off the card:
 * SYSLINUX's choice from /syslinux.cfg (judgeBootConfig) and the files it needs, then the boot plan's
 * verdict on every image with its checksum computed. The cut-and-retry harness asserts on this rather
 * than on inspect's report, which adds presentation around the same functions.
 */
import { createHash } from 'node:crypto';
import type { BlockDevice } from '../../../electron/core/block/block-device.js';
import { openCardVolume } from '../../../electron/core/card/card-volume.js';
import { type BootConfigJudgement, judgeBootConfig } from '../../../shared/boot-config-judge.js';
import { decideBoot, planBoot } from '../../../shared/boot-plan.js';
import { sidecarAlgorithm } from '../../../shared/checksums.js';

export interface BootPrediction {
  /** The image the loader boots, checksum verified; null when none would. */
  image: string | null;
  /** SYSLINUX's reading of /syslinux.cfg (null: the card has none). */
  config: BootConfigJudgement | null;
  /** Files SYSLINUX needs for that boot and the card lacks. */
  missing: string[];
}

export async function predictBoot(disk: BlockDevice): Promise<BootPrediction> {
  const { volume } = await openCardVolume(disk, { readOnly: true });
  const root = (await volume.readdir('/')).filter((entry) => entry.isFile);
  const byName = (name: string) => root.find((entry) => entry.name.toLowerCase() === name.toLowerCase());
  const configEntry = byName('syslinux.cfg');
  const config = configEntry
    ? judgeBootConfig(new TextDecoder().decode(await volume.readFile(configEntry.name)))
    : null;
  const missing: string[] = [];
  for (const path of config?.needs ?? []) {
    const found = await volume.stat(path).then(
      (stat) => stat.isFile,
      () => false,
    );
    if (!found) missing.push(path);
  }
  const sidecars: { [name: string]: string } = {};
  for (const entry of root)
    if (sidecarAlgorithm(entry.name) !== null && entry.size < 4096)
      sidecars[entry.name] = new TextDecoder().decode(await volume.readFile(entry.name));
  const plan = planBoot({ files: root.map(({ name, size }) => ({ name, size })), sidecars });
  const digests: { [name: string]: string } = {};
  for (const candidate of plan.candidates) {
    if (!candidate.expected) continue;
    const hash = createHash(candidate.expected.algo);
    for await (const chunk of volume.chunks(candidate.name)) hash.update(chunk);
    digests[candidate.name] = hash.digest('hex');
  }
  return { image: decideBoot(plan, digests).boot, config, missing };
}
