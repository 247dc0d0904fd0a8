import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadLoaderAssets, loadSyslinuxAssets } from '../../core/card/assets.js';
import { createKeydiskImage, DEFAULT_KEYDISK_BYTES } from '../../core/card/keydisk.js';
import type { PrepareResult } from '../../core/card/prepare.js';
import { prepareCard } from '../../core/card/prepare.js';
import { resolveImageSources } from '../../core/card/sources.js';
import { stageImages } from '../../core/card/stage-images.js';
import { openTarget, targetKind } from '../../core/card/target.js';
import type { Output } from '../output.js';
import { formatBytes, UsageError } from '../output.js';
import {
  asUsage,
  type Command,
  cancelOnInterrupt,
  DRIVE_OPTIONS,
  type DriveAnswers,
  parseSize,
  progressTo,
  runOnDrive,
} from './support.js';

export const prepare: Command = {
  name: 'prepare',
  usage:
    'prepare <target> --image FILE|ARCHIVE|URL [--image …] [--keydisk FILE | --new-keydisk [--keydisk-size N]] [--layout mbr|superfloppy] [--size BYTES] [--console DEV…] [--onfail shell|poweroff|reboot] [--yes] [--confirm-name NAME]',
  summary: 'erase a card (or make a new card image) and put the loader and images on it',
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({
        args,
        allowPositionals: true,
        options: {
          image: { type: 'string', multiple: true },
          keydisk: { type: 'string' },
          'new-keydisk': { type: 'boolean' },
          'keydisk-size': { type: 'string' },
          layout: { type: 'string' },
          size: { type: 'string' },
          console: { type: 'string', multiple: true },
          onfail: { type: 'string' },
          ...DRIVE_OPTIONS,
        },
      }),
    );
    const [target, ...extra] = positionals;
    if (!target || extra.length > 0) throw new UsageError(`usage: astcard ${prepare.usage}`);
    const layout = values.layout ?? 'mbr';
    const onfail = values.onfail ?? 'shell';
    if (onfail !== 'shell' && onfail !== 'poweroff' && onfail !== 'reboot') {
      throw new UsageError('--onfail is shell, poweroff or reboot');
    }
    if (layout !== 'mbr' && layout !== 'superfloppy') throw new UsageError('--layout is mbr or superfloppy');
    if (values.keydisk && values['new-keydisk'])
      throw new UsageError('give either --keydisk FILE or --new-keydisk, not both');
    const keydisk = values.keydisk
      ? { path: values.keydisk }
      : values['new-keydisk']
        ? {
            data: createKeydiskImage(
              values['keydisk-size'] === undefined
                ? DEFAULT_KEYDISK_BYTES
                : parseSize(values['keydisk-size']),
            ),
          }
        : null;
    const kind = await targetKind(target);
    if (kind === 'block-device') {
      const result = await prepareDrive(
        target,
        {
          images: values.image ?? [],
          layout,
          onfail,
          ...(values.console ? { console: values.console } : {}),
          keydisk,
        },
        values,
        out,
      );
      report(out, target, result);
      return;
    }
    if (kind === 'missing' && values.size === undefined) {
      throw new UsageError(`${target} does not exist; give --size to create a new card image.`);
    }
    const signal = cancelOnInterrupt();
    const images = await resolveImageSources(values.image ?? [], { signal });
    const [loader, syslinux] = await Promise.all([loadLoaderAssets(), loadSyslinuxAssets()]);
    const createSize = values.size === undefined ? undefined : parseSize(values.size);
    const disk = await openTarget(target, createSize === undefined ? {} : { createSize });
    try {
      const result = await prepareCard(disk, {
        layout,
        images,
        keydisk,
        loader,
        syslinux,
        ...(values.console ? { console: values.console } : {}),
        loaderOptions: { onfail },
        onProgress: progressTo(out),
        signal,
      });
      await disk.flush();
      report(out, target, result);
    } finally {
      await disk.close();
    }
  },
};

function report(out: Output, target: string, result: PrepareResult): void {
  out.result(result, () => [
    `Prepared ${target}: ${result.layout === 'mbr' ? 'partitioned' : 'superfloppy'}, FAT${result.fatType} "${result.label}" (${result.serial}), loader ${result.loaderVersion}.`,
    ...result.images.map(
      (image) => `  ${image.name}  ${formatBytes(image.size)}  written and verified (sha1 ${image.sha1})`,
    ),
    result.keydisk ? '  keydisk kd.img copied' : '  no keydisk',
  ]);
}

interface DrivePlan {
  images: string[];
  layout: 'mbr' | 'superfloppy';
  onfail: 'shell' | 'poweroff' | 'reboot';
  console?: string[];
  keydisk: { path: string } | { data: Uint8Array } | null;
}

/**
 * A drive is written by the writer, which reads only local files: downloaded or archived images and a
 * new keydisk are put in temporary files first, and removed once the card is done.
 */
async function prepareDrive(
  target: string,
  plan: DrivePlan,
  answers: DriveAnswers,
  out: Output,
): Promise<PrepareResult> {
  const staged = await stageImages(plan.images, cancelOnInterrupt());
  const keydiskDir =
    plan.keydisk && 'data' in plan.keydisk ? await mkdtemp(join(tmpdir(), 'astcard-keydisk-')) : null;
  try {
    let keydisk: string | null = null;
    if (plan.keydisk && 'path' in plan.keydisk) keydisk = resolve(plan.keydisk.path);
    else if (plan.keydisk && keydiskDir) {
      keydisk = join(keydiskDir, 'kd.img');
      await writeFile(keydisk, plan.keydisk.data, { mode: 0o600 });
    }
    return (await runOnDrive(
      target,
      {
        kind: 'prepare',
        images: staged.paths,
        layout: plan.layout,
        onfail: plan.onfail,
        keydisk,
        ...(plan.console ? { console: plan.console } : {}),
      },
      answers,
      out,
      'erase everything on it and prepare it',
    )) as PrepareResult;
  } finally {
    await staged.cleanup();
    if (keydiskDir) await rm(keydiskDir, { recursive: true, force: true });
  }
}
