/**
 * How the API contract travels: Electron's IPC channels, the messages of the WebSocket bridge, and one
 * generic client that turns any transport into the typed service. ES5 library only, like the contract.
 */
import {
  API_EVENTS,
  API_METHODS,
  type ApiError,
  type ApiEventName,
  type ApiMethodName,
  type AstcardApi,
} from './api.js';

/** Electron's channels for the contract: one for every call, one for every event. */
export const IPC_CHANNELS = { call: 'astcard:call', event: 'astcard:event' } as const;

/** How main tells the sandboxed preload the contract (it cannot load this module). */
export const API_ARGUMENT = '--astcard-api=';

export function describeApi(): string {
  return API_ARGUMENT + JSON.stringify({ methods: API_METHODS, events: API_EVENTS });
}

/** What a transport carries: a call, its reply, or an event. */
export interface ApiCallMessage {
  type: 'call';
  id: number;
  method: ApiMethodName;
  args: unknown[];
}

export type ApiReplyMessage =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: ApiError };

export interface ApiEventMessage {
  type: 'event';
  event: ApiEventName;
  payload: unknown;
}

/** A transport: how to call a method, and how to hear every event. */
export interface ApiTransport {
  call(method: ApiMethodName, args: unknown[]): Promise<unknown>;
  listen(listener: (event: ApiEventName, payload: unknown) => void): void;
}

export function isApiMethod(name: unknown): name is ApiMethodName {
  for (let i = 0; i < API_METHODS.length; i++) if (API_METHODS[i] === name) return true;
  return false;
}

export function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const error = value as { code?: unknown; message?: unknown };
  return typeof error.code === 'string' && typeof error.message === 'string';
}

/** Anything thrown, as the {code, message, detail} the window shows. */
export function toApiError(error: unknown): ApiError {
  if (isApiError(error)) {
    const data: ApiError = { code: error.code, message: error.message };
    if (typeof error.detail === 'string') data.detail = error.detail;
    return data;
  }
  if (error instanceof Error) return { code: 'internal', message: error.message };
  return { code: 'internal', message: String(error) };
}

/** The typed service over any transport: one generic proxy, no per-method plumbing. */
export function createApiClient(transport: ApiTransport): AstcardApi {
  const listeners: { [name: string]: Array<(payload: unknown) => void> } = {};
  transport.listen((event, payload) => {
    const current = (listeners[event] || []).slice();
    for (let i = 0; i < current.length; i++) current[i]?.(payload);
  });
  const client: { [name: string]: unknown } = {};
  for (let i = 0; i < API_METHODS.length; i++) {
    const method = API_METHODS[i] as ApiMethodName;
    client[method] = (...args: unknown[]) => transport.call(method, args);
  }
  for (const event in API_EVENTS) {
    const name = event as ApiEventName;
    client[API_EVENTS[name]] = (listener: (payload: unknown) => void) => {
      const list = listeners[name] || [];
      listeners[name] = list;
      list.push(listener);
      return () => {
        const at = list.indexOf(listener);
        if (at >= 0) list.splice(at, 1);
      };
    };
  }
  return client as unknown as AstcardApi;
}
