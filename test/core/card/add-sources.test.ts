import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { CardError } from '../../../electron/core/card/card-error.js';
import { addImages } from '../../../electron/core/card/images.js';
import type { Progress } from '../../../electron/core/card/progress.js';
import { resolveImageSources } from '../../../electron/core/card/sources.js';
import {
  fakeImage,
  fsckCard,
  inspectImageFile,
  mtoolsNames,
  mtoolsRead,
  preparedCard,
  removeScratch,
  scratch,
} from './card-fixtures.js';

const dir = scratch('sources');
const CARD_SIZE = 48 * 1024 * 1024;
let baseCard: string;

afterAll(removeScratch);

beforeAll(async () => {
  baseCard = join(dir, 'base.img');
  await preparedCard(baseCard, CARD_SIZE, [fakeImage(scratch('base'), '1.0.0', 700_000)]);
});

/** A fresh copy of the prepared card booting AstLinux-1.0.0.img. */
function freshCard(name: string): string {
  const card = join(dir, name);
  writeFileSync(card, readFileSync(baseCard));
  return card;
}

async function add(card: string, wheres: string[], onProgress?: (p: Progress) => void) {
  const sources = await resolveImageSources(wheres, { retryDelayMs: 10 });
  const disk = await FileBlockDevice.open(card);
  try {
    return await addImages(disk, sources, onProgress ? { onProgress } : {});
  } finally {
    await disk.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<CardError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CardError);
  return error as CardError;
}

/** The card still boots 1.0.0, verified, and holds nothing half-copied. */
async function expectUnchanged(card: string) {
  const report = await inspectImageFile(card);
  expect(report.boot).toEqual({
    image: 'AstLinux-1.0.0.img',
    version: '1.0.0',
    verified: true,
    by: 'astcard',
  });
  expect(mtoolsNames(card, 'mbr').filter((name) => /\.part$|1\.1\.0/.test(name))).toEqual([]);
  const fsck = fsckCard(card, 'mbr');
  expect(fsck.status, fsck.output).toBe(0);
}

async function expectBoots(card: string, image: string, source: Buffer) {
  const report = await inspectImageFile(card);
  expect(report.boot).toMatchObject({ image, verified: true, by: 'astcard' });
  expect(mtoolsRead(card, 'mbr', image).equals(source)).toBe(true);
  const fsck = fsckCard(card, 'mbr');
  expect(fsck.status, fsck.output).toBe(0);
}

describe('add from an archive', () => {
  const sources = scratch('archives');
  const image = fakeImage(join(sources), '1.1.0', 1_500_000);
  const bytes = readFileSync(image);

  it('takes the image and its .sha1 out of a .tar.gz, from a sub-folder', async () => {
    const tree = scratch('tree');
    execFileSync('mkdir', ['-p', join(tree, 'astlinux-1.1.0')]);
    execFileSync('cp', [image, `${image}.sha1`, join(tree, 'astlinux-1.1.0')]);
    const archive = join(sources, 'astlinux-1.1.0.tar.gz');
    execFileSync('tar', ['czf', archive, '-C', tree, 'astlinux-1.1.0']);
    const [source] = await resolveImageSources([archive]);
    expect(source).toMatchObject({ name: 'AstLinux-1.1.0.img', size: bytes.length });
    expect(source?.expected).toMatchObject({ algo: 'sha1', sidecar: 'AstLinux-1.1.0.img.sha1' });
    const card = freshCard('tar.img');
    const result = await add(card, [archive]);
    expect(result.added.map((added) => added.name)).toEqual(['AstLinux-1.1.0.img']);
    await expectBoots(card, 'AstLinux-1.1.0.img', bytes);
  });

  it('takes the image out of a .zip and computes the checksum when none came with it', async () => {
    const archive = join(sources, 'bare.zip');
    execFileSync('zip', ['-q', '-j', archive, image]);
    const [source] = await resolveImageSources([archive]);
    expect(source?.expected).toBeNull();
    const card = freshCard('zip.img');
    await add(card, [archive]);
    await expectBoots(card, 'AstLinux-1.1.0.img', bytes);
    const sha1 = execFileSync('sha1sum', [image], { encoding: 'utf8' }).split(' ')[0];
    expect(mtoolsRead(card, 'mbr', 'AstLinux-1.1.0.img.sha1').toString()).toBe(
      `${sha1}  AstLinux-1.1.0.img\n`,
    );
  });

  it('refuses an image that does not match the checksum in its .tgz, leaving the card as it was', async () => {
    const tree = scratch('bad-sum');
    execFileSync('cp', [image, tree]);
    writeFileSync(join(tree, 'AstLinux-1.1.0.img.sha1'), `${'0'.repeat(40)}  AstLinux-1.1.0.img\n`);
    const archive = join(sources, 'bad-sum.tgz');
    execFileSync('tar', ['czf', archive, '-C', tree, '.']);
    const card = freshCard('tar-mismatch.img');
    expect((await rejection(add(card, [archive]))).code).toBe('source-checksum-mismatch');
    await expectUnchanged(card);
  });

  it('refuses a truncated archive, and one holding no image, in plain words', async () => {
    const whole = join(sources, 'astlinux-1.1.0.tar.gz');
    const truncated = join(sources, 'truncated.tar.gz');
    writeFileSync(truncated, readFileSync(whole).subarray(0, Math.floor(statSync(whole).size / 2)));
    const card = freshCard('truncated.img');
    const refused = await rejection(add(card, [truncated]));
    expect(refused.code).toBe('bad-archive');
    expect(refused.message).toMatch(/damaged or incomplete/);
    await expectUnchanged(card);

    const empty = join(sources, 'empty.zip');
    writeFileSync(join(sources, 'readme.txt'), 'nothing here');
    execFileSync('zip', ['-q', '-j', empty, join(sources, 'readme.txt')]);
    expect((await rejection(resolveImageSources([empty]))).message).toMatch(/holds no AstLinux image/);
  });
});

