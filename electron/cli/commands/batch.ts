import { readFile, realpath } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type BatchTarget, type CardStatus, runBatch } from '../../core/batch/batch-job.js';
import { BatchReport, type CardRecord, readUsedRows } from '../../core/batch/batch-report.js';
import { parseCardValues } from '../../core/batch/card-values.js';
import { driveArrivals } from '../../core/batch/drive-station.js';
import { RowPool } from '../../core/batch/row-pool.js';
import { runStation, watchFolderTargets } from '../../core/batch/station.js';
import { createKeydiskImage } from '../../core/card/keydisk.js';
import { stageImages } from '../../core/card/stage-images.js';
import { targetKind } from '../../core/card/target.js';
import { DriveWatcher } from '../../core/drives/drive-watcher.js';
import { type NewCardImage, newCardImage } from '../../core/writer/run-job.js';
import { formatBytes, UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { createBatchBoard } from './batch-board.js';
import { asUsage, type Command, cancelOnInterrupt, parseSize, progressTo } from './support.js';

export const batch: Command = {
  ...ABOUT.batch,
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({
        args,
        allowPositionals: true,
        options: {
          image: { type: 'string', multiple: true },
          report: { type: 'string' },
          'keydisk-template': { type: 'string' },
          'new-keydisk': { type: 'boolean' },
          csv: { type: 'string' },
          name: { type: 'string' },
          size: { type: 'string' },
          station: { type: 'boolean' },
          watch: { type: 'string' },
          drives: { type: 'boolean' },
          count: { type: 'string' },
          'min-size': { type: 'string' },
          'max-size': { type: 'string' },
          'only-empty': { type: 'boolean' },
          'only-astlinux': { type: 'boolean' },
          yes: { type: 'boolean' },
        },
      }),
    );
    if (!values.image?.length) throw new UsageError('give at least one --image');
    if (!values.report) throw new UsageError('give --report DIR: the folder the batch report is written to');
    if (values.csv && !values['keydisk-template'] && !values['new-keydisk'])
      throw new UsageError('--csv needs --keydisk-template kd.img or --new-keydisk to write its rows into');
    if (values['keydisk-template'] && values['new-keydisk'])
      throw new UsageError('give either --keydisk-template or --new-keydisk, not both');
    if (values['only-empty'] && values['only-astlinux'])
      throw new UsageError('--only-empty and --only-astlinux exclude each other');
    if (values.station ? positionals.length > 0 : positionals.length === 0)
      throw new UsageError(`usage: astcard ${batch.usage}`);

    const template = values['keydisk-template']
      ? new Uint8Array(await readInput(values['keydisk-template'], 'the keydisk template'))
      : values['new-keydisk']
        ? createKeydiskImage()
        : null;
    const usedRows = await readUsedRows(values.report);
    const rows = values.csv
      ? new RowPool(parseCardValues((await readInput(values.csv, 'the CSV')).toString('utf8')), usedRows)
      : null;
    const keydisk = template ? (rows ? { template, rows } : { data: template }) : null;
    const signal = cancelOnInterrupt();
    const station = values.station ? stationArguments(values) : null;
    // Every file the batch reads: none of them may be replaced by a new card image.
    const sources = [...values.image, values['keydisk-template'], values.csv].filter(
      (source): source is string => typeof source === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(source),
    );
    // New card images: each is kept once its card is written and verified; any other ending discards it.
    const newImages: { path: string; image: NewCardImage }[] = [];
    // As each card finishes, not from the batch's result: a batch that fails later keeps what it verified.
    const verified = new Set<string>();
    let records: CardRecord[] = [];
    try {
      const targets = station ? [] : await batchTargets(positionals, values, sources, newImages);
      const images = await stageImages(values.image, { signal, onProgress: progressTo(out) });
      const board = createBatchBoard(
        {
          write: (text) => {
            if (!out.json) process.stderr.write(text);
          },
          tty: process.stderr.isTTY === true,
          ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
        },
        { describe: (status) => `${status.slot}: ${status.record ? describe(status.record) : status.state}` },
      );
      try {
        const options = {
          batch: values.name ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          images: images.paths,
          keydisk,
          report: await BatchReport.open(values.report),
          signal,
          onStatus: (status: CardStatus) => {
            if (status.record?.verified) verified.add(status.target);
            board.update(status);
          },
        };
        if (station) {
          const rules = {
            ...(station.minBytes === undefined ? {} : { minBytes: station.minBytes }),
            ...(station.maxBytes === undefined ? {} : { maxBytes: station.maxBytes }),
          };
          const arrivals = station.watch
            ? watchFolderTargets(station.watch, { signal })
            : driveArrivals(new DriveWatcher(), {
                rules: {
                  ...rules,
                  ...(values['only-empty'] ? { onlyEmpty: true } : {}),
                  ...(values['only-astlinux'] ? { onlyAstlinux: true } : {}),
                },
                context: { platform: process.platform as 'linux' | 'darwin' | 'win32' },
                onRejected: (drive, reason) => board.say(`skipped ${drive.device}: ${reason}`),
                // The writer unmounts a card the desktop mounted when it takes the card: it may, we may not.
                unmount: async () => {},
                signal,
              });
          board.say(`Station: waiting for ${station.count} card${station.count === 1 ? '' : 's'}…`);
          let last = '';
          records = await runStation(arrivals, {
            ...options,
            count: station.count,
            arrivals: { drives: station.watch === undefined, ...rules },
            onRejected: (target, reason) => board.say(`skipped ${target.target}: ${reason}`),
            onStation: (status) => {
              const line = `${status.done}/${status.count} done, ${status.failed} failed`;
              if (line !== last) board.say(line);
              last = line;
            },
          });
        } else {
          records = await runBatch(targets, options);
        }
      } finally {
        board.close();
        await images.cleanup();
      }
    } finally {
      await settleNewImages(newImages, verified);
    }
    const failed = records.filter((record) => !record.verified).length;
    out.result({ report: values.report, cards: records }, () => [
      `${records.length - failed} of ${records.length} cards written and verified; report in ${values.report}.`,
    ]);
    if (failed > 0) out.resultIsFailure();
  },
};

