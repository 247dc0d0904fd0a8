/** Real tools as oracles: dosfstools (fsck.fat, mkfs.vfat), mtools, losetup. Test helper, not a test. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const isRoot = process.getuid?.() === 0;

const MTOOLS_ENV = { ...process.env, MTOOLS_SKIP_CHECK: '1', MTOOLS_NO_VFAT: '', LC_ALL: 'C.UTF-8' };

export function makeTempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `astcard-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface FsckResult {
  status: number | null;
  /** Every output line except the version banner and the final "N files, N/N clusters" summary. */
  complaints: string[];
  output: string;
}

/** `fsck.fat -n`: reports problems, changes nothing. */
export function fsck(target: string): FsckResult {
  const run = spawnSync('fsck.fat', ['-n', target], { encoding: 'utf8' });
  const output = `${run.stdout}${run.stderr}`;
  const complaints = output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => !/^fsck\.fat \d/.test(line))
    .filter((line) => !/: \d+ files, \d+\/\d+ clusters$/.test(line));
  return { status: run.status, complaints, output };
}

/** fsck of a partition inside a disk image: through a read-only loop device (root) or a copy. */
export function fsckPartition(image: string, offset: number, size: number): FsckResult {
  if (isRoot) {
    const loop = execFileSync(
      'losetup',
      ['-f', '--show', '-r', '-o', String(offset), '--sizelimit', String(size), image],
      {
        encoding: 'utf8',
      },
    ).trim();
    try {
      return fsck(loop);
    } finally {
      execFileSync('losetup', ['-d', loop]);
    }
  }
  const temp = makeTempDir('part');
  try {
    const copy = join(temp.dir, 'part.img');
    execFileSync('dd', [
      `if=${image}`,
      `of=${copy}`,
      'bs=512',
      `skip=${offset / 512}`,
      `count=${size / 512}`,
      'conv=sparse',
      'status=none',
    ]);
    return fsck(copy);
  } finally {
    temp.remove();
  }
}

function mtoolsImage(image: string, offset: number): string {
  return offset ? `${image}@@${offset}` : image;
}

/** Every path on the volume as mtools sees it (long names), directories with a trailing '/'. */
export function mtoolsList(image: string, offset = 0): string[] {
  const output = execFileSync('mdir', ['-/', '-b', '-i', mtoolsImage(image, offset), '::'], {
    encoding: 'utf8',
    env: MTOOLS_ENV,
  });
  return output
    .split('\n')
    .filter((line) => line.startsWith('::/'))
    .map((line) => line.slice(2));
}

/** The raw `mdir` listing of one directory (8.3 aliases beside long names). */
export function mtoolsDir(image: string, path: string, offset = 0): string {
  return execFileSync('mdir', ['-i', mtoolsImage(image, offset), `::${path}`], {
    encoding: 'utf8',
    env: MTOOLS_ENV,
  });
}

export function mtoolsRead(image: string, path: string, offset = 0): Uint8Array {
  const temp = makeTempDir('mcopy');
  try {
    const out = join(temp.dir, 'out');
    execFileSync('mcopy', ['-n', '-i', mtoolsImage(image, offset), `::${path}`, out], { env: MTOOLS_ENV });
    return new Uint8Array(readFileSync(out));
  } finally {
    temp.remove();
  }
}

export function mtoolsWrite(image: string, path: string, data: Uint8Array, offset = 0): void {
  const temp = makeTempDir('mcopy');
  try {
    const source = join(temp.dir, 'in');
    writeFileSync(source, data);
    execFileSync('mcopy', ['-o', '-i', mtoolsImage(image, offset), source, `::${path}`], { env: MTOOLS_ENV });
  } finally {
    temp.remove();
  }
}

export function mtoolsMkdir(image: string, path: string, offset = 0): void {
  execFileSync('mmd', ['-i', mtoolsImage(image, offset), `::${path}`], { env: MTOOLS_ENV });
}

/** mattrib's view: the attribute letters (A, R, S, H) mtools prints before a path. */
export function mtoolsAttributes(image: string, path: string, offset = 0): string {
  const line = execFileSync('mattrib', ['-i', mtoolsImage(image, offset), `::${path}`], {
    encoding: 'utf8',
    env: MTOOLS_ENV,
  });
  return line.slice(0, line.indexOf('::')).replace(/\s/g, '');
}

/** mkfs.vfat on a new image file of `bytes` (sparse). */
export function mkfsVfat(image: string, bytes: number, fatBits: 12 | 16 | 32, extra: string[] = []): void {
  execFileSync('truncate', ['-s', String(bytes), image]);
  execFileSync('mkfs.vfat', ['-F', String(fatBits), '-n', 'FOREIGN', ...extra, image], { stdio: 'ignore' });
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = state & 0xff;
  }
  return out;
}
