import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchReport,
  type BatchTarget,
  type CardRecord,
  parseCardValues,
  REPORT_CSV,
  RowPool,
  readReport,
  readUsedRows,
  runBatch,
  runStation,
  watchFolderTargets,
} from '../../../electron/core/batch/index.js';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { createKeydiskImage } from '../../../electron/core/card/keydisk.js';
import type { SessionOptions } from '../../../electron/core/writer/session.js';
import {
  fakeImage,
  fsckCard,
  inspectImageFile,
  mtoolsRead,
  removeScratch,
  scratch,
} from '../card/card-fixtures.js';
import { FaultyBlockDevice } from '../card/faulty-device.js';

const CARD_BYTES = 48 * 1024 * 1024;
const CSV = [
  'hostname,ip,gateway,serial label',
  'pbx-one,10.1.0.11,10.1.0.1,SN-001',
  'pbx-two,10.1.0.12,10.1.0.1,SN-002',
  '"pbx-three",10.1.0.13,10.1.0.1,"SN-003, spare"',
  'pbx-four,10.1.0.14,10.1.0.1,SN-004',
  'pbx-five,10.1.0.15,10.1.0.1,SN-005',
  'pbx-six,10.1.0.16,10.1.0.1,SN-006',
].join('\n');

let images: string[];
let template: Uint8Array;

beforeAll(async () => {
  const dir = scratch('batch-src');
  images = [fakeImage(dir, '1.5.1', 6 * 1024 * 1024), fakeImage(dir, '1.5.2', 5 * 1024 * 1024 + 123)];
  template = createKeydiskImage();
});
afterAll(removeScratch);

/** Cards that fail after this many writes, by path: the writer opens them through `writer` below. */
const faults = new Map<string, number>();

function fileTarget(path: string, slot: string, failAfterWrites?: number): BatchTarget {
  writeFileSync(path, '');
  truncateSync(path, CARD_BYTES);
  if (failAfterWrites !== undefined) faults.set(path, failAfterWrites);
  return { slot, target: path, model: 'image file', serial: slot };
}

const writer: SessionOptions = {
  mode: 'in-process',
  openDevice: async (spec, _checked, readOnly) => {
    const disk = await FileBlockDevice.open(spec.device, { readOnly });
    const failAfter = faults.get(spec.device);
    return failAfter === undefined ? disk : new FaultyBlockDevice(disk, failAfter);
  },
};

/** The card's keydisk settings file, read by e2fsprogs from the kd.img mtools copied off the card. */
function userConf(card: string): string {
  const kd = mtoolsRead(card, 'mbr', 'kd.img');
  const path = join(scratch('kd'), 'kd.img');
  writeFileSync(path, kd);
  execFileSync('e2fsck', ['-fn', path], { stdio: 'ignore' });
  return execFileSync('debugfs', ['-R', 'cat /rc.conf.d/user.conf', path], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

async function checkVerifiedCard(record: CardRecord): Promise<string> {
  expect(record.verified, record.error ?? '').toBe(true);
  const report = await inspectImageFile(record.target);
  expect(report.problems).toEqual([]);
  expect(report.boot?.version).toBe('1.5.2');
  expect(report.boot?.verified).toBe(true);
  expect(report.serial).toBe(record.fatSerial);
  expect(fsckCard(record.target, 'mbr').status).toBe(0);
  for (const image of images) {
    const sha1 = createHash('sha1').update(readFileSync(image)).digest('hex');
    expect(record.digests).toContain(`${image.split('/').pop()}=${sha1}`);
  }
  return userConf(record.target);
}

describe('runBatch', () => {
  it('writes four cards from one read of the source; the card that fails mid-write fails alone', async () => {
    const dir = scratch('batch');
    const reportDir = join(dir, 'report');
    const report = await BatchReport.open(reportDir);
    const rows = new RowPool(parseCardValues(CSV), await readUsedRows(reportDir));
    const targets = [0, 1, 2, 3].map((i) =>
      fileTarget(join(dir, `card${i}.img`), `slot ${i + 1}`, i === 2 ? 60 : undefined),
    );
    const states = new Map<string, Set<string>>();
    const records = await runBatch(targets, {
      batch: 'order-42',
      images,
      writer,
      keydisk: { template, rows },
      report,
      onStatus: (status) => {
        const seen = states.get(status.slot) ?? new Set();
        seen.add(status.progress ? `${status.state}:${status.progress.phase}` : status.state);
        states.set(status.slot, seen);
      },
    });

    const failed = records.filter((record) => !record.verified);
    expect(failed.map((record) => record.slot)).toEqual(['slot 3']);
    expect(failed[0]?.error).toMatch(/injected I\/O failure/);
    const hostnames: string[] = [];
    for (const record of records.filter((r) => r.verified)) {
      const conf = await checkVerifiedCard(record);
      const host = /^HOSTNAME="([^"]+)"$/m.exec(conf)?.[1];
      expect(host).toBe(record.keydiskId);
      const row = parseCardValues(CSV).find((r) => r.id === host);
      expect(conf).toContain(`EXTIP="${row?.values.ip}"`);
      expect(conf).toContain('EXTGW="10.1.0.1"');
      hostnames.push(host as string);
    }
    expect(new Set(hostnames).size).toBe(3);
    expect(states.get('slot 1')).toContain('writing:write');
    expect(states.get('slot 1')).toContain('done');
    expect(states.get('slot 3')).toContain('failed');

    // The report holds every card, in CSV and JSON, and the used rows survive for a restart.
    const csvLines = readFileSync(join(reportDir, REPORT_CSV), 'utf8').trim().split('\n');
    expect(csvLines).toHaveLength(5);
    expect(csvLines[0]).toMatch(/^batch,slot,target,model,serial,size,fatSerial,versions/);
    const json = await readReport(reportDir);
    expect(json.map((r) => r.slot).sort()).toEqual(['slot 1', 'slot 2', 'slot 3', 'slot 4']);
    expect(json.find((r) => r.slot === 'slot 3')?.verified).toBe(false);
    expect(json.every((r) => r.size === CARD_BYTES && r.startedAt <= r.endedAt)).toBe(true);
    expect([...(await readUsedRows(reportDir))].sort()).toEqual([...hostnames].sort());

    // A restart with the same report folder never hands out a used row again.
    const again = await runBatch(
      [fileTarget(join(dir, 'card4.img'), 'slot 1'), fileTarget(join(dir, 'card5.img'), 'slot 2')],
      {
        batch: 'order-42',
        images,
        writer,
        keydisk: { template, rows: new RowPool(parseCardValues(CSV), await readUsedRows(reportDir)) },
        report: await BatchReport.open(reportDir),
      },
    );
    for (const record of again) {
      expect(record.verified, record.error ?? '').toBe(true);
      expect(hostnames).not.toContain(record.keydiskId);
    }
    expect((await readReport(reportDir)).length).toBe(6);
    expect((await readUsedRows(reportDir)).size).toBe(5);
  }, 120_000);

  it('stops handing out keydisks when the CSV rows run out, and says so in the report', async () => {
    const dir = scratch('batch-rows');
    const report = await BatchReport.open(join(dir, 'report'));
    const rows = new RowPool(parseCardValues('hostname\nonly-one\n'));
    const records = await runBatch(
      [fileTarget(join(dir, 'a.img'), 'A'), fileTarget(join(dir, 'b.img'), 'B')],
      {
        batch: 'b',
        images: [images[0] as string],
        writer,
        keydisk: { template, rows },
        report,
      },
    );
    expect(records.filter((r) => r.verified)).toHaveLength(1);
    expect(records.find((r) => !r.verified)?.error).toMatch(/Every row of the CSV/);
  }, 60_000);
});

