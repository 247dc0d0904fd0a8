/** The API over one WebSocket: calls in, replies and events out, as the shared message types say. */
import type { WebSocket } from 'ws';
import type { AstcardApi } from '../../shared/api.js';
import type { ApiCallMessage, ApiEventMessage, ApiReplyMessage } from '../../shared/api-transport.js';
import { dispatchCall, forwardEvents } from './dispatch.js';

export function serveApiOverSocket(api: AstcardApi, socket: WebSocket): void {
  const send = (message: ApiReplyMessage | ApiEventMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const stop = forwardEvents(api, (event, payload) => send({ type: 'event', event, payload }));
  socket.on('close', stop);
  socket.on('message', async (data) => {
    let call: Partial<ApiCallMessage>;
    try {
      call = JSON.parse(String(data)) as Partial<ApiCallMessage>;
    } catch {
      return;
    }
    if (call.type !== 'call' || typeof call.id !== 'number') return;
    const outcome = await dispatchCall(api, call.method, call.args);
    send({ type: 'reply', id: call.id, ...outcome });
  });
}
