/**
 * A batch: one image set onto several cards at once. Each image is read from its source once and fanned
 * out to every card (card/prepare-many.ts); each card is then prepared, read back and inspected on its
 * own, and its line goes into the report the moment it is done. One card failing — a write error, a
 * failed read-back, a bad CSV value — fails that card alone.
 */
import type { BlockDevice } from '../block/block-device.js';
import { uncachedView } from '../block/uncached-view.js';
import { CARD_FILES, type LoaderAssets } from '../card/assets.js';
import { openCardVolume } from '../card/card-volume.js';
import type { ImageSource } from '../card/image-source.js';
import { inspectCard } from '../card/inspect.js';
import { prepareCard } from '../card/prepare.js';
import { fanOut } from '../card/prepare-many.js';
import type { Progress } from '../card/progress.js';
import { errorData } from '../errors.js';
import type { SyslinuxBinaries } from '../syslinux/binaries.js';
import { BatchError } from './batch-error.js';
import type { BatchReport, CardRecord } from './batch-report.js';
import type { CardValues } from './card-values.js';
import { keydiskForCard } from './keydisk-template.js';
import type { RowPool } from './row-pool.js';

export interface BatchTarget {
  /** The slot or reader it sits in, as people see it ("slot 2", "/dev/sdc"). */
  slot: string;
  /** Its path: an image file or a drive. */
  target: string;
  model?: string | null;
  serial?: string | null;
  open(): Promise<BlockDevice>;
}

export type CardState = 'waiting' | 'writing' | 'done' | 'failed';

export interface CardStatus {
  slot: string;
  target: string;
  state: CardState;
  progress?: Progress;
  keydiskId?: string | null;
  record?: CardRecord;
}

export interface BatchOptions {
  /** Names this batch in the report (e.g. a timestamp or an order number). */
  batch: string;
  images: ImageSource[];
  loader: LoaderAssets;
  syslinux: SyslinuxBinaries;
  /** Per-card keydisks: the template plus the pool of CSV rows; a plain keydisk for all cards otherwise. */
  keydisk?: { template: Uint8Array; rows: RowPool } | { data: Uint8Array } | null;
  report: BatchReport;
  onStatus?: (status: CardStatus) => void;
  signal?: AbortSignal;
  /** Per card, how far it may lag behind the shared source reader before reading on its own. */
  maxBufferedBytes?: number;
}

export async function runBatch(targets: BatchTarget[], options: BatchOptions): Promise<CardRecord[]> {
  if (targets.length === 0) return [];
  const fans = options.images.map((image) =>
    fanOut(
      image,
      targets.length,
      options.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: options.maxBufferedBytes },
    ),
  );
  const sourcesFor = (card: number) => fans.map((fan) => fan.sources[card] as ImageSource);
  const release = (card: number) => {
    for (const fan of fans) fan.release(card);
  };
  const sharedDigest = (index: number) => fans[index]?.sourceSha1() ?? null;
  return Promise.all(
    targets.map((target, card) =>
      provisionCard(target, sourcesFor(card), options, sharedDigest).finally(() => release(card)),
    ),
  );
}

