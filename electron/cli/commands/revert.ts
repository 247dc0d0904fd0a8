import { parseArgs } from 'node:util';
import type { RevertResult } from '../../core/card/revert.js';
import { type Output, UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { asUsage, type Command, DRIVE_OPTIONS, runOnCard } from './support.js';

export const revert: Command = {
  ...ABOUT.revert,
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({ args, allowPositionals: true, options: { ...DRIVE_OPTIONS } }),
    );
    const [target, ...extra] = positionals;
    if (!target || extra.length > 0) throw new UsageError(`usage: astcard ${revert.usage}`);
    report(out, target, await runOnCard(target, { kind: 'revert' }, values, out, 'revert it'));
  },
};

function report(out: Output, target: string, result: RevertResult): void {
  out.result(result, () => {
    const back = result.previous ? ` Revert again to go back to ${result.previous}.` : '';
    if (result.by === 'runnix')
      return [`${target} now boots ${result.boots} (os/ver; it was checked first).${back}`];
    return [
      result.pin
        ? `${target} now boots ${result.boots}: astcard's loader is pinned to it (astlinux.pin), and falls back to the newest release that verifies if it ever stops verifying.${back}`
        : `${target} boots the newest release that verifies again, ${result.boots}: the pin is gone.${back}`,
      'Adding a release removes the pin, so an upgrade boots the new release.',
    ];
  });
}
