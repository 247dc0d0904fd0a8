// electron/main.ts against a stand-in `electron` module: the window's security settings, the CSP, and the
// API wired onto IPC (the real API implementation and core behind it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { API_METHODS } from '../../shared/api.js';
import { describeApi, IPC_CHANNELS } from '../../shared/api-transport.js';

const electron = vi.hoisted(() => {
  const handlers = new Map<string, (...args: unknown[]) => unknown>();
  const contentsEvents = new Map<string, (...args: unknown[]) => void>();
  const state = {
    windowOptions: null as null | Record<string, unknown>,
    loaded: '' as string,
    sent: [] as unknown[][],
    openHandler: null as null | ((details: { url: string }) => { action: string }),
    headersListener: null as null | ((details: unknown, callback: (response: unknown) => void) => void),
    permissionHandler: null as
      | null
      | ((contents: unknown, permission: string, answer: (ok: boolean) => void) => void),
    opened: [] as string[],
  };
  class BrowserWindow {
    webContents = {
      send: (...args: unknown[]) => state.sent.push(args),
      isDestroyed: () => false,
      on: (event: string, listener: (...args: unknown[]) => void) => contentsEvents.set(event, listener),
      setWindowOpenHandler: (handler: (details: { url: string }) => { action: string }) => {
        state.openHandler = handler;
      },
    };
    constructor(options: Record<string, unknown>) {
      state.windowOptions = options;
    }
    on() {}
    once() {}
    show() {}
    async loadFile(path: string) {
      state.loaded = path;
    }
  }
  return {
    state,
    handlers,
    contentsEvents,
    module: {
      app: { whenReady: () => Promise.resolve(), on: () => {}, quit: () => {}, getVersion: () => '9.9.9' },
      BrowserWindow,
      ipcMain: {
        handle: (channel: string, handler: (...args: unknown[]) => unknown) => handlers.set(channel, handler),
        removeHandler: (channel: string) => handlers.delete(channel),
      },
      dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showErrorBox: () => {} },
      shell: { openExternal: async (url: string) => state.opened.push(url) },
      session: {
        defaultSession: {
          webRequest: {
            onHeadersReceived: (listener: typeof state.headersListener) => {
              state.headersListener = listener;
            },
          },
          setPermissionRequestHandler: (handler: typeof state.permissionHandler) => {
            state.permissionHandler = handler;
          },
        },
      },
    },
  };
});

vi.mock('electron', () => ({ ...electron.module, default: electron.module }));

async function call(method: string, args: unknown[], url = pathToFileURL(electron.state.loaded).href) {
  const handler = electron.handlers.get(IPC_CHANNELS.call);
  if (!handler) throw new Error('no IPC handler');
  return handler({ senderFrame: { url } }, method, args) as Promise<{
    ok: boolean;
    value?: unknown;
    error?: { code: string };
  }>;
}

beforeAll(async () => {
  await import('../../electron/main.js');
  await vi.waitFor(() => expect(electron.state.loaded).not.toBe(''));
});

describe('the main process', () => {
  test('opens one window, sandboxed, isolated, without Node, with the preload that exposes window.api', () => {
    const prefs = electron.state.windowOptions?.webPreferences as Record<string, unknown>;
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.webviewTag).toBe(false);
    expect(String(prefs.preload)).toMatch(/electron[\\/]preload\.cjs$/);
    expect(prefs.additionalArguments).toEqual([describeApi()]);
    expect(electron.state.loaded).toMatch(/dist[\\/]renderer[\\/]index\.html$/);
  });

  test('every response carries a strict Content-Security-Policy', () => {
    let headers: Record<string, string[]> = {};
    electron.state.headersListener?.({ responseHeaders: { 'X-Other': ['kept'] } }, (response) => {
      headers = (response as { responseHeaders: Record<string, string[]> }).responseHeaders;
    });
    const csp = headers['Content-Security-Policy']?.[0] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(headers['X-Other']).toEqual(['kept']);
  });

  test('the window may not navigate, open windows or get permissions', () => {
    let prevented = false;
    electron.contentsEvents.get('will-navigate')?.({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(electron.state.openHandler?.({ url: 'https://www.astlinux-project.org/' })).toEqual({
      action: 'deny',
    });
    expect(electron.state.opened).toEqual(['https://www.astlinux-project.org/']);
    expect(electron.state.openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(electron.state.opened).toHaveLength(1);
    let granted: boolean | undefined;
    electron.state.permissionHandler?.({}, 'media', (ok) => (granted = ok));
    expect(granted).toBe(false);
  });

  test('serves every API method on one IPC channel, with errors as data', async () => {
    const info = await call('appInfo', []);
    expect(info).toMatchObject({ ok: true, value: { version: '9.9.9', nativeDialogs: true } });
    const gone = await call('inspectCard', ['/no/such/card.img']);
    expect(gone).toMatchObject({ ok: false, error: { code: 'card-gone' } });
    expect(await call('rmRf', ['/'])).toMatchObject({ ok: false, error: { code: 'bad-call' } });
    expect(API_METHODS.length).toBeGreaterThan(10);
  });

  test('refuses calls from any page but its own', async () => {
    const refused = await call('appInfo', [], 'https://evil.example/');
    expect(refused).toMatchObject({ ok: false, error: { code: 'bad-call' } });
  });

  test('forwards events to the window', async () => {
    const image = join(mkdtempSync(join(tmpdir(), 'astcard-main-')), 'card.img');
    execFileSync('truncate', ['-s', '8M', image]);
    const opened = await call('openCardImage', [image]);
    expect(opened).toMatchObject({ ok: true, value: { id: image, state: { kind: 'empty' } } });
    const event = electron.state.sent.find(
      ([channel, name]) => channel === IPC_CHANNELS.event && name === 'cardsChanged',
    );
    expect(event?.[2]).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: image, kind: 'image-file' })]),
    );
  });
});
