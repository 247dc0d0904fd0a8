/**
 * `window.api` in an ordinary browser: the same contract over the WebSocket of `astcard ui`. The page's
 * address starts with the server's token (`/<token>/`), so the socket beside it (`/<token>/api`) carries
 * the token too; a page opened any other way was never served.
 */
import type { AstcardApi } from '../../../shared/api.js';
import {
  type ApiCallMessage,
  type ApiEventMessage,
  type ApiReplyMessage,
  createApiClient,
} from '../../../shared/api-transport.js';

export async function connectBridge(location: Location): Promise<AstcardApi> {
  if (location.protocol !== 'http:') throw new Error('Open the address astcard printed when it started.');
  const address = new URL('api', location.href);
  address.protocol = 'ws:';
  address.search = '';
  address.hash = '';
  const socket = new WebSocket(address.href);
  await new Promise<void>((opened, failed) => {
    socket.addEventListener('open', () => opened(), { once: true });
    socket.addEventListener(
      'error',
      () => failed(new Error('astcard is not answering. Is it still running?')),
      {
        once: true,
      },
    );
  });
  let nextId = 1;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  const eventListeners: Array<(event: ApiEventMessage['event'], payload: unknown) => void> = [];
  socket.addEventListener('message', (message) => {
    const data = JSON.parse(String(message.data)) as ApiReplyMessage | ApiEventMessage;
    if (data.type === 'event') {
      for (const listener of eventListeners) listener(data.event, data.payload);
      return;
    }
    const waiting = pending.get(data.id);
    pending.delete(data.id);
    if (!waiting) return;
    if (data.ok) waiting.resolve(data.value);
    else waiting.reject(data.error);
  });
  socket.addEventListener('close', () => {
    for (const waiting of pending.values()) {
      waiting.reject({
        code: 'bridge-closed',
        message: 'The connection to astcard was lost. Reload the page.',
      });
    }
    pending.clear();
  });
  return createApiClient({
    call(method, args) {
      const id = nextId++;
      const message: ApiCallMessage = { type: 'call', id, method, args };
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        socket.send(JSON.stringify(message));
      });
    },
    listen(listener) {
      eventListeners.push(listener);
    },
  });
}