type BatchValues = {
  count?: string | undefined;
  watch?: string | undefined;
  drives?: boolean | undefined;
  yes?: boolean | undefined;
  size?: string | undefined;
  'min-size'?: string | undefined;
  'max-size'?: string | undefined;
};

function stationArguments(values: BatchValues) {
  const count = Number(values.count);
  if (!Number.isSafeInteger(count) || count < 1)
    throw new UsageError('--station needs --count N (cards to make)');
  if (Boolean(values.watch) === Boolean(values.drives))
    throw new UsageError('--station needs either --watch DIR (image files) or --drives (card readers)');
  if (values.drives && !values.yes)
    throw new UsageError('--drives writes every card inserted without asking: add --yes to go ahead');
  return {
    count,
    watch: values.watch,
    minBytes: values['min-size'] ? parseSize(values['min-size']) : undefined,
    maxBytes: values['max-size'] ? parseSize(values['max-size']) : undefined,
  };
}

/**
 * The named targets: drives only with --yes; card images of --size made new, replacing a file with contents
 * only with --yes, only once its card has been written and verified, and never one the batch reads from.
 */
async function batchTargets(
  paths: string[],
  values: BatchValues,
  sources: string[],
  images: { path: string; image: NewCardImage }[],
): Promise<BatchTarget[]> {
  const createSize = values.size === undefined ? undefined : parseSize(values.size);
  const targets: BatchTarget[] = [];
  const named = new Set<string>();
  for (const [index, path] of paths.entries()) {
    const card = await realpath(path).catch(() => resolve(path));
    if (named.has(card)) throw new UsageError(`${path} is named twice; give each card once.`);
    named.add(card);
    const kind = await targetKind(path);
    if (kind === 'block-device' && !values.yes)
      throw new UsageError(`${path} is a drive: everything on it will be erased. Add --yes to go ahead.`);
    if (kind === 'missing' && createSize === undefined)
      throw new UsageError(`${path} does not exist; give --size to create new card images.`);
    let device: string | undefined;
    if (kind !== 'block-device' && createSize !== undefined) {
      const image = await newCardImage(path, { size: createSize, replace: Boolean(values.yes) }, sources);
      images.push({ path, image });
      if (image.device !== path) device = image.device;
    }
    targets.push({
      slot: `${index + 1}`,
      target: path,
      ...(device ? { device } : {}),
      model: kind === 'block-device' ? null : 'image file',
      serial: kind === 'block-device' ? null : basename(path),
    });
  }
  return targets;
}

/** Keeps each new card image whose card was verified and discards the rest, all of them even when one fails. */
async function settleNewImages(images: { path: string; image: NewCardImage }[], verified: Set<string>) {
  const failures: unknown[] = [];
  for (const { path, image } of images) {
    await (verified.has(path) ? image.keep() : image.discard()).catch((error: unknown) =>
      failures.push(error),
    );
  }
  if (failures.length > 0) throw failures[0];
}

function describe(record: CardRecord): string {
  if (!record.verified) return `FAILED — ${record.error}`;
  const keydisk = record.keydiskId ? `, keydisk ${record.keydiskId} (row ${record.keydiskRow})` : '';
  return `verified, ${formatBytes(record.size)}, FAT ${record.fatSerial}, ${record.versions.join(' ')}${keydisk}`;
}

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageError(
      `Cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
    );
  }
}
