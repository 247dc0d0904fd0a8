import { parseArgs } from 'node:util';
import { removeImages } from '../../core/card/images.js';
import { UsageError } from '../output.js';
import { asUsage, type Command, openForChange } from './support.js';

export const remove: Command = {
  name: 'remove',
  usage: 'remove <target> <version|image>… [--yes]',
  summary: 'remove images from a card (checksum file first, so a half-removed image never boots)',
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({ args, allowPositionals: true, options: { yes: { type: 'boolean' } } }),
    );
    const [target, ...which] = positionals;
    if (!target || which.length === 0) throw new UsageError(`usage: astcard ${remove.usage}`);
    const disk = await openForChange(target, values.yes);
    try {
      const removed = await removeImages(disk, which);
      await disk.flush();
      out.result({ removed }, () => removed.map((name) => `Removed ${name}.`));
    } finally {
      await disk.close();
    }
  },
};
