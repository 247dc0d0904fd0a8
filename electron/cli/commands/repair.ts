import { parseArgs } from 'node:util';
import { UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { asUsage, type Command, DRIVE_OPTIONS, runOnCard } from './support.js';

export const repair: Command = {
  ...ABOUT.repair,
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({ args, allowPositionals: true, options: { ...DRIVE_OPTIONS } }),
    );
    const [target, ...extra] = positionals;
    if (!target || extra.length > 0) throw new UsageError(`usage: astcard ${repair.usage}`);
    const result = await runOnCard(target, { kind: 'repair' }, values, out, 'repair it');
    out.result(result, () => [
      ...(result.repaired.length === 0 && result.remaining.length === 0
        ? ['Nothing to repair: the file system is sound.']
        : []),
      ...result.repaired.map((problem) => `Repaired: ${problem.message}`),
      ...result.remaining.map((problem) => `Still wrong: ${problem.message}`),
      ...(result.writable
        ? []
        : [
            'astcard cannot put that right and will not write to this card until it is fixed. Copy off the files you need (astcard keydisk export for the keydisk), then erase the card with astcard prepare.',
          ]),
    ]);
    if (!result.writable) out.resultIsFailure();
  },
};
