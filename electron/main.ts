/**
 * The desktop app's main process: one locked-down window showing dist/renderer, and the astcard API
 * (electron/service/, over the core) served to it on IPC. Everything else lives elsewhere.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, session, shell } from 'electron';
import { defaultAssetsDir } from './core/card/assets.js';
import { createAstcardService } from './service/service.js';
import {
  lockNavigation,
  serveApiOnIpc,
  windowOptions,
  withSecurityHeaders,
} from './window/electron-window.js';
import { pickerFor } from './window/pickers.js';

const here = dirname(fileURLToPath(import.meta.url));
const checkout = dirname(defaultAssetsDir());
const pageFile = join(checkout, 'dist', 'renderer', 'index.html');
const pageUrl = pathToFileURL(pageFile).href;

async function openWindow(): Promise<void> {
  session.defaultSession.webRequest.onHeadersReceived(withSecurityHeaders);
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, answer) => answer(false));

  const window = new BrowserWindow(
    windowOptions(join(here, 'preload.cjs'), join(checkout, 'assets', 'icons', 'icon.png')),
  );
  const service = createAstcardService({
    appVersion: app.getVersion(),
    pickPath: (purpose, suggestedName) =>
      pickerFor(
        purpose,
        (options) => dialog.showOpenDialog(window, options),
        (options) => dialog.showSaveDialog(window, options),
        suggestedName,
      ),
  });
  lockNavigation(window.webContents, (url) => void shell.openExternal(url));
  const stop = serveApiOnIpc(ipcMain, service.api, window.webContents, (url) => url === pageUrl);
  window.on('closed', () => {
    stop();
    service.close();
  });
  window.once('ready-to-show', () => window.show());
  await window.loadFile(pageFile);
}

app.on('window-all-closed', () => app.quit());
app.whenReady().then(openWindow, (error: unknown) => {
  dialog.showErrorBox('astcard could not start', String(error));
  app.quit();
});
