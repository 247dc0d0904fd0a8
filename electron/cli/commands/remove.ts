import { parseArgs } from 'node:util';
import { UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { asUsage, type Command, DRIVE_OPTIONS, runOnCard } from './support.js';

export const remove: Command = {
  ...ABOUT.remove,
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({ args, allowPositionals: true, options: { ...DRIVE_OPTIONS } }),
    );
    const [target, ...which] = positionals;
    if (!target || which.length === 0) throw new UsageError(`usage: astcard ${remove.usage}`);
    const { removed } = await runOnCard(
      target,
      { kind: 'remove', images: which },
      values,
      out,
      'remove images from it',
    );
    out.result({ removed }, () => removed.map((name) => `Removed ${name}.`));
  },
};
