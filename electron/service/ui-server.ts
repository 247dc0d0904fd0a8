/**
 * The app in a browser (`astcard ui`, and the UI tests): serves the built window (dist/renderer) and the
 * API over a WebSocket to the real core. Other programs and web pages on this computer must not be able to
 * drive it, so:
 * - it listens on 127.0.0.1 only, and answers only requests addressed to 127.0.0.1 or localhost on its
 *   port (a web page cannot re-point its own name at us: DNS rebinding);
 * - every request carries the random token from the printed address as its first path segment
 *   (`/<token>/…`, compared in constant time): the page's relative links keep it, so its scripts and its
 *   WebSocket carry it too, and no cookie is needed (cookies ignore ports, so another local server could
 *   read one);
 * - the WebSocket wants the page's own origin, and no request may come from another site's page;
 * - it serves GET and HEAD of the built files only: no source maps, nothing outside the folder;
 * - no page may frame it, and the address (with its token) is never sent on as a referrer.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import { defaultAssetsDir } from '../core/card/assets.js';
import { AstcardError } from '../core/errors.js';
import type { DriveSource } from './drive-source.js';
import type { FileBrowserOptions } from './file-browser.js';
import { type AstcardService, createAstcardService, type ServiceOptions } from './service.js';
import { serveApiOverSocket } from './ws-bridge.js';

const HOST = '127.0.0.1';
/** A call is a method name and a few paths; anything near this size is not one. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** The page's own policy (index.html carries it too), plus what only a header can say: no framing. */
function securityHeaders(port: number): Record<string, string> {
  return {
    'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self' ws://${HOST}:${port}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    ...SECURITY_HEADERS,
  };
}

const SECURITY_HEADERS = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

export type UiErrorCode = 'ui-not-built' | 'port-busy' | 'port-refused';

export class UiError extends AstcardError {
  declare readonly code: UiErrorCode;

  constructor(code: UiErrorCode, message: string, options: { cause?: unknown; detail?: string } = {}) {
    super(code, message, options);
  }
}

export interface UiServerOptions {
  appVersion: string;
  /** The built renderer; dist/renderer of this checkout or package by default. */
  rendererDir?: string;
  /** 0 (the default) takes a free port. */
  port?: number;
  drives?: DriveSource;
  files?: FileBrowserOptions;
  /** Test hooks of the service (drive polling, station timing). */
  service?: Pick<ServiceOptions, 'pollMs' | 'stationPollMs'>;
}

export interface UiServer {
  /** The page to open, token included. */
  url: string;
  port: number;
  service: AstcardService;
  /** Cancels running jobs (each stops at its next safe point), closes every connection and the port. */
  close(): Promise<void>;
}

/** The checkout's (or the packaged app's) dist/renderer, found the way the core finds assets/. */
export function defaultRendererDir(): string {
  return join(dirname(defaultAssetsDir()), 'dist', 'renderer');
}

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const root = resolve(options.rendererDir ?? defaultRendererDir());
  if (!existsSync(join(root, 'index.html'))) {
    throw new UiError(
      'ui-not-built',
      'The app’s pages are not built on this machine. Run "npm run build:renderer" first.',
      { detail: root },
    );
  }
  const token = randomBytes(24).toString('hex');
  const server = createServer();
  const port = await listen(server, options.port ?? 0);
  const origin = `http://${HOST}:${port}`;
  const headers = securityHeaders(port);
  const gate = requestGate({ port, origin, token });

  const serviceOptions: ServiceOptions = { appVersion: options.appVersion, ...options.service };
  if (options.drives) serviceOptions.drives = options.drives;
  if (options.files) serviceOptions.files = options.files;
  const service = createAstcardService(serviceOptions);

  server.on('request', (request, response) => {
    const refusal = gate(request);
    if (refusal) {
      refuse(response, refusal, headers);
      return;
    }
    serveFile(root, `/${token}/`, request, response, headers).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (request, socket: Socket, head) => {
    const refusal = gate(request) ?? (request.headers.origin === origin ? null : forbidden('origin'));
    const path = new URL(request.url ?? '/', origin).pathname;
    if (refusal || path !== `/${token}/api`) {
      socket.end(`HTTP/1.1 ${refusal?.status ?? 404} ${refusal ? 'Forbidden' : 'Not Found'}\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveApiOverSocket(service.api, ws));
  });

  let closing: Promise<void> | null = null;
  return {
    url: `${origin}/${token}/`,
    port,
    service,
    close() {
      closing ??= (async () => {
        // Stop taking new pages and calls first, let running jobs reach a safe point, then hang up.
        server.close();
        await service.shutdown();
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.closeAllConnections();
      })();
      return closing;
    },
  };
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new UiError(
              'port-busy',
              `Port ${port} is already in use on this computer. Choose another with --port, or leave --port out to take a free one.`,
              { cause: error },
            )
          : new UiError('port-refused', `astcard could not listen on ${HOST}:${port}: ${error.message}`, {
              cause: error,
            }),
      );
    };
    server.once('error', failed);
    server.listen(port, HOST, () => {
      server.off('error', failed);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

interface Refusal {
  status: number;
  reason: string;
}

const forbidden = (reason: string): Refusal => ({ status: 403, reason });

/** Whether a request may be answered at all: the right host, the token, no other site's page behind it. */
function requestGate(own: {
  port: number;
  origin: string;
  token: string;
}): (request: IncomingMessage) => Refusal | null {
  const hosts = new Set([`${HOST}:${own.port}`, `localhost:${own.port}`]);
  return (request) => {
    if (!hosts.has(request.headers.host ?? '')) return { status: 421, reason: 'wrong host' };
    if (request.method !== 'GET' && request.method !== 'HEAD') return { status: 405, reason: 'method' };
    // Browsers say where a request comes from; a page of another site (or origin) gets nothing.
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return forbidden('cross-site');
    const from = request.headers.origin;
    if (from !== undefined && from !== own.origin) return forbidden('origin');
    const [, offered = ''] = new URL(request.url ?? '/', own.origin).pathname.split('/');
    return sameSecret(offered, own.token) ? null : forbidden('token');
  };
}

function sameSecret(offered: string, token: string): boolean {
  const a = Buffer.from(offered);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuse(response: ServerResponse, refusal: Refusal, headers: Record<string, string>): void {
  const text =
    refusal.reason === 'token'
      ? 'Open the address astcard printed when it started: it carries the key this page needs.\n'
      : refusal.status === 404
        ? 'Not found.\n'
        : 'astcard does not answer this request.\n';
  response.writeHead(refusal.status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  response.end(text);
}

async function serveFile(
  root: string,
  prefix: string,
  request: IncomingMessage,
  response: ServerResponse,
  headers: Record<string, string>,
): Promise<void> {
  const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1');
  if (!pathname.startsWith(prefix)) {
    // The bare token (`/<token>`): the page lives one slash further, where its relative links work.
    response.writeHead(308, { location: prefix, ...headers });
    response.end();
    return;
  }
  const rest = pathname.slice(prefix.length);
  const path = normalize(join(root, rest === '' ? 'index.html' : decodeURIComponent(rest)));
  // Source maps are for developers; the app's own files are what is served.
  if (!path.startsWith(root + sep) || path.endsWith('.map')) {
    refuse(response, { status: 404, reason: 'not found' }, headers);
    return;
  }
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch {
    refuse(response, { status: 404, reason: 'not found' }, headers);
    return;
  }
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
    ...headers,
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}
