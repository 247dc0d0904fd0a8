import { describe, expect, it } from 'vitest';
import { parseMbr } from '../../../electron/core/mbr/index.js';
import {
  choosePartition,
  installMbrCode,
  singleActivePartition,
} from '../../../electron/core/syslinux/mbr-boot.js';
import { SyslinuxError } from '../../../electron/core/syslinux/syslinux-error.js';

function mbrWith(entries: { type: number; start: number; sectors: number; active?: boolean }[]): Uint8Array {
  const mbr = new Uint8Array(512);
  const view = new DataView(mbr.buffer);
  view.setUint32(440, 0xdeadbeef, true);
  entries.forEach((entry, index) => {
    const at = 446 + index * 16;
    mbr[at] = entry.active ? 0x80 : 0;
    mbr[at + 4] = entry.type;
    view.setUint32(at + 8, entry.start, true);
    view.setUint32(at + 12, entry.sectors, true);
  });
  view.setUint16(510, 0xaa55, true);
  return mbr;
}

function codeOf(error: unknown): string | undefined {
  return error instanceof SyslinuxError ? error.code : undefined;
}

describe('MBR boot code', () => {
  const code = new Uint8Array(440).map((_, i) => (i * 7) & 0xff);

  it('writes bytes 0–439 only and makes the chosen partition the one active entry', () => {
    const before = mbrWith([
      { type: 0x83, start: 2048, sectors: 100, active: true },
      { type: 0x0c, start: 4096, sectors: 100 },
    ]);
    const after = installMbrCode(before, code, 1);
    expect(Buffer.from(after.subarray(0, 440))).toEqual(Buffer.from(code));
    expect(after[446]).toBe(0);
    expect(after[462]).toBe(0x80);
    expect(singleActivePartition(after)).toBe(1);
    // Disk signature, entries (apart from the status bytes) and 55AA are kept.
    const unchanged = (bytes: Uint8Array) => [...bytes.subarray(440)].filter((_, i) => i !== 6 && i !== 22);
    expect(unchanged(after)).toEqual(unchanged(before));
    expect(parseMbr(after).partitions.map((p) => [p.index, p.firstLba])).toEqual([
      [0, 2048],
      [1, 4096],
    ]);
  });

  it('refuses boot code longer than 440 bytes', () => {
    expect(() => installMbrCode(mbrWith([]), new Uint8Array(441), 0)).toThrow(SyslinuxError);
  });

  it('chooses the only FAT partition, or the one asked for', () => {
    const table = parseMbr(
      mbrWith([
        { type: 0x83, start: 2048, sectors: 100 },
        { type: 0x0e, start: 4096, sectors: 100 },
      ]),
    );
    expect(choosePartition(table, undefined).index).toBe(1);
    expect(choosePartition(table, 0).index).toBe(0);
    let caught: unknown;
    try {
      choosePartition(table, 3);
    } catch (error) {
      caught = error;
    }
    expect(codeOf(caught)).toBe('no-such-partition');
  });

  it('refuses to guess between several FAT partitions or when there is none', () => {
    const two = parseMbr(
      mbrWith([
        { type: 0x0c, start: 2048, sectors: 100 },
        { type: 0x06, start: 4096, sectors: 100 },
      ]),
    );
    const none = parseMbr(mbrWith([{ type: 0x83, start: 2048, sectors: 100 }]));
    const codes = [two, none].map((table) => {
      try {
        choosePartition(table, undefined);
      } catch (error) {
        return codeOf(error);
      }
      return 'accepted';
    });
    expect(codes).toEqual(['partition-ambiguous', 'no-fat-volume']);
  });

  it('reports no single active partition when none or two are active', () => {
    expect(singleActivePartition(mbrWith([{ type: 0x0c, start: 2048, sectors: 100 }]))).toBeUndefined();
    const two = mbrWith([
      { type: 0x0c, start: 2048, sectors: 100, active: true },
      { type: 0x0c, start: 4096, sectors: 100, active: true },
    ]);
    expect(singleActivePartition(two)).toBeUndefined();
  });
});
