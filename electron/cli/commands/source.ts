import { parseArgs } from 'node:util';
import { readCardSources, setCardSources } from '../../core/card/network-source.js';
import { openTarget } from '../../core/card/target.js';
import { UsageError } from '../output.js';
import { asUsage, type Command, openForChange } from './support.js';

export const source: Command = {
  name: 'source',
  usage:
    'source show <target> | source set <target> <url>… [--no-card] [--yes] | source clear <target> [--yes]',
  summary: 'where a card boots from over the network (http, https, ftp, tftp, nfs), its own images last',
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({
        args,
        allowPositionals: true,
        options: { 'no-card': { type: 'boolean' }, yes: { type: 'boolean', short: 'y' } },
      }),
    );
    const [action, target, ...urls] = positionals;
    const usage = new UsageError(`usage: astcard ${source.usage}`);
    if (!target) throw usage;
    if (action === 'show' && urls.length === 0) {
      const disk = await openTarget(target, { readOnly: true });
      try {
        report(out, await readCardSources(disk));
      } finally {
        await disk.close();
      }
      return;
    }
    if (!((action === 'set' && urls.length > 0) || (action === 'clear' && urls.length === 0))) throw usage;
    const disk = await openForChange(target, values.yes);
    try {
      const result = await setCardSources(disk, urls, { cardFallback: !values['no-card'] });
      await disk.flush();
      report(out, result);
    } finally {
      await disk.close();
    }
  },
};

function report(out: Parameters<Command['run']>[1], sources: { urls: string[]; cardFallback: boolean }) {
  out.result(sources, () =>
    sources.urls.length === 0
      ? ['The card boots its own images only.']
      : [
          ...sources.urls.map((url, index) => `${index + 1}. ${url}`),
          sources.cardFallback ? 'then the card’s own images.' : 'and never the card’s own images.',
        ],
  );
}
