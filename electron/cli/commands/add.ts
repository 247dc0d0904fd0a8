import { parseArgs } from 'node:util';
import { formatBytes, UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { asUsage, type Command, DRIVE_OPTIONS, runOnCard, withStagedSources } from './support.js';

export const add: Command = {
  ...ABOUT.add,
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
    const result = await withStagedSources(files, null, out, (staged) =>
      runOnCard(
        target,
        { kind: 'add', images: staged.paths, ...(keep === undefined ? {} : { keep }) },
        values,
        out,
        'add images to it',
      ),
    );
    out.result(result, () => [
      ...result.added.map(
        (image) => `Added ${image.name} (${formatBytes(image.size)}), written and verified.`,
      ),
      ...result.removed.map((name) => `Removed ${name} (--keep ${keep}).`),
    ]);
  },
};
