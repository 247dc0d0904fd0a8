import { parseArgs } from 'node:util';
import type { UpdateLoaderResult } from '../../core/card/loader-update.js';
import { type Output, UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { asUsage, type Command, DRIVE_OPTIONS, runOnCard } from './support.js';

export const loader: Command = {
  ...ABOUT.loader,
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({
        args,
        allowPositionals: true,
        options: { force: { type: 'boolean' }, ...DRIVE_OPTIONS },
      }),
    );
    const [action, target, ...extra] = positionals;
    if (action !== 'update' || !target || extra.length > 0)
      throw new UsageError(`usage: astcard ${loader.usage}`);
    const job = { kind: 'loader-update', ...(values.force ? { force: true } : {}) } as const;
    report(out, target, await runOnCard(target, job, values, out, 'update its loader'));
  },
};

function report(out: Output, target: string, result: UpdateLoaderResult): void {
  out.result(result, () => {
    const lines: string[] = [];
    if (result.syslinuxRepaired.length > 0)
      lines.push(`Repaired SYSLINUX (${result.syslinuxRepaired.join(', ')}).`);
    if (!result.changed) {
      lines.push(`${target} already has loader ${result.loaderVersion}; nothing to do.`);
      return lines;
    }
    lines.push(
      `Updated the loader on ${target} to ${result.loaderVersion}${result.previousVersion ? ` (was ${result.previousVersion})` : ''}.`,
    );
    if (result.fallback)
      lines.push(
        `The previous loader stays on the card as the "previous" entry (${result.fallback.kernel}, ${result.fallback.initrd}).`,
      );
    if (result.runnixLabels.length > 0)
      lines.push(
        `RUNNIX stays on the card as a label to choose at the boot: prompt (${result.runnixLabels.join(', ')}); its releases and partitions are untouched.`,
      );
    return lines;
  });
}
