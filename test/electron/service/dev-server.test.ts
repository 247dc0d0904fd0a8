// The dev/test bridge: 127.0.0.1 only, the socket wants the page's token and origin, static files stay
// inside the renderer folder, and a call made over the socket reaches the real API.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { type DevServer, startDevServer } from '../../../electron/service/dev-server.js';

let server: DevServer;
let origin: string;
let token: string;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'astcard-devserver-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>astcard</title>');
  server = await startDevServer({
    rootDir: root,
    appVersion: 'bridge-test',
    drives: { list: async () => [] },
  });
  const url = new URL(server.url);
  origin = url.origin;
  token = url.searchParams.get('token') ?? '';
});

afterAll(() => server.close());

function connect(path: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://${new URL(origin).host}${path}`, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('the dev/test bridge', () => {
  test('listens on 127.0.0.1 with a long random token in the page address', () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    expect(token).toMatch(/^[0-9a-f]{48}$/);
  });

  test('serves the page, and nothing outside its folder', async () => {
    const page = await fetch(`${origin}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>astcard</title>');
    const outside = await fetch(`${origin}/..%2f..%2f..%2fetc%2fpasswd`);
    expect([403, 404]).toContain(outside.status);
  });

  test('refuses a socket without the token, or from another origin', async () => {
    await expect(connect('/api?token=wrong', { origin })).rejects.toThrow(/403/);
    await expect(connect('/api', { origin })).rejects.toThrow(/403/);
    await expect(connect(`/api?token=${token}`, { origin: 'http://evil.example' })).rejects.toThrow(/403/);
  });

  test('carries calls and their errors to the real API', async () => {
    const socket = await connect(`/api?token=${token}`, { origin });
    const replies: Array<Record<string, unknown>> = [];
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message.type === 'reply') replies.push(message);
    });
    socket.send(JSON.stringify({ type: 'call', id: 1, method: 'appInfo', args: [] }));
    socket.send(JSON.stringify({ type: 'call', id: 2, method: 'openCardImage', args: ['/no/such.img'] }));
    socket.send(JSON.stringify({ type: 'call', id: 3, method: 'constructor', args: [] }));
    await expect.poll(() => replies.length).toBe(3);
    const byId = (id: number) => replies.find((reply) => reply.id === id);
    expect(byId(1)).toMatchObject({ ok: true, value: { version: 'bridge-test', nativeDialogs: false } });
    expect(byId(2)).toMatchObject({ ok: false, error: { code: 'file-missing' } });
    expect(byId(3)).toMatchObject({ ok: false, error: { code: 'bad-call' } });
    socket.close();
  });
});
