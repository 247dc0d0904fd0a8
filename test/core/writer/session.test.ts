/**
 * One writer session for many drives: a batch and a station run every drive through one helper process —
 * one administrator prompt — which checks each drive itself, and takes a station's inserted drives only by
 * its own rules. Loop devices stand in for the drives (root and losetup, else skipped with the reason).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchReport, type BatchTarget, runBatch, runStation } from '../../../electron/core/batch/index.js';
import { readIdentity } from '../../../electron/core/drives/identity.js';
import { startHelper } from '../../../electron/core/writer/helper-connection.js';
import { defaultHelperCommand, type HelperCommand } from '../../../electron/core/writer/launch.js';
import { openWriterSession } from '../../../electron/core/writer/session.js';
import {
  fakeImage,
  fsckCard,
  inspectImageFile,
  mtoolsNames,
  removeScratch,
  scratch,
} from '../card/card-fixtures.js';

const MIB = 1024 * 1024;
const isRoot = process.getuid?.() === 0;
const hasLosetup = spawnSync('losetup', ['--version']).status === 0;

/** This build's helper, behind a shell that writes one line per start: how many times it was launched. */
function countingHelper(log: string): HelperCommand {
  const helper = defaultHelperCommand();
  writeFileSync(log, '');
  return {
    command: '/bin/sh',
    args: ['-c', `echo started >> '${log}'; exec "$0" "$@"`, helper.command, ...helper.args],
    env: helper.env,
  };
}

const launches = (log: string) => readFileSync(log, 'utf8').split('\n').filter(Boolean).length;

