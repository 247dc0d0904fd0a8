/**
 * Electron's side of the window: the locked-down BrowserWindow settings, the Content Security Policy, and
 * the API wired onto IPC. Kept apart from main.ts so the settings can be read (and tested) in one place.
 */
import type {
  BrowserWindowConstructorOptions,
  IpcMain,
  OnHeadersReceivedListenerDetails,
  WebContents,
} from 'electron';
import type { AstcardApi } from '../../shared/api.js';
import { describeApi, IPC_CHANNELS } from '../../shared/api-transport.js';
import { dispatchCall, forwardEvents } from '../service/dispatch.js';

/** Nothing from the network, no inline script, no eval: the window only runs the bundle it shipped with. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function windowOptions(preloadPath: string, iconPath?: string): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 780,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'astcard',
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      additionalArguments: [describeApi()],
    },
  };
}

/** Adds the CSP header to every response the window loads (the page carries it as a meta tag too). */
export function withSecurityHeaders(
  details: OnHeadersReceivedListenerDetails,
  callback: (response: { responseHeaders: Record<string, string[] | string> }) => void,
): void {
  callback({
    responseHeaders: {
      ...details.responseHeaders,
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      'X-Content-Type-Options': ['nosniff'],
    },
  });
}

/** The window may navigate nowhere and open nothing: links to the web go to the system browser. */
export function lockNavigation(contents: WebContents, openExternal: (url: string) => void): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) openExternal(url);
    return { action: 'deny' };
  });
}

/**
 * Serves the API on IPC for the app's own page only (a frame from elsewhere is refused), and forwards
 * every event to the window. Returns the unsubscribe for when the window closes.
 */
export function serveApiOnIpc(
  ipcMain: IpcMain,
  api: AstcardApi,
  contents: WebContents,
  isOwnPage: (url: string) => boolean,
): () => void {
  ipcMain.handle(IPC_CHANNELS.call, (event, method: unknown, args: unknown) => {
    if (!isOwnPage(event.senderFrame?.url ?? '')) {
      return { ok: false, error: { code: 'bad-call', message: 'Refused a request from an unknown page.' } };
    }
    return dispatchCall(api, method, args);
  });
  const stop = forwardEvents(api, (event, payload) => {
    if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.event, event, payload);
  });
  return () => {
    stop();
    ipcMain.removeHandler(IPC_CHANNELS.call);
  };
}
