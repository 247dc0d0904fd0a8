/** The card doctor's report as the window's data: the card's state for the Cards list, and the Card view. */
import type { CardState, CardSummary, CardView } from '../../shared/api.js';
import type { CardReport } from '../core/card/inspect.js';

export function stateOf(report: CardReport): CardState {
  // Read only partway: whatever else the report says is not the whole card.
  if (report.damage && !report.damage.complete) return { kind: 'damaged' };
  if (!report.astlinux) {
    return report.filesystem === null
      ? { kind: 'empty' }
      : { kind: 'foreign', filesystem: report.filesystem };
  }
  const damaged = (image: CardReport['images'][number]) =>
    image.checksum !== 'ok' && image.checksum !== 'unverified';
  // The images list is in the loader's order: what comes before the booting image was tried first.
  const bootsAt = report.boot ? report.images.findIndex((image) => image.name === report.boot?.image) : -1;
  const before = bootsAt < 0 ? report.images : report.images.slice(0, bootsAt);
  const after = bootsAt < 0 ? [] : report.images.slice(bootsAt + 1);
  return {
    kind: 'astlinux',
    boot: report.boot ? { image: report.boot.image, version: report.boot.version } : null,
    verified: report.boot?.verified ?? false,
    network: report.network ? (report.network.cardFallback ? 'first' : 'only') : 'none',
    images: report.images.length,
    damagedBefore: before.filter(damaged).length,
    damagedAfter: after.filter(damaged).length,
    loaderPresent: report.loader.present,
    ...(report.damage ? { volumeDamaged: true } : {}),
  };
}

/**
 * A quick look computes no checksum: it must not take away what an earlier full check of the same card
 * established, as long as the quick look sees the same image booting and nothing newly damaged.
 */
export function keepVerified(previous: CardState | undefined, quick: CardState): CardState {
  if (
    previous?.kind === 'astlinux' &&
    previous.verified &&
    quick.kind === 'astlinux' &&
    quick.boot?.image === previous.boot?.image &&
    quick.damagedBefore + quick.damagedAfter === 0 &&
    quick.loaderPresent
  ) {
    return { ...quick, verified: true };
  }
  return quick;
}

export function viewOf(card: CardSummary, report: CardReport): CardView {
  return {
    card,
    astlinux: report.astlinux,
    layout: report.layout,
    filesystem: report.filesystem,
    label: report.label,
    free: report.free,
    loader: { ...report.loader },
    images: report.images.map(({ name, version, size, checksum, checksumSource, line, boots }) => ({
      name,
      version,
      size,
      checksum,
      checksumSource,
      line,
      boots,
    })),
    boot: report.boot ? { ...report.boot } : null,
    bootLines: report.bootLines.slice(),
    runnix: report.runnix ? { version: report.runnix.version, isDefault: report.runnix.isDefault } : null,
    keydisk: { ...report.keydisk },
    revert: report.revert ? { ...report.revert } : null,
    problems: report.problems.map(({ code, message }) => ({ code, message })),
    damage: report.damage
      ? {
          problems: report.damage.problems.map(({ code, message, fix }) => ({ code, message, fix })),
          complete: report.damage.complete,
        }
      : null,
    quick: report.quick,
    firmware: { ...report.firmware },
    efi: report.efi
      ? {
          program: report.efi.program,
          syslinuxVersion: report.efi.syslinuxVersion,
          ldlinuxE64: report.efi.ldlinuxE64,
          config: report.efi.config,
          differences: report.efi.differences.slice(),
        }
      : null,
  };
}
