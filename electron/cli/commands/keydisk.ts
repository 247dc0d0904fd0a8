import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CardError } from '../../core/card/card-error.js';
import {
  checkKeydisk,
  createKeydiskImage,
  DEFAULT_KEYDISK_BYTES,
  putKeydiskOnCard,
  readKeydiskFromCard,
  saveKeydisk,
  writeKeydiskToDevice,
} from '../../core/card/keydisk.js';
import { openTarget, targetKind } from '../../core/card/target.js';
import { formatBytes, type Output, UsageError } from '../output.js';
import {
  asUsage,
  type Command,
  cancelOnInterrupt,
  DRIVE_OPTIONS,
  type DriveAnswers,
  isDrive,
  openForChange,
  parseSize,
  progressTo,
  runOnDrive,
} from './support.js';

const USAGE = [
  'keydisk create <card> [--size N] [--force] [--yes] [--confirm-name NAME]  a new ASTKD keydisk as kd.img on the card',
  'keydisk create <file|drive> --raw [--size N] [--force] [--yes]  …or a whole image file or drive of its own',
  'keydisk import <card> <kd.img> [--force] [--yes] [--confirm-name NAME]  put an existing keydisk on the card',
  "keydisk export <card> <file> [--force]                  copy the card's keydisk off it",
];

export const keydisk: Command = {
  name: 'keydisk',
  usage: USAGE.join('\n  astcard '),
  summary: 'create, import or export the AstLinux keydisk (ext2 labelled ASTKD)',
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({
        args,
        allowPositionals: true,
        options: {
          size: { type: 'string' },
          raw: { type: 'boolean' },
          force: { type: 'boolean' },
          ...DRIVE_OPTIONS,
        },
      }),
    );
    const [action, target, file, ...extra] = positionals;
    const usage = () => new UsageError(`usage:\n  astcard ${USAGE.join('\n  astcard ')}`);
    if (!target || extra.length > 0) throw usage();
    const options = {
      onProgress: progressTo(out),
      signal: cancelOnInterrupt(),
      replace: values.force ?? false,
    };

    if (action === 'create') {
      if (file !== undefined) throw usage();
      const size = values.size === undefined ? DEFAULT_KEYDISK_BYTES : parseSize(values.size);
      const data = createKeydiskImage(size);
      const kind = await targetKind(target);
      if (values.raw || kind === 'missing') {
        if (kind === 'image-file' && !values.force)
          throw new UsageError(`${target} exists; add --force to make it a keydisk (its contents are lost).`);
        if (kind === 'block-device' && !values.yes)
          throw new UsageError(
            `${target} is a drive: everything on it will be erased. Add --yes to go ahead.`,
          );
        const disk =
          kind === 'block-device'
            ? await openTarget(target)
            : await openTarget(target, { createSize: data.length });
        try {
          const result = await writeKeydiskToDevice(disk, data, options);
          out.result({ target, ...result, placement: 'whole' }, () => [
            `Made ${target} a ${formatBytes(result.size)} keydisk labelled ${result.label}.`,
          ]);
        } finally {
          await disk.close();
        }
        return;
      }
      if (await isDrive(target)) {
        const result = await placeOnDrive(target, data, null, values, out);
        out.result({ target, ...result, placement: 'card' }, () => [
          `Created a ${formatBytes(result.size)} keydisk labelled ${result.label} on ${target} (kd.img).`,
        ]);
        return;
      }
      await onCard(target, values.yes, async (disk) => {
        const result = await putKeydiskOnCard(disk, data, options);
        out.result({ target, ...result, placement: 'card' }, () => [
          `Created a ${formatBytes(result.size)} keydisk labelled ${result.label} on ${target} (kd.img).`,
        ]);
      });
      return;
    }
    if (action === 'import') {
      if (file === undefined) throw usage();
      const data = await readSource(file);
      checkKeydisk(data, file);
      if (await isDrive(target)) {
        const result = await placeOnDrive(target, data, file, values, out);
        out.result({ target, ...result, placement: 'card' }, () => [
          `Put ${file} on ${target} as kd.img (${formatBytes(result.size)}, label ${result.label || 'none'}).`,
        ]);
        return;
      }
      await onCard(target, values.yes, async (disk) => {
        const result = await putKeydiskOnCard(disk, data, options);
        out.result({ target, ...result, placement: 'card' }, () => [
          `Put ${file} on ${target} as kd.img (${formatBytes(result.size)}, label ${result.label || 'none'}).`,
        ]);
      });
      return;
    }
    if (action === 'export') {
      if (file === undefined) throw usage();
      const disk = await openTarget(target, { readOnly: true });
      try {
        const data = await readKeydiskFromCard(disk);
        await saveKeydisk(data, file, values.force ?? false);
        out.result({ target, file, size: data.length }, () => [
          `Copied the keydisk of ${target} to ${file} (${formatBytes(data.length)}).`,
        ]);
      } finally {
        await disk.close();
      }
      return;
    }
    throw usage();
  },
};

async function onCard(
  target: string,
  yes: boolean | undefined,
  work: (disk: Awaited<ReturnType<typeof openTarget>>) => Promise<void>,
): Promise<void> {
  const disk = await openForChange(target, yes);
  try {
    await work(disk);
    await disk.flush();
  } finally {
    await disk.close();
  }
}

type PlacedKeydisk = Awaited<ReturnType<typeof putKeydiskOnCard>>;

/**
 * A keydisk goes onto a drive through the writer, which reads it from a file: the user's own file for
 * import, a private temporary copy of the new one for create.
 */
async function placeOnDrive(
  target: string,
  data: Uint8Array,
  file: string | null,
  answers: DriveAnswers & { force?: boolean | undefined },
  out: Output,
): Promise<PlacedKeydisk> {
  const dir = file === null ? await mkdtemp(join(tmpdir(), 'astcard-keydisk-')) : null;
  try {
    const path = dir ? join(dir, 'kd.img') : resolve(file as string);
    if (dir) await writeFile(path, data, { mode: 0o600 });
    const job = {
      kind: 'keydisk-place',
      keydisk: path,
      ...(answers.force ? { replace: true } : {}),
    } as const;
    return (await runOnDrive(target, job, answers, out, 'put a keydisk on it')) as PlacedKeydisk;
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

async function readSource(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new CardError('source-unreadable', `Cannot read the keydisk ${path}.`, { cause: error });
  }
}
