/** The window's one door to the app: `window.api` (Electron's preload, or the WebSocket of `astcard ui`). */
import type { ApiError, AppInfo, AstcardApi, WindowApi } from '../../../shared/api.js';
import { toApiError } from '../../../shared/api-transport.js';
import { connectBridge } from './bridge-client.js';

declare global {
  interface Window {
    api?: WindowApi;
  }
}

let current: WindowApi | null = null;
let info: AppInfo | null = null;

export async function connectApi(): Promise<void> {
  current = window.api ?? ((await connectBridge(window.location)) as WindowApi);
  info = await current.appInfo();
}

export function api(): WindowApi {
  if (!current) throw new Error('astcard is not connected yet');
  return current;
}

export function appInfo(): AppInfo {
  if (!info) throw new Error('astcard is not connected yet');
  return info;
}

export type { ApiError, AstcardApi };
export const asApiError = toApiError;

let jobCounter = 0;
export function newJobId(kind: string): string {
  jobCounter += 1;
  return `${kind}-${Date.now().toString(36)}-${jobCounter}`;
}