describe.skipIf(!isRoot || !hasLosetup)(
  'a writer session on loop devices (skipped unless root with losetup)',
  () => {
    const dir = scratch('session');
    const loops: string[] = [];
    let image: string;

    function loopDrive(name: string, bytes: number): { device: string; backing: string } {
      const backing = join(dir, name);
      writeFileSync(backing, '');
      truncateSync(backing, bytes);
      const device = execFileSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' }).trim();
      loops.push(device);
      return { device, backing };
    }

    beforeAll(() => {
      image = fakeImage(dir, '1.8.0', 3 * MIB + 17);
    });
    afterAll(() => {
      for (const loop of loops) spawnSync('losetup', ['-d', loop]);
      removeScratch();
    });

    it('writes a batch of two drives through one helper, started once, each card checked by the helper', async () => {
      const log = join(dir, 'batch-launches');
      const drives = [loopDrive('a.img', 48 * MIB), loopDrive('b.img', 40 * MIB)];
      const targets: BatchTarget[] = drives.map((drive, index) => ({
        slot: `reader ${index + 1}`,
        target: drive.device,
      }));
      const records = await runBatch(targets, {
        batch: 'two-drives',
        images: [image],
        keydisk: null,
        report: await BatchReport.open(join(dir, 'batch-report')),
        writer: { mode: 'helper', helper: countingHelper(log) },
      });
      expect(launches(log)).toBe(1);
      expect(records.map((record) => [record.slot, record.verified, record.error])).toEqual([
        ['reader 1', true, null],
        ['reader 2', true, null],
      ]);
      for (const [index, drive] of drives.entries()) {
        expect(records[index]?.size).toBe(index === 0 ? 48 * MIB : 40 * MIB);
        expect(fsckCard(drive.backing, 'mbr').status).toBe(0);
        expect((await inspectImageFile(drive.backing)).boot).toMatchObject({
          image: 'AstLinux-1.8.0.img',
          verified: true,
        });
      }
    }, 120_000);

    it('a drive swapped since it was chosen fails alone; the other card of the batch is written', async () => {
      const log = join(dir, 'swap-launches');
      const kept = loopDrive('kept.img', 40 * MIB);
      const swapped = loopDrive('swapped.img', 40 * MIB);
      const chosen = await readIdentity(swapped.device);
      // Another card now answers to the name: same device, another size.
      spawnSync('losetup', ['-d', swapped.device]);
      truncateSync(swapped.backing, 44 * MIB);
      execFileSync('losetup', [swapped.device, swapped.backing]);
      const before = readFileSync(swapped.backing);
      const records = await runBatch(
        [
          { slot: '1', target: kept.device },
          { slot: '2', target: swapped.device, identity: chosen },
        ],
        {
          batch: 'swap',
          images: [image],
          report: await BatchReport.open(join(dir, 'swap-report')),
          writer: { mode: 'helper', helper: countingHelper(log) },
        },
      );
      expect(launches(log)).toBe(1);
      expect(records[0]?.verified, records[0]?.error ?? '').toBe(true);
      expect(records[1]?.verified).toBe(false);
      expect(records[1]?.error).toMatch(/not the drive you chose/);
      expect(readFileSync(swapped.backing).equals(before)).toBe(true);
    }, 120_000);

    it('a station takes inserted drives through one helper, which refuses one outside the size bounds', async () => {
      const log = join(dir, 'station-launches');
      const small = loopDrive('small.img', 24 * MIB);
      const first = loopDrive('first.img', 40 * MIB);
      const second = loopDrive('second.img', 40 * MIB);
      async function* inserted(): AsyncGenerator<BatchTarget> {
        for (const drive of [small, first, second]) yield { slot: drive.device, target: drive.device };
      }
      const refused: string[] = [];
      const records = await runStation(inserted(), {
        batch: 'station',
        count: 2,
        images: [image],
        report: await BatchReport.open(join(dir, 'station-report')),
        arrivals: { drives: true, minBytes: 32 * MIB },
        onRejected: (target, reason) => refused.push(`${target.target}: ${reason}`),
        writer: { mode: 'helper', helper: countingHelper(log) },
      });
      expect(launches(log)).toBe(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatch(
        new RegExp(`^${small.device}: .*outside the sizes this station was started for`),
      );
      // A station records each card as it finishes, and two cards written side by side can finish in
      // either order; what matters is that each of them is there, written and verified.
      expect(records).toHaveLength(2);
      expect(records.map((record) => [record.target, record.verified])).toEqual(
        expect.arrayContaining([
          [first.device, true],
          [second.device, true],
        ]),
      );
      expect(mtoolsNames(first.backing, 'mbr')).toContain('AstLinux-1.8.0.img.sha1');
      // The refused drive was never written: still all zeros.
      expect(readFileSync(small.backing).every((byte) => byte === 0)).toBe(true);
    }, 120_000);

    it('the helper refuses a job on a target it was not given, a second job on a busy one, and admission outside a station', async () => {
      const drive = loopDrive('protocol.img', 40 * MIB);
      const session = await openWriterSession(
        [{ device: drive.device, identity: await readIdentity(drive.device) }],
        {
          mode: 'helper',
        },
      );
      try {
        await expect(session.run(1, { kind: 'verify' })).rejects.toThrow(RangeError);
        // Past the client's own check, the helper refuses target numbers it was not started with.
        const raw = await startHelper({
          targets: [
            {
              device: drive.device,
              identity: await readIdentity(drive.device),
              typedName: null,
              confirmed: false,
              eject: false,
            },
          ],
          station: null,
          user: null,
          elevated: false,
        });
        try {
          await expect(raw.run([1], { kind: 'verify' })).rejects.toMatchObject({ code: 'malformed-job' });
          await expect(raw.run([0, 0], { kind: 'verify' })).rejects.toMatchObject({ code: 'malformed-job' });
        } finally {
          await raw.close();
        }
        const first = session.run(0, { kind: 'prepare', images: [image] });
        const second = session.run(0, { kind: 'verify' });
        await expect(second).rejects.toMatchObject({ code: 'target-busy' });
        await expect(first).resolves.toMatchObject({ result: { images: [{ name: 'AstLinux-1.8.0.img' }] } });
        await expect(
          session.admit({ device: drive.device, identity: await readIdentity(drive.device) }),
        ).rejects.toThrow(/not a station/);
      } finally {
        await session.close();
      }
    }, 120_000);
  },
);
