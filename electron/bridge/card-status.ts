/** The card doctor's report in the window's words: the one-line status and the Card view. */
import type { CardSummary, CardView, StatusTone } from '../../shared/api.js';
import type { CardReport } from '../core/card/inspect.js';

export interface StatusLine {
  status: string;
  tone: StatusTone;
}

export function statusOf(report: CardReport): StatusLine {
  if (!report.astlinux) {
    if (report.filesystem === null) return { status: 'Empty', tone: 'neutral' };
    return { status: `Not an AstLinux card (${report.filesystem})`, tone: 'neutral' };
  }
  if (report.network && !report.network.cardFallback)
    return { status: 'AstLinux card — boots from the network only', tone: 'neutral' };
  if (report.boot) {
    const version = report.boot.version ?? report.boot.image;
    const mark = report.boot.verified ? ' ✓' : '';
    const damaged = report.images.some((image) => image.checksum !== 'ok' && image.checksum !== 'unverified');
    const network = report.network ? 'network first, then ' : '';
    return {
      status: `AstLinux card — ${network}boots ${version}${mark}${damaged ? ' (a newer image is damaged)' : ''}`,
      tone: damaged || !report.loader.present ? 'warning' : 'good',
    };
  }
  if (report.images.length === 0) return { status: 'AstLinux card — no images yet', tone: 'warning' };
  return { status: 'AstLinux card — nothing can boot', tone: 'bad' };
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
    images: report.images.map(({ name, version, size, checksum, line, boots }) => ({
      name,
      version,
      size,
      checksum,
      line,
      boots,
    })),
    boot: report.boot ? { ...report.boot } : null,
    bootLines: report.bootLines.slice(),
    keydisk: { ...report.keydisk },
    problems: report.problems.map(({ code, message }) => ({ code, message })),
    quick: report.quick,
  };
}
