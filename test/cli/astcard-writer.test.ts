/**
 * The CLI on real block devices: every change to a drive goes through the privileged writer (a helper
 * process that re-reads the drive and applies the drive rules). Loop devices stand in for cards; they
 * need root and losetup, so without them the whole file is skipped and says why.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createReadStream, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';
import {
  fakeImage,
  fsckCard,
  mtoolsNames,
  mtoolsRead,
  removeScratch,
  scratch,
} from '../core/card/card-fixtures.js';

const MIB = 1024 * 1024;
const isRoot = process.getuid?.() === 0;
const hasLosetup = spawnSync('losetup', ['--version']).status === 0;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a user runs it, without blocking this process (a test serves images over HTTP meanwhile). */
function astcard(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ASTCARD_CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function errorOf(run: Run): { code: string; message: string } {
  return JSON.parse(run.stdout).error;
}

/** A loop device over a new sparse file of `bytes`; detached again in afterAll. */
const loops: string[] = [];
function loopDevice(file: string, bytes: number): string {
  writeFileSync(file, '');
  truncateSync(file, bytes);
  const device = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
  loops.push(device);
  return device;
}

/** Nothing was ever written to a sparse backing file: it has no allocated blocks. */
function untouched(file: string): boolean {
  return statSync(file).blocks === 0;
}

describe.skipIf(!isRoot || !hasLosetup)('astcard CLI on drives (skipped unless root with losetup)', () => {
  const dir = scratch('cli-writer');
  const mounts: string[] = [];
  let server: Server;
  let base = '';

  beforeAll(async () => {
    // Serves files of `dir` on 127.0.0.1, so `add <url>` has a real web address to download.
    server = createServer((request, response) => {
      const path = join(dir, basename(decodeURIComponent(request.url ?? '/')));
      try {
        const size = statSync(path).size;
        response.writeHead(200, { 'content-length': size });
        createReadStream(path).pipe(response);
      } catch {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    // Mounted loop devices go first; a tmpfs holding a loop's backing file only once that loop is gone.
    for (const mount of mounts) spawnSync('umount', [mount]);
    for (const loop of loops.splice(0)) spawnSync('losetup', ['-d', loop]);
    for (const mount of mounts.splice(0)) spawnSync('umount', [mount]);
    await new Promise((resolve) => server.close(resolve));
    removeScratch();
  });

  it('prepares, adds (file and URL), removes, updates the loader and places a keydisk — all through the writer', async () => {
    const backing = join(dir, 'card.img');
    const device = loopDevice(backing, 64 * MIB);
    const v1 = fakeImage(dir, '1.4.0', 2 * MIB + 17);
    const v2 = fakeImage(dir, '1.4.1', 2 * MIB + 33);

    const noYes = await astcard('prepare', device, '--image', v1, '--json');
    expect(noYes.status).toBe(2);
    expect(errorOf(noYes).message).toMatch(/is a drive; add --yes/);
    expect(untouched(backing)).toBe(true);

    const prepared = await astcard(
      'prepare',
      device,
      '--image',
      v1,
      '--image',
      v2,
      '--new-keydisk',
      '--yes',
      '--json',
    );
    expect(prepared.status, prepared.stderr).toBe(0);
    expect(JSON.parse(prepared.stdout)).toMatchObject({
      layout: 'mbr',
      images: [{ name: 'AstLinux-1.4.0.img' }, { name: 'AstLinux-1.4.1.img' }],
    });
    // The writer's progress reaches the user as the CLI's progress lines.
    const progress = prepared.stderr
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line).progress);
    expect(progress.some((event) => event.phase.startsWith('write') && event.done === event.total)).toBe(
      true,
    );
    expect(fsckCard(backing, 'mbr').status).toBe(0);
    expect(mtoolsNames(backing, 'mbr')).toEqual(
      expect.arrayContaining(['AstLinux-1.4.0.img', 'AstLinux-1.4.1.img', 'kd.img']),
    );
    expect(mtoolsRead(backing, 'mbr', 'AstLinux-1.4.1.img').equals(readFileSync(v2))).toBe(true);

    // By URL: downloaded into a private folder with its checksum, then copied by the writer.
    const v3 = fakeImage(dir, '1.5.0', MIB + 5);
    const byUrl = await astcard('add', device, `${base}/${basename(v3)}`, '--yes', '--json');
    expect(byUrl.status, byUrl.stderr).toBe(0);
    expect(JSON.parse(byUrl.stdout).added).toEqual([expect.objectContaining({ name: 'AstLinux-1.5.0.img' })]);
    expect(mtoolsRead(backing, 'mbr', 'AstLinux-1.5.0.img').equals(readFileSync(v3))).toBe(true);
    expect(mtoolsNames(backing, 'mbr')).toContain('AstLinux-1.5.0.img.sha1');

    const v4 = fakeImage(dir, '1.6.0', MIB + 9);
    const byFile = await astcard('add', device, v4, '--keep', '3', '--yes', '--json');
    expect(byFile.status, byFile.stderr).toBe(0);
    expect(JSON.parse(byFile.stdout).removed).toEqual(['AstLinux-1.4.0.img']);

    const removed = await astcard('remove', device, '1.5.0', '--yes', '--json');
    expect(removed.status, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout).removed).toEqual(['AstLinux-1.5.0.img']);
    expect(mtoolsNames(backing, 'mbr')).not.toContain('AstLinux-1.5.0.img');

    const loader = await astcard('loader', 'update', device, '--yes', '--json');
    expect(loader.status, loader.stderr).toBe(0);
    expect(JSON.parse(loader.stdout)).toHaveProperty('loaderVersion');

    const kd = join(dir, 'kd-backup.img');
    const exported = await astcard('keydisk', 'export', backing, kd);
    expect(exported.status, exported.stderr).toBe(0);
    const refusedKeydisk = await astcard('keydisk', 'create', device, '--yes', '--json');
    expect(refusedKeydisk.status).toBe(1);
    expect(refusedKeydisk.stdout).toMatch(/keydisk/i);
    const imported = await astcard('keydisk', 'import', device, kd, '--force', '--yes', '--json');
    expect(imported.status, imported.stderr).toBe(0);
    expect(mtoolsRead(backing, 'mbr', 'kd.img').equals(readFileSync(kd))).toBe(true);

    const inspected = await astcard('inspect', backing, '--json');
    expect(JSON.parse(inspected.stdout)).toMatchObject({
      boot: { image: 'AstLinux-1.6.0.img' },
      keydisk: { present: true },
      problems: [],
    });
    expect(fsckCard(backing, 'mbr').status).toBe(0);
  });

  it('refuses a drive too small for the images, before writing anything', async () => {
    const backing = join(dir, 'small.img');
    const device = loopDevice(backing, 4 * MIB);
    const big = fakeImage(scratch('cli-writer-big'), '2.0.0', 6 * MIB);
    const run = await astcard('prepare', device, '--image', big, '--yes', '--json');
    expect(run.status).toBe(1);
    expect(errorOf(run)).toMatchObject({ code: 'drive-refused' });
    expect(errorOf(run).message).toMatch(/too small/);
    expect(untouched(backing)).toBe(true);
  });

  it('refuses a drive that holds the source image, and leaves it mounted', async () => {
    const backing = join(dir, 'holder.img');
    const device = loopDevice(backing, 32 * MIB);
    execFileSync('mkfs.ext2', ['-q', device]);
    const mountpoint = scratch('cli-writer-mount');
    execFileSync('mount', [device, mountpoint]);
    mounts.push(mountpoint);
    const inside = fakeImage(mountpoint, '3.0.0', 64 * 1024);
    const run = await astcard('prepare', device, '--image', inside, '--yes', '--json');
    expect(run.status).toBe(1);
    expect(errorOf(run).code).toBe('drive-refused');
    expect(errorOf(run).message).toContain('AstLinux-3.0.0.img');
    expect(spawnSync('findmnt', ['-n', '-o', 'TARGET', device], { encoding: 'utf8' }).stdout.trim()).toBe(
      mountpoint,
    );
  });

  it('needs --yes (or the name typed exactly) for a drive over 128 GB', async () => {
    const backing = join(dir, 'huge.img');
    const device = loopDevice(backing, 200e9 - (200e9 % 4096));
    const image = fakeImage(dir, '4.0.0', 64 * 1024);
    const wrongName = await astcard('prepare', device, '--image', image, '--confirm-name', 'sdz', '--json');
    expect(wrongName.status).toBe(1);
    expect(errorOf(wrongName).code).toBe('confirmation-needed');
    expect(errorOf(wrongName).message).toContain('200 GB');
    expect(untouched(backing)).toBe(true);
  });

  it('says the card was removed or failed when the drive stops taking writes mid-job', async () => {
    // A loop device over a 2 MiB tmpfs: the first writes land, then the kernel answers ENOSPC/EIO.
    const small = scratch('cli-writer-failing');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', small]);
    mounts.push(small);
    const device = loopDevice(join(small, 'card.img'), 64 * MIB);
    const image = fakeImage(dir, '5.0.0', 3 * MIB);
    const run = await astcard('prepare', device, '--image', image, '--yes');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /The card was removed or failed while astcard was using it .*prepare it again\./,
    );
  });
});