describe('runStation', () => {
  it('provisions cards as they appear until the count is reached', async () => {
    const dir = scratch('station');
    const slots = join(dir, 'slots');
    execFileSync('mkdir', [slots]);
    const report = await BatchReport.open(join(dir, 'report'));
    const controller = new AbortController();
    const counters: number[] = [];
    const rejected: string[] = [];
    // Cards "inserted" one after another while the station runs; a too-small one is turned away.
    const inserting = (async () => {
      for (const [name, size] of [
        ['a.card', CARD_BYTES],
        ['tiny.card', 1024 * 1024],
        ['b.card', CARD_BYTES],
        ['c.card', CARD_BYTES],
        ['d.card', CARD_BYTES],
      ] as const) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        writeFileSync(join(slots, name), Buffer.alloc(size));
      }
    })();
    const records = await runStation(watchFolderTargets(slots, { pollMs: 100, signal: controller.signal }), {
      batch: 'station',
      count: 3,
      images: [images[1] as string],
      arrivals: { drives: false },
      writer,
      keydisk: { template, rows: new RowPool(parseCardValues(CSV)) },
      report,
      accept: async (target) => {
        const disk = await FileBlockDevice.open(target.target, { readOnly: true });
        try {
          return disk.size < 16 * 1024 * 1024 ? 'smaller than 16 MiB' : null;
        } finally {
          await disk.close();
        }
      },
      onRejected: (target, reason) => rejected.push(`${target.slot}: ${reason}`),
      onStation: (status) => counters.push(status.done),
    });
    controller.abort();
    await inserting;
    expect(rejected).toEqual(['tiny.card: smaller than 16 MiB']);
    expect(records).toHaveLength(3);
    expect(records.map((r) => r.slot).sort()).toEqual(['a.card', 'b.card', 'c.card']);
    expect(Math.max(...counters)).toBe(3);
    const hosts = new Set<string>();
    for (const record of records) {
      expect(record.verified, record.error ?? '').toBe(true);
      const report = await inspectImageFile(record.target);
      expect(report.boot?.version).toBe('1.5.2');
      expect(fsckCard(record.target, 'mbr').status).toBe(0);
      hosts.add(/^HOSTNAME="([^"]+)"$/m.exec(userConf(record.target))?.[1] ?? '');
    }
    expect(hosts.size).toBe(3);
    expect((await readReport(join(dir, 'report'))).length).toBe(3);
  }, 120_000);
});
