/**
 * Thousands of random operations against an in-memory model; the volume must agree with the model
 * throughout, and at the end fsck.fat and mtools must agree with both.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { FatError } from '../../../electron/core/fat/fat-error.js';
import type { FatVolume } from '../../../electron/core/fat/fat-volume.js';
import { formatFat } from '../../../electron/core/fat/format.js';
import { fsck, makeTempDir, mtoolsList, pseudoRandomBytes } from './fat-tools.js';

const MiB = 1024 * 1024;
const temp = makeTempDir('model');
afterAll(() => temp.remove());

const NAMES = [
  'a.txt',
  'A.TXT',
  'ldlinux.sys',
  'LDLINUX.SYS',
  'Long File Name 1.txt',
  'long file name 2.txt',
  'Long File Name 10.txt',
  'Ünïcödé.bin',
  'x',
  'name.with.dots.tar.gz',
  '.hidden',
  'a b c',
  'AstLinux-1.5.2.img',
  'AstLinux-1.5.2.img.sha1',
  `${'very long name '.repeat(8)}end`,
  'dir',
  'Sub Directory',
  'syslinux.cfg',
];

type Node =
  | { kind: 'file'; name: string; content: Uint8Array }
  | { kind: 'dir'; name: string; children: Map<string, Node> };
const key = (name: string) => name.toUpperCase();

interface Op {
  kind: 'write' | 'mkdir' | 'unlink' | 'rmdir' | 'rename';
  pick: number;
  pick2: number;
  name: number;
  size: number;
  seed: number;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<Op['kind']>(
    'write',
    'write',
    'write',
    'mkdir',
    'unlink',
    'rmdir',
    'rename',
    'rename',
  ),
  pick: fc.nat(),
  pick2: fc.nat(),
  name: fc.nat({ max: NAMES.length - 1 }),
  size: fc.oneof(
    { weight: 8, arbitrary: fc.nat({ max: 3000 }) },
    { weight: 1, arbitrary: fc.nat({ max: 80_000 }) },
  ),
  seed: fc.nat(),
});

class Model {
  root: Node & { kind: 'dir' } = { kind: 'dir', name: '', children: new Map() };

  all(): Array<{ path: string; node: Node; parent: Node & { kind: 'dir' } }> {
    const out: Array<{ path: string; node: Node; parent: Node & { kind: 'dir' } }> = [];
    const walk = (dir: Node & { kind: 'dir' }, prefix: string) => {
      for (const node of dir.children.values()) {
        const path = `${prefix}/${node.name}`;
        out.push({ path, node, parent: dir });
        if (node.kind === 'dir') walk(node, path);
      }
    };
    walk(this.root, '');
    return out;
  }

  dirs(): Array<{ path: string; node: Node & { kind: 'dir' } }> {
    return [
      { path: '', node: this.root },
      ...this.all().flatMap((item) =>
        item.node.kind === 'dir' ? [{ path: item.path, node: item.node }] : [],
      ),
    ];
  }
}

function errorCode(error: unknown): string {
  if (error instanceof FatError) return error.code;
  throw error;
}

/** Successful operations by kind, so the test can prove it exercised each one. */
const done: Record<Op['kind'], number> = { write: 0, mkdir: 0, unlink: 0, rmdir: 0, rename: 0 };

