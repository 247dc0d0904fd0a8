/**
 * The dev/test bridge: serves the built window (dist/renderer) and the same API over a WebSocket to the
 * real core, so the app runs in an ordinary browser against image-file cards. A tool for developers and
 * tests, never shipped: it listens on 127.0.0.1 only, and the socket wants the random token that is in the
 * page's address (and the page's own origin), so other local pages and users cannot drive it.
 *
 *   npx tsx electron/service/dev-server.ts [--port N]      (after `npm run build:renderer`)
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';
import { defaultAssetsDir } from '../core/card/assets.js';
import type { DriveSource } from './drive-source.js';
import { type AstcardService, createAstcardService, type ServiceOptions } from './service.js';
import { serveApiOverSocket } from './ws-bridge.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export interface DevServerOptions {
  /** The built renderer; defaults to dist/renderer of this checkout. */
  rootDir?: string;
  port?: number;
  drives?: DriveSource;
  appVersion?: string;
}

export interface DevServer {
  /** The page to open, token included. */
  url: string;
  service: AstcardService;
  close(): Promise<void>;
}

/** The checkout's dist/renderer, found the way the core finds assets/ (from source or from dist/). */
export function defaultRendererDir(): string {
  return join(dirname(defaultAssetsDir()), 'dist', 'renderer');
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const root = options.rootDir ?? defaultRendererDir();
  const token = randomBytes(24).toString('hex');
  const serviceOptions: ServiceOptions = { appVersion: options.appVersion ?? 'dev' };
  if (options.drives) serviceOptions.drives = options.drives;
  const service = createAstcardService(serviceOptions);
  const server = createServer((request, response) => {
    serveStatic(root, request, response).catch(() => {
      response.writeHead(500).end();
    });
  });
  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const origin = request.headers.origin;
    const ownOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (url.pathname !== '/api' || url.searchParams.get('token') !== token || origin !== ownOrigin) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveApiOverSocket(service.api, ws));
  });
  await new Promise<void>((done) => server.listen(options.port ?? 0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    service,
    async close() {
      service.close();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

async function serveStatic(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).slice(1);
  const path = normalize(join(root, relative));
  if (!path.startsWith(root + sep)) {
    response.writeHead(403).end();
    return;
  }
  try {
    const body = await readFile(path);
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    response.end(body);
  } catch {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { port: { type: 'string' } } });
  const server = await startDevServer(values.port ? { port: Number(values.port) } : {});
  console.log(`astcard dev bridge: open ${server.url}`);
}
