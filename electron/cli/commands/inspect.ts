import { parseArgs } from 'node:util';
import { builtLoaderVersion } from '../../core/card/assets.js';
import { type CardReport, inspectCard, LOADER_NOT_STARTED } from '../../core/card/inspect.js';
import { openTarget } from '../../core/card/target.js';
import { formatBytes, UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { asUsage, type Command, cancelOnInterrupt, progressTo } from './support.js';

export const inspect: Command = {
  ...ABOUT.inspect,
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({ args, allowPositionals: true, options: { quick: { type: 'boolean' } } }),
    );
    const [target, ...extra] = positionals;
    if (!target || extra.length > 0) throw new UsageError(`usage: astcard ${inspect.usage}`);
    const appLoaderVersion = await builtLoaderVersion();
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
  if (report.damage && !report.damage.complete) {
    // What inspect read before the damage stopped it is no whole answer: say only what is known.
    return [
      `${report.target}: ${report.filesystem ?? 'FAT'} volume${report.label ? ` "${report.label}"` : ''}, damaged; what it boots cannot be told until it is repaired`,
      ...report.damage.problems.map((found) => `  damage: ${found.message} ${found.fix}`),
      ...report.problems.map((found) => `  problem: ${found.message}`),
    ];
  }
  if (!report.astlinux)
    return [`${report.target}: ${report.problems[0]?.message ?? 'Not an AstLinux card.'}`];
  const lines = [
    `${report.target}: AstLinux card, ${report.layout === 'mbr' ? 'partitioned' : 'superfloppy'}, ${report.filesystem} "${report.label}" (${report.serial})`,
    `  loader: ${loaderLine(report)}; SYSLINUX ${report.syslinux?.version ?? 'not found'}`,
    `  free: ${formatBytes(report.free ?? 0)}`,
  ];
  for (const partition of report.partitions) {
    lines.push(
      `  partition ${partition.number}: ${partition.label ? `ext2 "${partition.label}"` : `type 0x${partition.type.toString(16)}`}, ${formatBytes(partition.size)}${partition.role === 'keydisk' ? ' (AstLinux keydisk)' : partition.role === 'writable' ? " (AstLinux's writable layer)" : ''}`,
    );
  }
  if (report.signatures.policy !== 'off') {
    lines.push(
      `  signatures: ${report.signatures.policy === 'required' ? 'only signed images boot' : 'signed images boot first'} (${report.signatures.keys} trusted key${report.signatures.keys === 1 ? '' : 's'})`,
    );
  }
  lines.push('  images:');
  for (const image of report.images) {
    lines.push(
      `    ${image.boots ? '>' : ' '} ${image.name.padEnd(28)} ${formatBytes(image.size).padStart(10)}  ${checksumWords(image)}`,
    );
  }
  lines.push(...bootLines(report));
  if (report.pin) lines.push(`  pinned version: ${report.pin}`);
  if (report.network) lines.push(`  network boot: ${networkBootLine(report.network)}`);
  lines.push(`  keydisk: ${report.keydisk.present ? (report.keydisk.location ?? 'present') : 'none'}`);
  for (const problem of report.problems) lines.push(`  problem: ${problem.message}`);
  return lines;
}

function loaderLine(report: CardReport): string {
  const runnix = report.runnix;
  const runnixName = `RUNNIX${runnix?.version ? ` (${runnix.version})` : ''}`;
  if (report.bootLoader === 'runnix') {
    return `${runnixName}, AstLinux's own loader${runnix?.previous ? '; the previous RUNNIX is kept as Xrunnix' : ''}`;
  }
  if (!report.loader.present) return 'missing';
  if (report.problems.some((problem) => problem.code === LOADER_NOT_STARTED))
    return 'present but SYSLINUX would not start it';
  const ours = `astcard's, version ${report.loader.version ?? 'unknown'}`;
  return runnix ? `${ours}; ${runnixName} kept as the "${runnix.label}" label` : ours;
}

/** Where an image's checksum stands, in words that claim no more than inspect knows. */
function checksumWords(image: CardReport['images'][number]): string {
  const signer = image.signature?.status === 'signed' ? `, signed by ${image.signature.signer}` : '';
  if (image.checksum !== 'ok') return `checksum ${image.checksum}${signer}`;
  const against =
    image.checksumSource === 'recorded'
      ? " (astcard's own: none was published)"
      : image.checksumSource === 'signed'
        ? ' (the signed SHA-256)'
        : '';
  const content =
    image.verdict === 'mount-failed'
      ? '; but it cannot be opened'
      : image.verdict === 'no-kernel'
        ? '; but it holds no kernel'
        : image.verdict === 'not-partition-1'
          ? '; but AstLinux would not find this card'
          : '';
  return `checksum ok${against}${signer}${content}`;
}

function bootLines(report: CardReport): string[] {
  const boot = report.boot;
  if (report.bootLoader === 'runnix') {
    const why = (report.runnix?.prediction.lines ?? []).map((line) => `    ${line}`);
    if (!boot) return ['  boots (RUNNIX): nothing — RUNNIX would stop at its shell', ...why];
    return [`  boots (RUNNIX): ${boot.image}`, ...why];
  }
  if (!boot && report.problems.some((problem) => problem.code === LOADER_NOT_STARTED))
    return ['  boots: nothing — SYSLINUX would not start the loader'];
  if (!boot) return ['  boots: nothing — the loader would stop at a rescue shell'];
  if (!boot.verified) return [`  boots: ${boot.image}, if its checksum matches (not checked: --quick)`];
  const image = report.images.find((candidate) => candidate.name === boot.image);
  const against =
    image?.checksumSource === 'recorded'
      ? 'checksum matches the one astcard recorded when it copied the image; none was published'
      : image?.checksumSource === 'signed'
        ? `signature and checksum verified, signed by ${image.signature?.signer ?? 'a trusted key'}`
        : 'checksum verified against its published checksum';
  return [`  boots: ${boot.image} (${against})`];
}

/** What the loader tries before the card's own images, as one line. */
export function networkBootLine(network: NonNullable<CardReport['network']>): string {
  const address = network.ip ? `static address ${network.ip}` : 'DHCP';
  const then = network.cardFallback ? "then the card's own images" : "never the card's own images";
  return `${network.sources.join(', then ')} first (${address}); ${then}`;
}
