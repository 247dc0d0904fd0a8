// Packs a staging directory into a compressed newc cpio archive the Linux kernel accepts as an initramfs.
// Entries are sorted and every timestamp is fixed, so the same inputs give the same bytes.
import { execFileSync } from 'node:child_process';
import { lstatSync, lutimesSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every path under `dir` (relative, "." first), in byte order so the archive order never depends on the disk. */
function sortedEntries(dir) {
  const out = [];
  const walk = (path) => {
    out.push(relative(dir, path) || '.');
    if (lstatSync(path).isDirectory()) for (const name of readdirSync(path).sort()) walk(join(path, name));
  };
  walk(dir);
  return out.sort((a, b) =>
    a === '.' ? -1 : b === '.' ? 1 : Buffer.compare(Buffer.from(a), Buffer.from(b)),
  );
}

const COMPRESSORS = {
  // The kernel's xz decoder only knows CRC32 checks, and allocates the whole dictionary while it unpacks:
  // a small one. (A preset given after --lzma2 replaces it: "--lzma2=dict=1MiB -9" meant 64 MiB.)
  xz: ['xz', ['--check=crc32', '--lzma2=preset=9,dict=1MiB', '-T1', '-c']],
  gzip: ['gzip', ['-9', '-n', '-c']],
  zstd: ['zstd', ['-19', '-q', '-c']],
};

/**
 * @param {string} stageDir the tree to pack (becomes the initramfs root)
 * @param {string} outFile
 * @param {{ compression?: keyof typeof COMPRESSORS, mtime?: number }} [options]
 */
export function packInitramfs(stageDir, outFile, options = {}) {
  const { compression = 'xz', mtime = 0 } = options;
  const entries = sortedEntries(stageDir);
  // cpio records every entry's own time, symlinks included, so each one is set (lutimes does not follow links).
  for (const entry of entries) lutimesSync(join(stageDir, entry), mtime, mtime);
  const [command, args] = COMPRESSORS[compression];
  execFileSync(
    'sh',
    [
      '-c',
      `cpio --quiet -o -H newc -R 0:0 --reproducible | ${command} ${args.join(' ')} > "$1"`,
      'pack',
      outFile,
    ],
    { cwd: stageDir, input: `${entries.join('\n')}\n`, stdio: ['pipe', 'inherit', 'inherit'] },
  );
  return statSync(outFile).size;
}
