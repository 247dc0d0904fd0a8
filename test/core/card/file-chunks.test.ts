import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reusedFileChunks } from '../../../electron/core/card/file-chunks.js';
import { pseudoRandomBytes } from '../fat/fat-tools.js';
import { removeScratch, scratch } from './card-fixtures.js';

const dir = scratch('file-chunks');
afterAll(removeScratch);
const MiB = 1024 * 1024;

describe('reusedFileChunks', () => {
  it('yields the file whole and in order, in 4 MiB pieces over a few buffers used again', async () => {
    const data = pseudoRandomBytes(13 * MiB + 12_345, 7);
    const path = join(dir, 'whole.img');
    writeFileSync(path, data);
    const copy = Buffer.alloc(data.length);
    const buffers = new Set<ArrayBufferLike>();
    let at = 0;
    for await (const piece of reusedFileChunks(path, data.length)) {
      expect(piece.length).toBe(Math.min(4 * MiB, data.length - at));
      copy.set(piece, at);
      at += piece.length;
      buffers.add(piece.buffer);
    }
    expect(at).toBe(data.length);
    expect(copy.equals(Buffer.from(data))).toBe(true);
    // Four pieces through three buffers: one of them was read into twice.
    expect(buffers.size).toBe(3);
  });

  it('refuses a file that grew or shrank while it was read, and one already of another size', async () => {
    const path = join(dir, 'changing.img');
    writeFileSync(path, pseudoRandomBytes(9 * MiB, 8));
    const grow = async () => {
      for await (const _piece of reusedFileChunks(path, 9 * MiB)) appendFileSync(path, 'more');
    };
    await expect(grow()).rejects.toMatchObject({
      code: 'source-unreadable',
      message: expect.stringMatching(/changed size while it was being copied/),
    });
    const drain = async () => {
      for await (const _piece of reusedFileChunks(path, 9 * MiB)) {
      }
    };
    await expect(drain()).rejects.toMatchObject({ code: 'source-unreadable' });
  });
});
