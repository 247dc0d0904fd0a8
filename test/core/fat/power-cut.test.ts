/**
 * The write ordering documented in fat-volume.ts, checked by cutting the power: every operation is
 * recorded write by write, and for every prefix of those writes (a cut after any write, flushed or
 * not) the volume must open, show the old or the new state of the operation, and pass fsck.fat with
 * at most the complaints the ordering allows (lost clusters, a stale free count, FAT copies caught
 * mid-update, orphaned LFN parts; for rename, a file visible under both names).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BlockDevice } from '../../../electron/core/block/block-device.js';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { type FatVolume, openFat } from '../../../electron/core/fat/fat-volume.js';
import { formatFat } from '../../../electron/core/fat/format.js';
import { fsck, makeTempDir, pseudoRandomBytes } from './fat-tools.js';

const MiB = 1024 * 1024;
const temp = makeTempDir('powercut');
afterAll(() => temp.remove());

class RecordingBlockDevice implements BlockDevice {
  readonly writes: Array<{ offset: number; data: Uint8Array }> = [];
  constructor(private readonly inner: MemoryBlockDevice) {}
  get size() {
    return this.inner.size;
  }
  get sectorSize() {
    return this.inner.sectorSize;
  }
  get name() {
    return 'recording';
  }
  read(offset: number, length: number) {
    return this.inner.read(offset, length);
  }
  write(offset: number, data: Uint8Array) {
    this.writes.push({ offset, data: data.slice() });
    return this.inner.write(offset, data);
  }
  flush() {
    return this.inner.flush();
  }
  close() {
    return this.inner.close();
  }
}

const OLD = pseudoRandomBytes(20_000, 1);
const NEW = pseudoRandomBytes(33_000, 2);
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

async function exists(volume: FatVolume, path: string): Promise<boolean> {
  return volume.stat(path).then(
    () => true,
    (error: { code?: string }) => {
      if (error.code === 'not-found') return false;
      throw error;
    },
  );
}

interface Scenario {
  name: string;
  run: (volume: FatVolume) => Promise<void>;
  /** What may be seen after a cut: old or new state, never anything else. */
  check: (volume: FatVolume) => Promise<void>;
  extraAllowed?: RegExp[];
}

const SCENARIOS: Scenario[] = [
  {
    name: 'create',
    run: (volume) => volume.writeFile('/dir/A brand new file.bin', NEW),
    check: async (volume) => {
      if (await exists(volume, '/dir/A brand new file.bin'))
        expect(same(await volume.readFile('/dir/A brand new file.bin'), NEW)).toBe(true);
    },
  },
  {
    name: 'overwrite',
    run: (volume) => volume.writeFile('/dir/existing file.bin', NEW),
    check: async (volume) => {
      const content = await volume.readFile('/dir/existing file.bin');
      expect(same(content, OLD) || same(content, NEW)).toBe(true);
    },
  },
  {
    name: 'unlink',
    run: (volume) => volume.unlink('/dir/existing file.bin'),
    check: async (volume) => {
      if (await exists(volume, '/dir/existing file.bin'))
        expect(same(await volume.readFile('/dir/existing file.bin'), OLD)).toBe(true);
    },
  },
  {
    name: 'rename across directories',
    run: (volume) => volume.rename('/dir/existing file.bin', '/other/renamed file.bin'),
    check: async (volume) => {
      const before = await exists(volume, '/dir/existing file.bin');
      const after = await exists(volume, '/other/renamed file.bin');
      expect(before || after).toBe(true);
      if (after) expect(same(await volume.readFile('/other/renamed file.bin'), OLD)).toBe(true);
      if (before) expect(same(await volume.readFile('/dir/existing file.bin'), OLD)).toBe(true);
    },
    // fsck keeps the first name it finds and truncates the other: the data survives under one name.
    extraAllowed: [
      /^\/DIR\/existing file\.bin {2}and$/,
      /^\/OTHER\/renamed file\.bin$/,
      /^share clusters\.$/,
      /^Truncating (second|file) to 0 bytes\.$/,
      /^File size is \d+ bytes, cluster chain length is 0 bytes\.$/,
    ],
  },
  {
    // A temporary file renamed into place: a cut may lose it (lost clusters), never cross-link it.
    name: 'rename in place, losing rather than sharing',
    run: (volume) =>
      volume.rename('/dir/existing file.bin', '/dir/existing.bin', { loseRatherThanShare: true }),
    check: async (volume) => {
      const before = await exists(volume, '/dir/existing file.bin');
      const after = await exists(volume, '/dir/existing.bin');
      expect(before && after).toBe(false);
      if (after) expect(same(await volume.readFile('/dir/existing.bin'), OLD)).toBe(true);
      if (before) expect(same(await volume.readFile('/dir/existing file.bin'), OLD)).toBe(true);
    },
  },
  {
    name: 'rename replacing a file',
    run: async (volume) => {
      await volume.rename('/other/incoming.bin', '/dir/existing file.bin', { replace: true });
    },
    check: async (volume) => {
      const content = await volume.readFile('/dir/existing file.bin');
      expect(same(content, OLD) || same(content, NEW)).toBe(true);
      if (await exists(volume, '/other/incoming.bin')) {
        expect(same(await volume.readFile('/other/incoming.bin'), NEW)).toBe(true);
      }
    },
    extraAllowed: [
      /^\/DIR\/existing file\.bin {2}and$/,
      /^\/OTHER\/incoming\.bin$/i,
      /^share clusters\.$/,
      /^Truncating (second|file) to 0 bytes\.$/,
      /^File size is \d+ bytes, cluster chain length is 0 bytes\.$/,
    ],
  },
  {
    name: 'mkdir',
    run: (volume) => volume.mkdir('/other/new directory'),
    check: async (volume) => {
      if (await exists(volume, '/other/new directory'))
        expect(await volume.readdir('/other/new directory')).toEqual([]);
    },
  },
];

