/**
 * Keeps up to `depth` items of an async stream requested ahead of the consumer. Reads and writes run on
 * libuv's threads while hashing runs on ours: with a chunk or two in flight, the disk and SHA-1 work at
 * the same time instead of taking turns. Memory cost: `depth` chunks.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, depth = 2): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const pending: Array<Promise<IteratorResult<T>>> = [];
  let finished = false;
  try {
    for (;;) {
      // Async generators queue next() calls, so asking ahead is safe: each resolves in order.
      while (pending.length < depth) {
        const next = iterator.next();
        // A request made ahead may fail before it is awaited; it is awaited (and rethrown) in its turn.
        next.catch(() => {});
        pending.push(next);
      }
      const result = await (pending.shift() as Promise<IteratorResult<T>>);
      if (result.done) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } finally {
    // Requests already made must settle before the source is closed, and their failures are not news.
    await Promise.allSettled(pending);
    if (!finished) await iterator.return?.();
  }
}