/** Provisions one card and reports it; never throws for the card's own failure. */
export async function provisionCard(
  target: BatchTarget,
  images: ImageSource[],
  options: BatchOptions,
  sharedDigest: (index: number) => string | null = () => null,
): Promise<CardRecord> {
  const startedAt = new Date().toISOString();
  const status = (state: CardState, extra: Partial<CardStatus> = {}) =>
    options.onStatus?.({ slot: target.slot, target: target.target, state, ...extra });
  const record: CardRecord = {
    batch: options.batch,
    slot: target.slot,
    target: target.target,
    model: target.model ?? null,
    serial: target.serial ?? null,
    size: 0,
    fatSerial: null,
    versions: [],
    digests: [],
    keydiskRow: null,
    keydiskId: null,
    keydiskSha1: null,
    startedAt,
    endedAt: startedAt,
    verified: false,
    error: null,
  };
  let row: CardValues | null = null;
  const rows = options.keydisk && 'rows' in options.keydisk ? options.keydisk.rows : null;
  let disk: BlockDevice | null = null;
  try {
    let keydisk: Uint8Array | null = null;
    if (options.keydisk && 'template' in options.keydisk && rows) {
      row = rows.claim();
      if (!row) {
        throw new BatchError(
          'rows-exhausted',
          'Every row of the CSV has gone onto a card already. Add rows to the CSV for more cards.',
        );
      }
      record.keydiskRow = row.row;
      record.keydiskId = row.id;
      // On disk before the row goes anywhere near the card: a crash from here on never frees it.
      await options.report.claimRow({
        batch: options.batch,
        slot: target.slot,
        target: target.target,
        keydiskRow: row.row,
        keydiskId: row.id,
        at: startedAt,
      });
      keydisk = await keydiskForCard(options.keydisk.template, row);
    } else if (options.keydisk && 'data' in options.keydisk) keydisk = options.keydisk.data;
    status('writing', { keydiskId: row?.id ?? null });
    disk = await target.open();
    record.size = disk.size;
    const result = await prepareCard(disk, {
      images,
      keydisk: keydisk ? { data: keydisk } : null,
      loader: options.loader,
      syslinux: options.syslinux,
      onProgress: (progress) => status('writing', { progress, keydiskId: row?.id ?? null }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    record.fatSerial = result.serial;
    record.versions = result.images.map((image) => image.name.replace(/^AstLinux-|\.img$/g, ''));
    record.digests = result.images.map((image) => `${image.name}=${image.sha1}`);
    if (keydisk) {
      const { createHash } = await import('node:crypto');
      record.keydiskSha1 = createHash('sha1').update(keydisk).digest('hex');
    }
    result.images.forEach((image, index) => {
      const shared = sharedDigest(index);
      if (shared && shared !== image.sha1) {
        throw new BatchError(
          'card-check-failed',
          `${image.name} on this card differs from the source read for the batch. Try the card again.`,
          { detail: `source ${shared}, card ${image.sha1}` },
        );
      }
    });
    await checkCard(
      disk,
      result.images.map((image) => image.name),
      keydisk !== null,
    );
    // The images were read back as they were copied; the keydisk is read back here, past the OS cache.
    if (keydisk) await checkKeydiskOnCard(disk, keydisk);
    record.verified = true;
  } catch (error) {
    const data = errorData(error);
    record.error = data.detail ? `${data.message} (${data.detail})` : data.message;
  } finally {
    await disk?.close().catch(() => {});
  }
  record.endedAt = new Date().toISOString();
  if (row && rows) {
    if (record.verified) rows.markUsed(row);
    else rows.release(row);
  }
  await options.report.append(record);
  status(record.verified ? 'done' : 'failed', { record, keydiskId: row?.id ?? null });
  return record;
}

async function checkKeydiskOnCard(disk: BlockDevice, keydisk: Uint8Array): Promise<void> {
  const { volume } = await openCardVolume(uncachedView(disk), { readOnly: true });
  const onCard = await volume.readFile(CARD_FILES.keydisk);
  if (Buffer.compare(onCard, keydisk) !== 0) {
    throw new BatchError(
      'card-check-failed',
      'The keydisk reads back differently from what was written: the card may be failing. Try another card.',
      { detail: `${CARD_FILES.keydisk}: ${onCard.length} bytes read back, ${keydisk.length} written` },
    );
  }
}

/** The card doctor's view of the finished card: what the loader would boot, and nothing it complains of. */
async function checkCard(disk: BlockDevice, images: string[], keydisk: boolean): Promise<void> {
  const report = await inspectCard(disk, { quick: true });
  const missing = images.filter(
    (name) => !report.images.some((image) => image.name === name && image.checksum !== 'missing'),
  );
  const problems = [
    ...(!report.astlinux ? ['not an AstLinux card'] : []),
    ...(!report.boot ? ['the loader would boot nothing'] : []),
    ...(!report.syslinux?.bootable ? ['not bootable'] : []),
    ...missing.map((name) => `${name} missing`),
    ...(keydisk && !report.keydisk.present ? ['kd.img missing'] : []),
  ];
  if (problems.length > 0) {
    throw new BatchError('card-check-failed', 'The finished card does not check out. Try another card.', {
      detail: problems.join('; '),
    });
  }
}
