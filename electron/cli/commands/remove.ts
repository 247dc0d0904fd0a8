import { parseArgs } from 'node:util';
import { removeImages } from '../../core/card/images.js';
import { UsageError } from '../output.js';
import { asUsage, type Command, DRIVE_OPTIONS, isDrive, openForChange, runOnDrive } from './support.js';

export const remove: Command = {
  name: 'remove',
  usage: 'remove <target> <version|image>… [--yes] [--confirm-name NAME]',
  summary: 'remove images from a card (checksum file first, so a half-removed image never boots)',
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({ args, allowPositionals: true, options: { ...DRIVE_OPTIONS } }),
    );
    const [target, ...which] = positionals;
    if (!target || which.length === 0) throw new UsageError(`usage: astcard ${remove.usage}`);
    const report = (removed: string[]) =>
      out.result({ removed }, () => removed.map((name) => `Removed ${name}.`));
    if (await isDrive(target)) {
      const job = { kind: 'remove', images: which } as const;
      const result = (await runOnDrive(target, job, values, out, 'remove images from it')) as {
        removed: string[];
      };
      report(result.removed);
      return;
    }
    const disk = await openForChange(target, values.yes);
    try {
      const removed = await removeImages(disk, which);
      await disk.flush();
      report(removed);
    } finally {
      await disk.close();
    }
  },
};
