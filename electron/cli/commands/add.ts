import { parseArgs } from 'node:util';
import { addImages } from '../../core/card/images.js';
import { resolveImageSources } from '../../core/card/sources.js';
import { formatBytes, UsageError } from '../output.js';
import { asUsage, type Command, cancelOnInterrupt, openForChange, progressTo } from './support.js';

export const add: Command = {
  name: 'add',
  usage: 'add <target> <image|archive|url>… [--keep N] [--yes]',
  summary: 'copy AstLinux images (files, .tar.gz/.zip archives or http(s) URLs) onto a card, safely',
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({
        args,
        allowPositionals: true,
        options: { keep: { type: 'string' }, yes: { type: 'boolean' } },
      }),
    );
    const [target, ...files] = positionals;
    if (!target || files.length === 0) throw new UsageError(`usage: astcard ${add.usage}`);
    const keep = values.keep === undefined ? undefined : Number(values.keep);
    if (keep !== undefined && (!Number.isInteger(keep) || keep < 1))
      throw new UsageError('--keep takes a number, 1 or more');
    const signal = cancelOnInterrupt();
    const sources = await resolveImageSources(files, { signal });
    const disk = await openForChange(target, values.yes);
    try {
      const result = await addImages(disk, sources, {
        ...(keep === undefined ? {} : { keep }),
        onProgress: progressTo(out),
        signal,
      });
      await disk.flush();
      out.result(result, () => [
        ...result.added.map(
          (image) => `Added ${image.name} (${formatBytes(image.size)}), written and verified.`,
        ),
        ...result.removed.map((name) => `Removed ${name} (--keep ${keep}).`),
      ]);
    } finally {
      await disk.close();
    }
  },
};
