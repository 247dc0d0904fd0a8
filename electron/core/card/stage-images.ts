import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { formatSidecar, sidecarFileName } from '../../../shared/checksums.js';
import { archiveKind } from './archive-source.js';
import { resolveImageSource } from './sources.js';
import { isUrl } from './url-source.js';

export interface StagedImages {
  /** Local image files the writer can read, in the order they were named. */
  paths: string[];
  cleanup(): Promise<void>;
}

/**
 * The writer reads only local image files (it checks them as files the user could read). Plain files
 * pass as they are; web addresses and archives are first copied, with the checksum they came with, into
 * a private temporary folder that is removed afterwards.
 */
export async function stageImages(wheres: string[], signal?: AbortSignal): Promise<StagedImages> {
  let dir: string | undefined;
  const cleanup = async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  };
  try {
    const paths: string[] = [];
    for (const where of wheres) {
      if (!isUrl(where) && !archiveKind(where)) {
        paths.push(resolve(where));
        continue;
      }
      dir ??= await mkdtemp(join(tmpdir(), 'astcard-images-'));
      for (const source of await resolveImageSource(where, signal ? { signal } : {})) {
        const path = join(dir, source.name);
        await pipeline(source.chunks(), createWriteStream(path, { mode: 0o600 }), signal ? { signal } : {});
        if (source.expected) {
          await writeFile(
            join(dir, sidecarFileName(source.name, source.expected.algo)),
            formatSidecar(source.expected.digest, source.name),
          );
        }
        paths.push(path);
      }
    }
    return { paths, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
