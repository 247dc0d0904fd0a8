import { appendFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchReport,
  type BatchTarget,
  type CardRecord,
  parseCardValues,
  REPORT_CSV,
  REPORT_JSONL,
  RESULT_LOST,
  RowPool,
  readReport,
  readUsedRows,
  runBatch,
} from '../../../electron/core/batch/index.js';
import { createKeydiskImage } from '../../../electron/core/card/keydisk.js';
import { fakeImage, inspectImageFile, removeScratch, scratch } from '../card/card-fixtures.js';

const CSV = 'hostname,ip\npbx-a,10.2.0.1\npbx-b,10.2.0.2\npbx-c,10.2.0.3\n';

let image: string;
beforeAll(async () => {
  image = fakeImage(scratch('crash-src'), '1.6.1', 1024 * 1024 + 5);
});
afterAll(removeScratch);

function fileTarget(path: string, slot: string): BatchTarget {
  writeFileSync(path, '');
  truncateSync(path, 32 * 1024 * 1024);
  return { slot, target: path };
}

/** The report as a process sees it that dies the moment it goes to write a card's line. */
function dyingAtReportLine(report: BatchReport): BatchReport {
  return new Proxy(report, {
    get(target, key) {
      if (key === 'append') return () => Promise.reject(new Error('process killed'));
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function provision(dir: string, report: BatchReport, slot: string): Promise<CardRecord> {
  const [record] = await runBatch([fileTarget(join(dir, `${slot}.img`), slot)], {
    batch: 'crash',
    images: [image],
    keydisk: {
      template: createKeydiskImage(),
      rows: new RowPool(parseCardValues(CSV), await readUsedRows(join(dir, 'report'))),
    },
    report,
  });
  return record as CardRecord;
}

describe('a batch that crashes between a verified card and its report line', () => {
  it('never hands the card’s row out again, and the reopened report writes the card down as lost', async () => {
    const dir = scratch('crash');
    const reportDir = join(dir, 'report');
    const report = await BatchReport.open(reportDir);
    await expect(provision(dir, dyingAtReportLine(report), 'slot-1')).rejects.toThrow('process killed');
    // The card itself came out fine and carries the first row.
    expect((await inspectImageFile(join(dir, 'slot-1.img'))).boot?.verified).toBe(true);
    expect(await readReport(reportDir)).toEqual([]);

    // Restarted: the row the lost card carries is not free, even before the report is reopened.
    expect([...(await readUsedRows(reportDir))]).toEqual(['pbx-a']);
    const reopened = await BatchReport.open(reportDir);
    const lines = await readReport(reportDir);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ slot: 'slot-1', keydiskId: 'pbx-a', keydiskRow: 1, verified: false });
    expect(lines[0]?.error).toBe(RESULT_LOST);
    expect(readFileSync(join(reportDir, 'rows-used.txt'), 'utf8')).toBe('pbx-a\n');
    expect(readFileSync(join(reportDir, REPORT_CSV), 'utf8').trim().split('\n')).toHaveLength(2);

    const next = await provision(dir, reopened, 'slot-2');
    expect(next.verified, next.error ?? '').toBe(true);
    expect(next.keydiskId).toBe('pbx-b');
    // Reopening again adds nothing: every claim has its line now.
    await BatchReport.open(reportDir);
    expect((await readReport(reportDir)).map((r) => r.keydiskId)).toEqual(['pbx-a', 'pbx-b']);
    expect([...(await readUsedRows(reportDir))].sort()).toEqual(['pbx-a', 'pbx-b']);
  }, 60_000);

  it('rebuilds a CSV left a line behind and closes off a JSON line cut short', async () => {
    const dir = scratch('crash-csv');
    const reportDir = join(dir, 'report');
    const report = await BatchReport.open(reportDir);
    const first = await provision(dir, report, 'slot-1');
    expect(first.verified, first.error ?? '').toBe(true);
    // Killed after the JSON line, before the CSV line: the CSV loses its last line.
    const csvPath = join(reportDir, REPORT_CSV);
    const csv = readFileSync(csvPath, 'utf8');
    writeFileSync(csvPath, csv.slice(0, csv.trimEnd().lastIndexOf('\n') + 1));
    // And a later line was cut mid-write.
    appendFileSync(join(reportDir, REPORT_JSONL), '{"batch":"crash","slot":"slo');

    const reopened = await BatchReport.open(reportDir);
    expect(readFileSync(csvPath, 'utf8')).toBe(csv);
    const second = await provision(dir, reopened, 'slot-2');
    expect(second.keydiskId).toBe('pbx-b');
    expect((await readReport(reportDir)).map((r) => r.slot)).toEqual(['slot-1', 'slot-2']);
    expect(readFileSync(csvPath, 'utf8').trim().split('\n')).toHaveLength(3);
  }, 60_000);
});
