import { parseArgs } from 'node:util';
import { type CardSources, readCardSources } from '../../core/card/network-source.js';
import { openTarget } from '../../core/card/target.js';
import type { JobOf } from '../../core/writer/jobs.js';
import { UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { asUsage, type Command, DRIVE_OPTIONS, runOnCard } from './support.js';

export const source: Command = {
  ...ABOUT.source,
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({
        args,
        allowPositionals: true,
        options: {
          'no-card': { type: 'boolean' },
          ip: { type: 'string' },
          dhcp: { type: 'boolean' },
          ...DRIVE_OPTIONS,
          yes: { type: 'boolean', short: 'y' },
        },
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
    if (values.ip !== undefined && values.dhcp) throw new UsageError('Give either --ip or --dhcp, not both.');
    if (action === 'clear' && (values.ip !== undefined || values.dhcp || values['no-card'])) {
      throw new UsageError('source clear takes no --ip, --dhcp or --no-card: it clears them all.');
    }
    // Neither --ip nor --dhcp: the card keeps the address it has.
    const ip = values.dhcp ? null : values.ip;
    const job: JobOf<'sources'> = {
      kind: 'sources',
      urls,
      ...(values['no-card'] ? { cardFallback: false } : {}),
      ...(ip === undefined ? {} : { ip }),
    };
    report(out, await runOnCard(target, job, values, out, 'change its sources'));
  },
};

function report(out: Parameters<Command['run']>[1], sources: CardSources) {
  out.result(sources, () =>
    sources.urls.length === 0
      ? ['The card boots its own images only.']
      : [
          ...sources.urls.map((url, index) => `${index + 1}. ${url}`),
          sources.cardFallback ? 'then the card’s own images.' : 'and never the card’s own images.',
          sources.ip ? `Network: static address ${sources.ip}.` : 'Network: DHCP.',
        ],
  );
}