async function apply(volume: FatVolume, model: Model, op: Op): Promise<void> {
  const succeeded = () => {
    done[op.kind]++;
  };
  const dirs = model.dirs();
  const entries = model.all();
  const name = NAMES[op.name] as string;
  const dir = dirs[op.pick % dirs.length] as (typeof dirs)[number];
  const existing = dir.node.children.get(key(name));
  switch (op.kind) {
    case 'write': {
      const content = pseudoRandomBytes(op.size, op.seed);
      const path = `${dir.path}/${name}`;
      if (existing?.kind === 'dir') {
        await expect(volume.writeFile(path, content)).rejects.toEqual(
          expect.objectContaining({ code: 'is-a-directory' }),
        );
        return;
      }
      try {
        await volume.writeFile(path, content);
      } catch (error) {
        expect(errorCode(error)).toBe('no-space');
        expect(await volume.freeBytes()).toBeLessThan(op.size + 128 * 1024);
        return;
      }
      if (existing) existing.content = content;
      else dir.node.children.set(key(name), { kind: 'file', name, content });
      succeeded();
      return;
    }
    case 'mkdir': {
      const path = `${dir.path}/${name}`;
      if (existing) {
        await expect(volume.mkdir(path)).rejects.toEqual(expect.objectContaining({ code: 'already-exists' }));
        return;
      }
      await volume.mkdir(path);
      dir.node.children.set(key(name), { kind: 'dir', name, children: new Map() });
      succeeded();
      return;
    }
    case 'unlink':
    case 'rmdir': {
      const target = entries[op.pick % Math.max(1, entries.length)];
      if (!target) return;
      const isDir = target.node.kind === 'dir';
      if (op.kind === 'unlink') {
        if (isDir) {
          await expect(volume.unlink(target.path)).rejects.toEqual(
            expect.objectContaining({ code: 'is-a-directory' }),
          );
          return;
        }
        await volume.unlink(
          target.path.toLowerCase() === target.path ? target.path.toUpperCase() : target.path,
        );
      } else {
        if (!isDir) {
          await expect(volume.rmdir(target.path)).rejects.toEqual(
            expect.objectContaining({ code: 'not-a-directory' }),
          );
          return;
        }
        if ((target.node as Node & { kind: 'dir' }).children.size > 0) {
          await expect(volume.rmdir(target.path)).rejects.toEqual(
            expect.objectContaining({ code: 'directory-not-empty' }),
          );
          return;
        }
        await volume.rmdir(target.path);
      }
      target.parent.children.delete(key(target.node.name));
      succeeded();
      return;
    }
    case 'rename': {
      const source = entries[op.pick2 % Math.max(1, entries.length)];
      if (!source) return;
      const to = `${dir.path}/${name}`;
      const sameEntry = existing === source.node;
      if (existing && !sameEntry) {
        if (existing.kind === 'file' && source.node.kind === 'file' && op.seed % 2 === 0) {
          await volume.rename(source.path, to, { replace: true });
          source.parent.children.delete(key(source.node.name));
          existing.content = source.node.content; // the target keeps its own name
          succeeded();
          return;
        }
        await expect(volume.rename(source.path, to)).rejects.toEqual(
          expect.objectContaining({ code: 'already-exists' }),
        );
        return;
      }
      if (
        source.node.kind === 'dir' &&
        `${dir.path}/`.toUpperCase().startsWith(`${source.path}/`.toUpperCase())
      ) {
        await expect(volume.rename(source.path, to)).rejects.toEqual(
          expect.objectContaining({ code: 'rename-into-self' }),
        );
        return;
      }
      await volume.rename(source.path, to);
      source.parent.children.delete(key(source.node.name));
      source.node.name = name;
      dir.node.children.set(key(name), source.node);
      succeeded();
      return;
    }
  }
}

async function expectSameTree(volume: FatVolume, dir: Node & { kind: 'dir' }, path: string): Promise<void> {
  const listed = await volume.readdir(path || '/');
  expect(listed.map((entry) => entry.name).sort(), path).toEqual(
    [...dir.children.values()].map((node) => node.name).sort(),
  );
  for (const node of dir.children.values()) {
    const childPath = `${path}/${node.name}`;
    const stat = listed.find((entry) => entry.name === node.name);
    expect(stat?.isDirectory, childPath).toBe(node.kind === 'dir');
    if (node.kind === 'dir') await expectSameTree(volume, node, childPath);
    else
      expect(Buffer.from(await volume.readFile(childPath)).equals(Buffer.from(node.content)), childPath).toBe(
        true,
      );
  }
}

describe('random operations against a model', () => {
  for (const fatType of [16, 32] as const) {
    it(`FAT${fatType}: volume, model, fsck.fat and mtools agree after 2 × 1500 operations`, async () => {
      let run = 0;
      for (const kind of Object.keys(done) as Op['kind'][]) done[kind] = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1500, maxLength: 1500 }), async (ops) => {
          const device = new MemoryBlockDevice(fatType === 16 ? 16 * MiB : 40 * MiB);
          const volume = await formatFat(device, { fatType, label: 'MODEL' });
          const model = new Model();
          for (const [index, op] of ops.entries()) {
            await apply(volume, model, op);
            if (index % 250 === 249) await expectSameTree(volume, model.root, '');
          }
          await expectSameTree(volume, model.root, '');
          const image = join(temp.dir, `model-${fatType}-${run++}.img`);
          writeFileSync(image, device.bytes);
          const result = fsck(image);
          expect(result.complaints, result.output).toEqual([]);
          expect(result.status).toBe(0);
          expect(model.all().length).toBeGreaterThan(10);
          const expected = model
            .all()
            .map((item) => (item.node.kind === 'dir' ? `${item.path}/` : item.path));
          expect(mtoolsList(image).sort()).toEqual(expected.sort());
        }),
        { numRuns: 2, seed: 20261125 + fatType, endOnFailure: true },
      );
      console.log(`FAT${fatType} successful operations:`, JSON.stringify(done));
      for (const count of Object.values(done)) expect(count).toBeGreaterThan(5);
    });
  }
});