interface Served {
  url: string;
  requests: Array<{ method: string; path: string; range: string | undefined }>;
  close(): Promise<void>;
}

/**
 * Serves files from memory on 127.0.0.1. `cut(attempt)` says after how many body bytes the n-th GET of
 * the image drops its connection (null: send it all); `ranges` says whether Range requests are honoured.
 */
async function serve(
  files: Record<string, Buffer>,
  options: { ranges: boolean; cut?: (attempt: number) => number | null },
): Promise<Served> {
  const requests: Served['requests'] = [];
  let imageGets = 0;
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname).slice(1);
    requests.push({ method: request.method ?? '', path, range: request.headers.range });
    const body = files[path];
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    if (options.ranges && range) start = Number(range[1]);
    const part = body.subarray(start);
    const headers: Record<string, string | number> = { 'content-length': part.length };
    if (options.ranges) headers['accept-ranges'] = 'bytes';
    if (start > 0) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    response.writeHead(start > 0 ? 206 : 200, headers);
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    const cutAt = path.endsWith('.img') ? (options.cut?.(imageGets++) ?? null) : null;
    if (cutAt === null || cutAt >= part.length) {
      response.end(part);
      return;
    }
    response.write(part.subarray(0, cutAt), () => {
      setTimeout(() => response.socket?.destroy(), 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('add from an http URL', () => {
  const sources = scratch('web');
  const image = fakeImage(sources, '1.1.0', 3_000_000);
  const bytes = readFileSync(image);
  const sidecar = readFileSync(`${image}.sha1`);
  const servers: Served[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
  });
  const start = async (...args: Parameters<typeof serve>) => {
    const server = await serve(...args);
    servers.push(server);
    return server;
  };

  it('resumes with a Range request after the connection drops midway, and uses <url>.sha1', async () => {
    const server = await start(
      { 'AstLinux-1.1.0.img': bytes, 'AstLinux-1.1.0.img.sha1': sidecar },
      { ranges: true, cut: (attempt) => (attempt === 0 ? 1_100_000 : null) },
    );
    const url = `${server.url}/AstLinux-1.1.0.img`;
    const [source] = await resolveImageSources([url]);
    expect(source).toMatchObject({ name: 'AstLinux-1.1.0.img', size: bytes.length });
    expect(source?.expected?.sidecar).toBe('AstLinux-1.1.0.img.sha1');
    const card = freshCard('resumed.img');
    const progress: Progress[] = [];
    await add(card, [url], (event) => progress.push(event));
    await expectBoots(card, 'AstLinux-1.1.0.img', bytes);
    const ranges = server.requests.filter((request) => request.range).map((request) => request.range);
    expect(ranges.length).toBe(1);
    expect(Number(/bytes=(\d+)-/.exec(ranges[0] ?? '')?.[1])).toBeGreaterThanOrEqual(1_000_000);
    expect(progress.filter((event) => event.phase === 'write').at(-1)).toMatchObject({
      done: bytes.length,
      total: bytes.length,
    });
  });

  it('starts again from the top when the server ignores Range, skipping what it already has', async () => {
    const server = await start(
      { 'AstLinux-1.1.0.img': bytes },
      { ranges: false, cut: (attempt) => (attempt < 2 ? 900_000 * (attempt + 1) : null) },
    );
    const card = freshCard('restarted.img');
    await add(card, [`${server.url}/AstLinux-1.1.0.img`]);
    await expectBoots(card, 'AstLinux-1.1.0.img', bytes);
    const imageGets = server.requests.filter(
      (request) => request.method === 'GET' && request.path === 'AstLinux-1.1.0.img',
    );
    expect(imageGets.length).toBe(3);
  });

  it('refuses a download that keeps stopping short; the card boots as before', async () => {
    const server = await start({ 'AstLinux-1.1.0.img': bytes }, { ranges: false, cut: () => 500_000 });
    const card = freshCard('truncated-download.img');
    const refused = await rejection(add(card, [`${server.url}/AstLinux-1.1.0.img`]));
    expect(refused.code).toBe('download-incomplete');
    expect(refused.message).toMatch(/kept stopping at 500000 of 3000000 bytes; nothing was added/);
    await expectUnchanged(card);
  });

  it('refuses a download whose checksum file disagrees, and a missing file', async () => {
    const server = await start(
      {
        'AstLinux-1.1.0.img': bytes,
        'AstLinux-1.1.0.img.sha1': Buffer.from(`${'f'.repeat(40)}  AstLinux-1.1.0.img\n`),
      },
      { ranges: true },
    );
    const card = freshCard('web-mismatch.img');
    const refused = await rejection(add(card, [`${server.url}/AstLinux-1.1.0.img`]));
    expect(refused.code).toBe('source-checksum-mismatch');
    await expectUnchanged(card);
    const missing = await rejection(resolveImageSources([`${server.url}/AstLinux-9.9.9.img`]));
    expect(missing).toMatchObject({ code: 'download-failed', message: expect.stringMatching(/HTTP 404/) });
  });
});
