import { parseArgs } from 'node:util';
import { createKeydiskImage, DEFAULT_KEYDISK_BYTES } from '../../core/card/keydisk.js';
import type { PrepareResult } from '../../core/card/prepare.js';
import { targetKind } from '../../core/card/target.js';
import { checkNewCardImage } from '../../core/writer/run-job.js';
import type { Output } from '../output.js';
import { formatBytes, UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { asUsage, type Command, DRIVE_OPTIONS, parseSize, runOnCard, withStagedSources } from './support.js';

export const prepare: Command = {
  ...ABOUT.prepare,
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
          'writable-partition': { type: 'string' },
          'keydisk-partition': { type: 'string' },
          layout: { type: 'string' },
          size: { type: 'string' },
          console: { type: 'string', multiple: true },
          onfail: { type: 'string' },
          force: { type: 'boolean' },
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
    const partitions = {
      ...(values['writable-partition'] === undefined
        ? {}
        : { writable: parseSize(values['writable-partition']) }),
      ...(values['keydisk-partition'] === undefined
        ? {}
        : { keydisk: parseSize(values['keydisk-partition']) }),
    };
    if (partitions.keydisk !== undefined && values['keydisk-size'] !== undefined)
      throw new UsageError(
        '--keydisk-size is for a kd.img file; with --keydisk-partition the keydisk is as large as its partition',
      );
    const keydisk = values.keydisk
      ? { path: values.keydisk }
      : // The ASTKD partition is made an empty keydisk already; a new kd.img would only be copied into it.
        values['new-keydisk'] && partitions.keydisk === undefined
        ? {
            data: createKeydiskImage(
              values['keydisk-size'] === undefined
                ? DEFAULT_KEYDISK_BYTES
                : parseSize(values['keydisk-size']),
            ),
          }
        : null;
    const kind = await targetKind(target);
    if (kind === 'missing' && values.size === undefined) {
      throw new UsageError(`${target} does not exist; give --size to create a new card image.`);
    }
    if (kind === 'block-device' && values.size !== undefined) {
      throw new UsageError(`${target} is a drive; --size is only for making a new card image file.`);
    }
    const create =
      values.size === undefined
        ? undefined
        : { size: parseSize(values.size), replace: values.force === true || values.yes === true };
    // Before any download or archive is staged: a refusal should not wait for them.
    if (create && kind !== 'block-device')
      await checkNewCardImage(target, create, [
        ...(values.image ?? []),
        ...(values.keydisk ? [values.keydisk] : []),
      ]);
    const result = await withStagedSources(values.image ?? [], keydisk, out, (staged) =>
      runOnCard(
        target,
        {
          kind: 'prepare',
          images: staged.paths,
          layout,
          onfail,
          keydisk: staged.keydisk,
          ...(values.console ? { console: values.console } : {}),
          ...(Object.keys(partitions).length > 0 ? { partitions } : {}),
        },
        values,
        out,
        'erase everything on it and prepare it',
        create ? { create } : {},
      ),
    );
    report(out, target, result);
  },
};

function report(out: Output, target: string, result: PrepareResult): void {
  out.result(result, () => [
    `Prepared ${target}: ${result.layout === 'mbr' ? 'partitioned' : 'superfloppy'}, FAT${result.fatType} "${result.label}" (${result.serial}), loader ${result.loaderVersion}.`,
    ...result.images.map(
      (image) => `  ${image.name}  ${formatBytes(image.size)}  written and verified (sha1 ${image.sha1})`,
    ),
    ...result.partitions.map(
      (partition) =>
        `  partition ${partition.number}: ext2 "${partition.label}", ${formatBytes(partition.size)}${partition.label === 'ASTKD' ? ' (the keydisk)' : " (AstLinux's writable layer)"}`,
    ),
    result.keydisk
      ? result.partitions.some((partition) => partition.label === 'ASTKD')
        ? '  keydisk copied into the ASTKD partition'
        : '  keydisk kd.img copied'
      : result.partitions.some((partition) => partition.label === 'ASTKD')
        ? '  keydisk: the empty ASTKD partition'
        : '  no keydisk',
  ]);
}