/** What the documented ordering may leave behind. */
const ALLOWED = [
  /^Checking for unused clusters\.?$/,
  /^Reclaimed \d+ unused clusters? \(\d+ bytes\)( in \d+ chains?)?\.?$/,
  /^Free cluster summary wrong \(\d+ vs\. really \d+\)$/,
  /^\s*Auto-correcting\.?$/,
  /^FATs differ but appear to be intact\.$/,
  /^Using first FAT\.$/,
  /^Checking free cluster summary\.?$/,
  /^Leaving filesystem unchanged\.?$/,
  // A delete cut between its 8.3 entry and its LFN parts (they may lie in different sectors).
  /^Orphaned long file name part ".*"$/,
  /^Auto-deleting\.$/,
];

describe('power cut during an operation', () => {
  for (const fatType of [16, 32] as const) {
    for (const scenario of SCENARIOS) {
      it(`FAT${fatType} ${scenario.name}: every cut leaves old or new, fsck finds at most lost clusters`, async () => {
        const memory = new MemoryBlockDevice(fatType === 16 ? 8 * MiB : 34 * MiB);
        const setup = await formatFat(memory, { fatType, label: 'CUT' });
        await setup.mkdir('/dir');
        await setup.mkdir('/other');
        for (let i = 0; i < 14; i++) await setup.writeFile(`/dir/filler ${i}.txt`, new Uint8Array(10)); // fills the dir's first cluster
        await setup.writeFile('/dir/existing file.bin', OLD);
        await setup.writeFile('/other/incoming.bin', NEW);
        const before = memory.bytes.slice();
        const recording = new RecordingBlockDevice(memory);
        await scenario.run(await openFat(recording));
        expect(recording.writes.length).toBeGreaterThan(1);
        const allowed = [...ALLOWED, ...(scenario.extraAllowed ?? [])];
        const image = join(temp.dir, `cut-${fatType}.img`);
        for (let cut = 0; cut <= recording.writes.length; cut++) {
          const bytes = before.slice();
          for (const { offset, data } of recording.writes.slice(0, cut)) bytes.set(data, offset);
          const volume = await openFat(new MemoryBlockDevice(bytes), { readOnly: true });
          await scenario.check(volume);
          writeFileSync(image, bytes);
          const result = fsck(image);
          const unexpected = result.complaints.filter(
            (line) => !allowed.some((pattern) => pattern.test(line.trim())),
          );
          expect(
            unexpected,
            `cut after write ${cut} of ${recording.writes.length}:\n${result.output}`,
          ).toEqual([]);
        }
      });
    }
  }
});
