import { parseArgs } from 'node:util';
import { type AddImagesResult, addImages } from '../../core/card/images.js';
import { resolveImageSources } from '../../core/card/sources.js';
import { stageImages } from '../../core/card/stage-images.js';
import { formatBytes, UsageError } from '../output.js';
import {
  asUsage,
  type Command,
  cancelOnInterrupt,
  DRIVE_OPTIONS,
  isDrive,
  openForChange,
  progressTo,
  runOnDrive,
} from './support.js';

export const add: Command = {
  name: 'add',
  usage: 'add <target> <image|archive|url>… [--keep N] [--yes] [--confirm-name NAME]',
  summary: 'copy AstLinux images (files, .tar.gz/.zip archives or http(s) URLs) onto a card, safely',
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({
        args,
        allowPositionals: true,
        options: { keep: { type: 'string' }, ...DRIVE_OPTIONS },
      }),
    );
    const [target, ...files] = positionals;
    if (!target || files.length === 0) throw new UsageError(`usage: astcard ${add.usage}`);
    const keep = values.keep === undefined ? undefined : Number(values.keep);
    if (keep !== undefined && (!Number.isInteger(keep) || keep < 1))
      throw new UsageError('--keep takes a number, 1 or more');
    const signal = cancelOnInterrupt();
    const report = (result: AddImagesResult) =>
      out.result(result, () => [
        ...result.added.map(
          (image) => `Added ${image.name} (${formatBytes(image.size)}), written and verified.`,
        ),
        ...result.removed.map((name) => `Removed ${name} (--keep ${keep}).`),
      ]);
    if (await isDrive(target)) {
      const staged = await stageImages(files, signal);
      try {
        const job = { kind: 'add', images: staged.paths, ...(keep === undefined ? {} : { keep }) } as const;
        report((await runOnDrive(target, job, values, out, 'add images to it')) as AddImagesResult);
      } finally {
        await staged.cleanup();
      }
      return;
    }
    const sources = await resolveImageSources(files, { signal });
    const disk = await openForChange(target, values.yes);
    try {
      const result = await addImages(disk, sources, {
        ...(keep === undefined ? {} : { keep }),
        onProgress: progressTo(out),
        signal,
      });
      await disk.flush();
      report(result);
    } finally {
      await disk.close();
    }
  },
};
