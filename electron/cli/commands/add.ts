import { parseArgs } from 'node:util';
import { imageFromFile } from '../../core/card/image-source.js';
import { addImages } from '../../core/card/images.js';
import { formatBytes, UsageError } from '../output.js';
import { asUsage, type Command, openForChange, progressTo } from './support.js';

export const add: Command = {
  name: 'add',
  usage: 'add <target> <image>… [--keep N] [--yes]',
  summary: 'copy AstLinux images (with their checksums) onto a card, safely',
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
    const sources = await Promise.all(files.map((path) => imageFromFile(path)));
    const disk = await openForChange(target, values.yes);
    try {
      const result = await addImages(disk, sources, {
        ...(keep === undefined ? {} : { keep }),
        onProgress: progressTo(out),
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
