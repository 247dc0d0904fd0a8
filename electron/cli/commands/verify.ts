import { parseArgs } from 'node:util';
import { CardError } from '../../core/card/card-error.js';
import { inspectCard } from '../../core/card/inspect.js';
import { openTarget } from '../../core/card/target.js';
import { UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { asUsage, type Command, cancelOnInterrupt, progressTo } from './support.js';

export const verify: Command = {
  ...ABOUT.verify,
  async run(args, out) {
    const { positionals } = asUsage(() => parseArgs({ args, allowPositionals: true, options: {} }));
    const [target, ...extra] = positionals;
    if (!target || extra.length > 0) throw new UsageError(`usage: astcard ${verify.usage}`);
    const disk = await openTarget(target, { readOnly: true });
    try {
      const report = await inspectCard(disk, { onProgress: progressTo(out), signal: cancelOnInterrupt() });
      if (!report.astlinux) throw new CardError('not-a-card', `${target} is not an AstLinux card.`);
      const bad = report.images.filter((image) => image.checksum !== 'ok');
      out.result({ images: report.images, boot: report.boot, ok: bad.length === 0 }, () => [
        ...report.images.map((image) => `${image.name}: ${image.checksum === 'ok' ? 'ok' : image.line}`),
        report.boot ? `The card boots ${report.boot.image}.` : 'Nothing on this card can boot.',
      ]);
      if (bad.length > 0) out.resultIsFailure();
    } finally {
      await disk.close();
    }
  },
};
