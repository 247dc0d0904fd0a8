import { parseArgs } from 'node:util';
import { loadLoaderAssets } from '../../core/card/assets.js';
import { type CardReport, inspectCard } from '../../core/card/inspect.js';
import { openTarget } from '../../core/card/target.js';
import { formatBytes, UsageError } from '../output.js';
import { asUsage, type Command, cancelOnInterrupt, progressTo } from './support.js';

export const inspect: Command = {
  name: 'inspect',
  usage: 'inspect <target> [--quick]',
  summary: 'show what is on a card, which image it will boot, and what is wrong with it',
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({ args, allowPositionals: true, options: { quick: { type: 'boolean' } } }),
    );
    const [target, ...extra] = positionals;
    if (!target || extra.length > 0) throw new UsageError(`usage: astcard ${inspect.usage}`);
    const appLoaderVersion = await loadLoaderAssets().then(
      (loader) => loader.version,
      () => null,
    );
    const disk = await openTarget(target, { readOnly: true });
    try {
      const report = await inspectCard(disk, {
        quick: values.quick ?? false,
        appLoaderVersion,
        onProgress: progressTo(out),
        signal: cancelOnInterrupt(),
      });
      out.result(report, () => describeReport(report));
    } finally {
      await disk.close();
    }
  },
};

export function describeReport(report: CardReport): string[] {
  if (!report.astlinux)
    return [`${report.target}: ${report.problems[0]?.message ?? 'Not an AstLinux card.'}`];
  const lines = [
    `${report.target}: AstLinux card, ${report.layout === 'mbr' ? 'partitioned' : 'superfloppy'}, ${report.filesystem} "${report.label}" (${report.serial})`,
    `  loader: ${report.loader.present ? `present, version ${report.loader.version ?? 'unknown'}` : 'missing'}; SYSLINUX ${report.syslinux?.version ?? 'not found'}`,
    `  free: ${formatBytes(report.free ?? 0)}`,
    '  images:',
    ...report.images.map(
      (image) =>
        `    ${image.boots ? '>' : ' '} ${image.name.padEnd(28)} ${formatBytes(image.size).padStart(10)}  checksum ${image.checksum}`,
    ),
  ];
  if (report.boot) {
    lines.push(
      report.boot.verified
        ? `  boots: ${report.boot.image} (checksum verified)`
        : `  boots: ${report.boot.image}, if its checksum matches (not checked: --quick)`,
    );
  } else lines.push('  boots: nothing — the loader would stop at a rescue shell');
  if (report.pin) lines.push(`  pinned version: ${report.pin}`);
  if (report.network) lines.push(`  network boot: ${networkBootLine(report.network)}`);
  lines.push(`  keydisk: ${report.keydisk.present ? (report.keydisk.location ?? 'present') : 'none'}`);
  for (const problem of report.problems) lines.push(`  problem: ${problem.message}`);
  return lines;
}

/** What the loader tries before the card's own images, as one line. */
export function networkBootLine(network: NonNullable<CardReport['network']>): string {
  const address = network.ip ? `static address ${network.ip}` : 'DHCP';
  const then = network.cardFallback ? "then the card's own images" : "never the card's own images";
  return `${network.sources.join(', then ')} first (${address}); ${then}`;
}
