/**
 * `window.api` in an ordinary browser: the same contract over the dev/test bridge's WebSocket. The bridge
 * put its token in the page address; without it there is nothing to talk to.
 */
import type { AstcardApi } from '../../../shared/api.js';
import {
  type ApiCallMessage,
  type ApiEventMessage,
  type ApiReplyMessage,
  createApiClient,
} from '../../../shared/api-transport.js';

export async function connectBridge(location: Location): Promise<AstcardApi> {
  const token = new URLSearchParams(location.search).get('token');
  if (!token) throw new Error('This page needs the address the astcard bridge printed (it carries a token).');
  const socket = new WebSocket(`ws://${location.host}/api?token=${encodeURIComponent(token)}`);
  await new Promise<void>((opened, failed) => {
    socket.addEventListener('open', () => opened(), { once: true });
    socket.addEventListener('error', () => failed(new Error('The astcard bridge is not answering.')), {
      once: true,
    });
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
