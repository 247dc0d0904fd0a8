import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CardError } from '../../core/card/card-error.js';
import {
  checkKeydisk,
  createKeydiskImage,
  DEFAULT_KEYDISK_BYTES,
  exportKeydisk,
} from '../../core/card/keydisk.js';
import { openTarget, targetKind } from '../../core/card/target.js';
import type { JobOf } from '../../core/writer/jobs.js';
import { formatBytes, UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { asUsage, type Command, DRIVE_OPTIONS, parseSize, runOnCard, withStagedSources } from './support.js';

export const keydisk: Command = {
  ...ABOUT.keydisk,
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
    const usage = () => new UsageError(`usage:\n  astcard ${ABOUT.keydisk.usage}`);
    if (!target || extra.length > 0) throw usage();
    if (action === 'create') {
      if (file !== undefined) throw usage();
      const size = values.size === undefined ? DEFAULT_KEYDISK_BYTES : parseSize(values.size);
      const kind = await targetKind(target);
      if (values.raw || kind === 'missing') {
        if (kind === 'image-file' && !values.force)
          throw new UsageError(`${target} exists; add --force to make it a keydisk (its contents are lost).`);
        if (kind === 'block-device' && !values.yes)
          throw new UsageError(
            `${target} is a drive: everything on it will be erased. Add --yes to go ahead.`,
          );
        const result = await runOnCard(
          target,
          { kind: 'keydisk-whole', keydisk: null, size },
          values,
          out,
          'make it a keydisk',
          kind === 'block-device' ? {} : { create: { size, replace: true } },
        );
        out.result({ target, ...result, placement: 'whole' }, () => [
          `Made ${target} a ${formatBytes(result.size)} keydisk labelled ${result.label}.`,
        ]);
        return;
      }
      const result =
        values.size === undefined
          ? // No size asked: made on the card, as large as its ASTKD partition when it keeps the keydisk there.
            await runOnCard(target, placeJob(null, values.force), values, out, 'put a keydisk on it')
          : await withStagedSources([], { data: createKeydiskImage(size) }, out, (staged) =>
              runOnCard(target, placeJob(staged.keydisk, values.force), values, out, 'put a keydisk on it'),
            );
      out.result({ target, ...result, placement: 'card' }, () => [
        result.location.startsWith('card:')
          ? `Created a ${formatBytes(result.size)} keydisk labelled ${result.label} on ${target} (kd.img).`
          : `Created a ${formatBytes(result.size)} keydisk labelled ${result.label} on ${target}, in ${result.location}.`,
      ]);
      return;
    }
    if (action === 'import') {
      if (file === undefined) throw usage();
      // Read and judged here first, so a file that is no keydisk is refused in plain words before any card work.
      checkKeydisk(await readSource(file), file);
      const result = await runOnCard(
        target,
        placeJob(resolve(file), values.force),
        values,
        out,
        'put a keydisk on it',
      );
      out.result({ target, ...result, placement: 'card' }, () => [
        result.location.startsWith('card:')
          ? `Put ${file} on ${target} as kd.img (${formatBytes(result.size)}, label ${result.label || 'none'}).`
          : `Put ${file} into ${result.location} of ${target}: ${formatBytes(result.size)}, label ${result.label || 'none'}.`,
      ]);
      return;
    }
    if (action === 'export') {
      if (file === undefined) throw usage();
      const disk = await openTarget(target, { readOnly: true });
      try {
        const size = await exportKeydisk(disk, file, values.force ?? false);
        out.result({ target, file, size }, () => [
          `Copied the keydisk of ${target} to ${file} (${formatBytes(size)}).`,
        ]);
      } finally {
        await disk.close();
      }
      return;
    }
    throw usage();
  },
};

function placeJob(keydisk: string | null, force: boolean | undefined): JobOf<'keydisk-place'> {
  return { kind: 'keydisk-place', keydisk, ...(force ? { replace: true } : {}) };
}

async function readSource(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new CardError('source-unreadable', `Cannot read the keydisk ${path}.`, { cause: error });
  }
}
