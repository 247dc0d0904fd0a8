/**
 * The generic server side of the API contract, shared by Electron's IPC and the dev/test WebSocket: one
 * call by a known method name with an argument list (each method checks its own arguments), one reply as
 * data; every event forwarded to one sender.
 */
import { API_EVENTS, type ApiError, type ApiEventName, type AstcardApi } from '../../shared/api.js';
import { isApiMethod, toApiError } from '../../shared/api-transport.js';
import { errorData } from '../core/errors.js';

export type CallOutcome = { ok: true; value: unknown } | { ok: false; error: ApiError };

export async function dispatchCall(api: AstcardApi, method: unknown, args: unknown): Promise<CallOutcome> {
  if (!isApiMethod(method) || !Array.isArray(args)) {
    return { ok: false, error: { code: 'bad-call', message: `Unknown request ${String(method)}.` } };
  }
  try {
    const fn = api[method] as (...params: unknown[]) => Promise<unknown>;
    return { ok: true, value: await fn.apply(api, args) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? errorData(error) : toApiError(error) };
  }
}

/** Subscribes `send` to every event of the API; returns the unsubscribe. */
export function forwardEvents(
  api: AstcardApi,
  send: (event: ApiEventName, payload: unknown) => void,
): () => void {
  const stops = (Object.keys(API_EVENTS) as ApiEventName[]).map((event) => {
    const subscribe = api[API_EVENTS[event]] as (listener: (payload: unknown) => void) => () => void;
    return subscribe.call(api, (payload) => send(event, payload));
  });
  return () => {
    for (const stop of stops) stop();
  };
}
