import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { type BatchTarget, type CardStatus, runBatch } from '../../core/batch/batch-job.js';
import { BatchReport, type CardRecord, readUsedRows } from '../../core/batch/batch-report.js';
import { parseCardValues } from '../../core/batch/card-values.js';
import { driveArrivals } from '../../core/batch/drive-station.js';
import { RowPool } from '../../core/batch/row-pool.js';
import { runStation, watchFolderTargets } from '../../core/batch/station.js';
import { loadLoaderAssets, loadSyslinuxAssets } from '../../core/card/assets.js';
import { createKeydiskImage } from '../../core/card/keydisk.js';
import { resolveImageSources } from '../../core/card/sources.js';
import { openTarget, targetKind } from '../../core/card/target.js';
import { DriveWatcher } from '../../core/drives/drive-watcher.js';
import { formatBytes, UsageError } from '../output.js';
import { createBatchBoard } from './batch-board.js';
import { asUsage, type Command, cancelOnInterrupt, parseSize } from './support.js';

export const batch: Command = {
  name: 'batch',
  usage:
    'batch <target>… | --station (--watch DIR | --drives) --count N  --image FILE|ARCHIVE|URL [--image …] --report DIR [--keydisk-template kd.img | --new-keydisk] [--csv values.csv] [--name NAME] [--size BYTES] [--min-size N] [--max-size N] [--only-empty | --only-astlinux] [--yes]',
  summary:
    'prepare many cards at once (or each card as it is inserted), with a keydisk per card and a report',
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
    const images = await resolveImageSources(values.image, { signal });
    const [loader, syslinux] = await Promise.all([loadLoaderAssets(), loadSyslinuxAssets()]);
    const report = await BatchReport.open(values.report);
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
    const options = {
      batch: values.name ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      images,
      loader,
      syslinux,
      keydisk,
      report,
      signal,
      onStatus: (status: CardStatus) => board.update(status),
    };

    let records: CardRecord[];
    if (values.station) {
      const count = Number(values.count);
      if (!Number.isSafeInteger(count) || count < 1)
        throw new UsageError('--station needs --count N (cards to make)');
      if (Boolean(values.watch) === Boolean(values.drives))
        throw new UsageError('--station needs either --watch DIR (image files) or --drives (card readers)');
      if (values.drives && !values.yes)
        throw new UsageError('--drives writes every card inserted without asking: add --yes to go ahead');
      const arrivals = values.watch
        ? watchFolderTargets(values.watch, { signal })
        : driveArrivals(new DriveWatcher(), {
            rules: {
              ...(values['min-size'] ? { minBytes: parseSize(values['min-size']) } : {}),
              ...(values['max-size'] ? { maxBytes: parseSize(values['max-size']) } : {}),
              ...(values['only-empty'] ? { onlyEmpty: true } : {}),
              ...(values['only-astlinux'] ? { onlyAstlinux: true } : {}),
            },
            context: { platform: process.platform as 'linux' | 'darwin' | 'win32' },
            onRejected: (drive, reason) => board.say(`skipped ${drive.device}: ${reason}`),
            signal,
          });
      board.say(`Station: waiting for ${count} card${count === 1 ? '' : 's'}…`);
      let last = '';
      records = await runStation(arrivals, {
        ...options,
        count,
        onStation: (status) => {
          const line = `${status.done}/${status.count} done, ${status.failed} failed`;
          if (line !== last) board.say(line);
          last = line;
        },
      });
    } else {
      const createSize = values.size === undefined ? undefined : parseSize(values.size);
      const targets: BatchTarget[] = [];
      for (const [index, path] of positionals.entries()) {
        const kind = await targetKind(path);
        if (kind === 'block-device' && !values.yes)
          throw new UsageError(`${path} is a drive: everything on it will be erased. Add --yes to go ahead.`);
        if (kind === 'missing' && createSize === undefined)
          throw new UsageError(`${path} does not exist; give --size to create new card images.`);
        targets.push({
          slot: `${index + 1}`,
          target: path,
          model: kind === 'image-file' || kind === 'missing' ? 'image file' : null,
          serial: kind === 'block-device' ? null : basename(path),
          open: () => openTarget(path, createSize === undefined ? {} : { createSize }),
        });
      }
      records = await runBatch(targets, options);
    }
    board.close();
    const failed = records.filter((record) => !record.verified).length;
    out.result({ report: values.report, cards: records }, () => [
      `${records.length - failed} of ${records.length} cards written and verified; report in ${values.report}.`,
    ]);
    if (failed > 0) out.resultIsFailure();
  },
};

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
