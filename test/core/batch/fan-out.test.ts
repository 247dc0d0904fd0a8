import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../../electron/core/card/block-fingerprint.js';
import type { ImageSource } from '../../../electron/core/card/image-source.js';
import { fanOut } from '../../../electron/core/card/prepare-many.js';

const CHUNK = 64 * 1024;

/** An in-memory source that counts how many times it was read from the start. */
function memorySource(data: Uint8Array) {
  const counter = { opens: 0, bytes: 0 };
  const source: ImageSource = {
    name: 'AstLinux-1.0.0.img',
    size: data.length,
    expected: null,
    origin: 'memory',
    async *chunks() {
      counter.opens++;
      for (let offset = 0; offset < data.length; offset += CHUNK) {
        await new Promise((resolve) => setImmediate(resolve));
        const chunk = data.subarray(offset, offset + CHUNK);
        counter.bytes += chunk.length;
        yield chunk;
      }
    },
  };
  return { source, counter };
}

async function collect(source: ImageSource, delayEvery = 0, failAt = -1): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let index = 0;
  for await (const chunk of source.chunks()) {
    if (index === failAt) throw new Error('card pulled');
    if (delayEvery && index % delayEvery === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    parts.push(chunk);
    index++;
  }
  return Buffer.concat(parts);
}

describe('fanOut', () => {
  it('reads the source once for cards that keep up, and every card gets every byte', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 777);
    const { source, counter } = memorySource(data);
    const fan = fanOut(source, 4);
    const copies = await Promise.all(fan.sources.map((s) => collect(s)));
    for (const copy of copies) expect(Buffer.compare(copy, data)).toBe(0);
    expect(counter.opens).toBe(1);
    expect(counter.bytes).toBe(data.length);
    expect(fan.stats()).toEqual({ sharedBytes: data.length, extraBytes: 0, detached: 0 });
    const { createHash } = await import('node:crypto');
    expect(fan.sourceSha1()).toBe(createHash('sha1').update(data).digest('hex'));
  });

  it('cuts a slow card loose instead of letting it hold back the others, and it still gets every byte', async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const { source, counter } = memorySource(data);
    const fan = fanOut(source, 3, { maxBufferedBytes: 512 * 1024 });
    const [fastA, fastB, slow] = await Promise.all([
      collect(fan.sources[0] as ImageSource),
      collect(fan.sources[1] as ImageSource),
      collect(fan.sources[2] as ImageSource, 1),
    ]);
    for (const copy of [fastA, fastB, slow]) expect(Buffer.compare(copy as Uint8Array, data)).toBe(0);
    expect(fan.stats().detached).toBe(1);
    expect(counter.opens).toBe(2);
    expect(fan.stats().sharedBytes).toBe(data.length);
  });

  it('lets the others finish when one card fails or is released before it starts', async () => {
    const data = randomBytes(1024 * 1024);
    const { source } = memorySource(data);
    const fan = fanOut(source, 3, { maxBufferedBytes: 256 * 1024 });
    fan.release(2);
    const results = await Promise.allSettled([
      collect(fan.sources[0] as ImageSource, 0, 3),
      collect(fan.sources[1] as ImageSource),
    ]);
    expect(results[0].status).toBe('rejected');
    expect(results[1].status === 'fulfilled' && Buffer.compare(results[1].value, data)).toBe(0);
    expect(fan.stats().detached).toBe(0);
  });

  it('passes a source read error to every card still reading', async () => {
    const source: ImageSource = {
      name: 'AstLinux-1.0.0.img',
      size: 3 * CHUNK,
      expected: null,
      origin: 'memory',
      async *chunks() {
        yield new Uint8Array(CHUNK);
        throw new Error('disk read error');
      },
    };
    const fan = fanOut(source, 2);
    const results = await Promise.allSettled(fan.sources.map((s) => collect(s)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('vouches for the SHA-1 and fingerprint of exactly what each card got, shared or read again on its own', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 5);
    const { source } = memorySource(data);
    const fan = fanOut(source, 3, { maxBufferedBytes: 512 * 1024 });
    const digest = createHash('sha1').update(data).digest('hex');
    for (const card of fan.sources) expect(card.vouched?.()).toBeNull();
    await Promise.all([
      collect(fan.sources[0] as ImageSource),
      collect(fan.sources[1] as ImageSource),
      collect(fan.sources[2] as ImageSource, 1),
    ]);
    expect(fan.stats().detached).toBe(1);
    const fingerprint = fingerprintOf(data);
    for (const card of fan.sources) {
      expect(card.vouched?.()?.sha1).toBe(digest);
      expect(card.vouched?.()?.fingerprint).toEqual(fingerprint);
    }
  });

  it('vouches for nothing when a card left alone stopped before the end', async () => {
    const data = randomBytes(2 * 1024 * 1024);
    const { source } = memorySource(data);
    const fan = fanOut(source, 2, { maxBufferedBytes: 256 * 1024 });
    const results = await Promise.allSettled([
      collect(fan.sources[0] as ImageSource),
      collect(fan.sources[1] as ImageSource, 1, 12),
    ]);
    expect(results[1].status).toBe('rejected');
    expect(fan.stats().detached).toBe(1);
    expect(fan.sources[1]?.vouched?.()).toBeNull();
  });
});
