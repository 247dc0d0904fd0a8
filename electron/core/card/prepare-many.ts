/**
 * One source, many cards: `fanOut` reads an image once and hands every chunk to each card's own copy.
 * Each card keeps at most `maxBufferedBytes` of chunks it has not taken yet. A card that falls further
 * behind (slow, or not started yet) is cut loose rather than holding the others back: it then reads the
 * source on its own from where it stopped. A card that fails or finishes is dropped, so a dead card
 * never stalls the rest and never pins memory.
 */
import { createHash } from 'node:crypto';
import { BlockFingerprinter } from './block-fingerprint.js';
import type { SourceDigests, VouchedImageSource } from './copy-image.js';
import type { ImageSource } from './image-source.js';

export const DEFAULT_FAN_OUT_BUFFER = 64 * 1024 * 1024;

export interface FanOutStats {
  /** Bytes read from the source by the shared reader. */
  sharedBytes: number;
  /** Bytes read again by cards that had fallen behind. */
  extraBytes: number;
  /** Cards that fell behind and read on their own. */
  detached: number;
}

export interface FanOut {
  /**
   * The per-card view of the source, index = card. Each one may be iterated once. Each vouches for the
   * SHA-1 and block fingerprint of what it yielded (`vouched`), so the card's copy need not digest those
   * bytes a second time.
   */
  sources: VouchedImageSource[];
  /** The card stops taking chunks (failed, cancelled): its buffer is freed at once. */
  release(card: number): void;
  /** SHA-1 of the source as the shared reader saw it, once it has read it all (null before). */
  sourceSha1(): string | null;
  stats(): FanOutStats;
}

interface Subscriber {
  queue: Uint8Array[];
  buffered: number;
  consumed: number;
  detached: boolean;
  closed: boolean;
  /** Digests of the card's own second read of the whole source, once it read it all (detached cards). */
  aloneDigests: SourceDigests | null;
}

export function fanOut(
  source: ImageSource,
  cards: number,
  options: { maxBufferedBytes?: number } = {},
): FanOut {
  const limit = options.maxBufferedBytes ?? DEFAULT_FAN_OUT_BUFFER;
  const subscribers: Subscriber[] = Array.from({ length: cards }, () => ({
    queue: [],
    buffered: 0,
    consumed: 0,
    detached: false,
    closed: false,
    aloneDigests: null,
  }));
  const stats: FanOutStats = { sharedBytes: 0, extraBytes: 0, detached: 0 };
  const hash = createHash('sha1');
  const fingerprint = new BlockFingerprinter();
  let digests: SourceDigests | null = null;
  let reader: AsyncIterator<Uint8Array> | null = null;
  let reading: Promise<void> | null = null;
  let ended = false;
  let failure: unknown = null;

  const listening = () => subscribers.filter((s) => !s.closed && !s.detached);

  function drop(subscriber: Subscriber, detach: boolean): void {
    subscriber.queue = [];
    subscriber.buffered = 0;
    if (detach) {
      subscriber.detached = true;
      stats.detached++;
    } else subscriber.closed = true;
    // Nobody left to feed: stop reading the source.
    if (!ended && listening().length === 0 && reader) {
      ended = true;
      void reader.return?.().catch(() => {});
    }
  }

  async function readNext(): Promise<void> {
    try {
      reader ??= source.chunks()[Symbol.asyncIterator]();
      const next = await reader.next();
      if (next.done) {
        ended = true;
        digests = { sha1: hash.digest('hex'), fingerprint: fingerprint.digest() };
        return;
      }
      const chunk = next.value;
      hash.update(chunk);
      fingerprint.update(chunk);
      stats.sharedBytes += chunk.length;
      for (const subscriber of listening()) {
        subscriber.queue.push(chunk);
        subscriber.buffered += chunk.length;
        if (subscriber.buffered > limit) drop(subscriber, true);
      }
    } catch (error) {
      ended = true;
      failure = error;
    }
  }

  function pump(): Promise<void> {
    reading ??= readNext().finally(() => {
      reading = null;
    });
    return reading;
  }

  // The card's bytes are the shared read's head plus this read's tail. This read is digested whole: if the
  // source changed between the reads, the card's head differs from this read's, so its read-back fails
  // against this read's fingerprint (and the card never gets a sidecar for bytes it does not hold).
  async function* readAlone(subscriber: Subscriber): AsyncGenerator<Uint8Array> {
    let skip = subscriber.consumed;
    const alone = createHash('sha1');
    const aloneFingerprint = new BlockFingerprinter();
    for await (const chunk of source.chunks()) {
      alone.update(chunk);
      aloneFingerprint.update(chunk);
      stats.extraBytes += chunk.length;
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      const rest = skip > 0 ? chunk.subarray(skip) : chunk;
      skip = 0;
      yield rest;
    }
    subscriber.aloneDigests = { sha1: alone.digest('hex'), fingerprint: aloneFingerprint.digest() };
  }

  async function* chunksFor(card: number): AsyncGenerator<Uint8Array> {
    const subscriber = subscribers[card];
    if (!subscriber || subscriber.closed) throw new Error(`fan-out card ${card} is closed`);
    try {
      for (;;) {
        const chunk = subscriber.queue.shift();
        if (chunk) {
          subscriber.buffered -= chunk.length;
          subscriber.consumed += chunk.length;
          yield chunk;
          continue;
        }
        if (subscriber.detached) {
          yield* readAlone(subscriber);
          return;
        }
        if (ended) {
          if (failure) throw failure;
          return;
        }
        await pump();
      }
    } finally {
      if (!subscriber.closed) drop(subscriber, false);
    }
  }

  return {
    sources: subscribers.map((_, card) => ({
      name: source.name,
      size: source.size,
      expected: source.expected,
      signedList: source.signedList ?? null,
      origin: source.origin,
      chunks: () => chunksFor(card),
      vouched: () => {
        const subscriber = subscribers[card];
        return subscriber?.detached ? subscriber.aloneDigests : digests;
      },
    })),
    release(card) {
      const subscriber = subscribers[card];
      if (subscriber && !subscriber.closed) drop(subscriber, false);
    },
    sourceSha1: () => digests?.sha1 ?? null,
    stats: () => ({ ...stats }),
  };
}
