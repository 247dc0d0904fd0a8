import { parseArgs } from 'node:util';
import { loadLoaderAssets, loadSyslinuxAssets } from '../../core/card/assets.js';
import { updateLoader } from '../../core/card/loader-update.js';
import { UsageError } from '../output.js';
import { asUsage, type Command, cancelOnInterrupt, openForChange, progressTo } from './support.js';

export const loader: Command = {
  name: 'loader',
  usage: 'loader update <target> [--force] [--yes]',
  summary: "put this app's loader on a card (the old one stays as a fallback) and repair SYSLINUX",
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({
        args,
        allowPositionals: true,
        options: { force: { type: 'boolean' }, yes: { type: 'boolean' } },
      }),
    );
    const [action, target, ...extra] = positionals;
    if (action !== 'update' || !target || extra.length > 0)
      throw new UsageError(`usage: astcard ${loader.usage}`);
    const [assets, syslinux] = await Promise.all([loadLoaderAssets(), loadSyslinuxAssets()]);
    const disk = await openForChange(target, values.yes);
    try {
      const result = await updateLoader(disk, {
        loader: assets,
        syslinux,
        force: values.force ?? false,
        onProgress: progressTo(out),
        signal: cancelOnInterrupt(),
      });
      await disk.flush();
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
        return lines;
      });
    } finally {
      await disk.close();
    }
  },
};
