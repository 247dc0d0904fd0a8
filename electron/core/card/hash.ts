import { createHash } from 'node:crypto';
import type { DigestAlgorithm } from '../../../shared/checksums.js';
import { readAhead } from './read-ahead.js';

/**
 * Digests a stream of chunks, reporting the running byte count. The stream is read ahead unless it
 * `readsAhead` itself (FatVolume.chunksAhead), whose chunks must be hashed before the next is asked for.
 */
export async function digestChunks(
  chunks: AsyncIterable<Uint8Array>,
  algo: DigestAlgorithm,
  onBytes?: (done: number) => void,
  options: { readsAhead?: boolean } = {},
): Promise<{ digest: string; bytes: number }> {
  const hash = createHash(algo);
  let bytes = 0;
  for await (const chunk of options.readsAhead ? chunks : readAhead(chunks)) {
    hash.update(chunk);
    bytes += chunk.length;
    onBytes?.(bytes);
  }
  return { digest: hash.digest('hex'), bytes };
}
