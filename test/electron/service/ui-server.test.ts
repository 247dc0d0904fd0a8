// The server behind `astcard ui`: 127.0.0.1 only (checked with ss), every request wants the token of the
// printed address, other hosts, origins and sites are refused, nothing but the built files is served, and
// a call made over the socket reaches the real API.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { startUiServer, type UiServer } from '../../../electron/service/ui-server.js';

let server: UiServer;
let origin: string;
let token: string;
let home: string;
const root = mkdtempSync(join(tmpdir(), 'astcard-ui-server-'));

beforeAll(async () => {
  const renderer = join(root, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>astcard</title>');
  writeFileSync(join(renderer, 'assets', 'index.js'), 'console.log("astcard")');
  writeFileSync(join(renderer, 'assets', 'index.js.map'), '{}');
  writeFileSync(join(root, 'secret.txt'), 'outside the renderer');
  home = join(root, 'home');
  mkdirSync(home);
  writeFileSync(join(home, 'AstLinux-1.5.10.img'), 'image');
  server = await startUiServer({
    rendererDir: renderer,
    appVersion: 'ui-test',
    drives: { list: async () => [] },
    files: { home, recentFile: join(root, 'recent.json') },
  });
  const url = new URL(server.url);
  origin = url.origin;
  token = url.pathname.split('/')[1] ?? '';
});

afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

/** A raw HTTP request, so Host, Origin and Sec-Fetch-Site can be set as any client could. */
function get(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const sent = request({ host: '127.0.0.1', port: server.port, path, method, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
    });
    sent.on('error', reject);
    sent.end();
  });
}

function connect(path: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('the astcard ui server', () => {
  test('listens on 127.0.0.1 only, with a long random token as the first part of the address', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{48}\/$/);
    // ss lists every listening TCP socket of the machine: this port's is bound to 127.0.0.1, nothing else.
    const listening = execFileSync('ss', ['-Htln', `sport = :${server.port}`], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[3]);
    expect(listening).toEqual([`127.0.0.1:${server.port}`]);
  });

  test('serves the page and its files under the token, with headers that keep it to itself', async () => {
    const page = await get(`/${token}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>astcard</title>');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['set-cookie']).toBeUndefined();
    const script = await get(`/${token}/assets/index.js`);
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // The bare token leads to the page, one slash further.
    const bare = await get(`/${token}`);
    expect(bare.status).toBe(308);
    expect(bare.headers.location).toBe(`/${token}/`);
  });

  test('refuses every request without the token, or with a wrong one', async () => {
    for (const path of [
      '/',
      '/index.html',
      '/assets/index.js',
      `/${'0'.repeat(48)}/`,
      `/${token.slice(1)}/`,
    ]) {
      const answer = await get(path);
      expect(answer.status, path).toBe(403);
      expect(answer.body).toMatch(/Open the address astcard printed/);
    }
  });

  test('serves nothing outside the built files, and no source maps', async () => {
    expect((await get(`/${token}/..%2fsecret.txt`)).status).toBe(404);
    expect((await get(`/${token}/../secret.txt`)).body).not.toContain('outside the renderer');
    expect((await get(`/${token}/assets/index.js.map`)).status).toBe(404);
    expect((await get(`/${token}/nothing-here.js`)).status).toBe(404);
  });

  test('refuses other hosts (DNS rebinding), other origins and sites, and anything but GET', async () => {
    expect((await get(`/${token}/`, { host: `attacker.example:${server.port}` })).status).toBe(421);
    expect((await get(`/${token}/`, { origin: 'http://attacker.example' })).status).toBe(403);
    expect((await get(`/${token}/`, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await get(`/${token}/`, { 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await get(`/${token}/`, {}, 'POST')).status).toBe(405);
    // The page's own requests pass: same origin, or typed into the address bar.
    expect((await get(`/${token}/`, { 'sec-fetch-site': 'none' })).status).toBe(200);
    expect((await get(`/${token}/`, { host: `localhost:${server.port}` })).status).toBe(200);
  });

  test('refuses a socket without the token, from another origin, or at another address', async () => {
    await expect(connect('/api', { origin })).rejects.toThrow(/403/);
    await expect(connect(`/${'f'.repeat(48)}/api`, { origin })).rejects.toThrow(/403/);
    await expect(connect(`/${token}/api`, { origin: 'http://attacker.example' })).rejects.toThrow(/403/);
    await expect(connect(`/${token}/api`, {})).rejects.toThrow(/403/);
    await expect(connect(`/${token}/other`, { origin })).rejects.toThrow(/404/);
  });

  test('will not start without the built pages, and says what to run', async () => {
    await expect(
      startUiServer({ rendererDir: join(root, 'nowhere'), appVersion: 'x' }),
    ).rejects.toMatchObject({
      code: 'ui-not-built',
      message: 'The app’s pages are not built on this machine. Run "npm run build:renderer" first.',
    });
  });

  test('carries calls and their errors to the real API, the file browser included', async () => {
    const socket = await connect(`/${token}/api`, { origin });
    const replies: Array<Record<string, unknown>> = [];
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message.type === 'reply') replies.push(message);
    });
    const calls: Array<[string, unknown[]]> = [
      ['appInfo', []],
      ['openCardImage', ['/no/such.img']],
      ['constructor', []],
      ['listFolder', [null, 'images']],
    ];
    calls.forEach(([method, args], index) => {
      socket.send(JSON.stringify({ type: 'call', id: index + 1, method, args }));
    });
    await expect.poll(() => replies.length).toBe(calls.length);
    const byId = (id: number) => replies.find((reply) => reply.id === id);
    expect(byId(1)).toMatchObject({ ok: true, value: { version: 'ui-test', nativeDialogs: false } });
    expect(byId(2)).toMatchObject({ ok: false, error: { code: 'file-missing' } });
    expect(byId(3)).toMatchObject({ ok: false, error: { code: 'bad-call' } });
    expect(byId(4)).toMatchObject({
      ok: true,
      value: { path: home, entries: [{ name: 'AstLinux-1.5.10.img', kind: 'file', size: 5 }] },
    });
    socket.close();
  });
});
