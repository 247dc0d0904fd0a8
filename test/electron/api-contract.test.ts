// shared/api-transport.ts: the one generic proxy turns any transport into the typed service, and back.
import { describe, expect, test } from 'vitest';
import { API_EVENTS, API_METHODS, type ApiEventName, type ApiMethodName } from '../../shared/api.js';
import { createApiClient, isApiMethod, toApiError } from '../../shared/api-transport.js';

function fakeTransport() {
  const calls: Array<[ApiMethodName, unknown[]]> = [];
  let emit: (event: ApiEventName, payload: unknown) => void = () => {};
  return {
    calls,
    emit: (event: ApiEventName, payload: unknown) => emit(event, payload),
    transport: {
      call: async (method: ApiMethodName, args: unknown[]) => {
        calls.push([method, args]);
        return `${method} done`;
      },
      listen: (listener: typeof emit) => {
        emit = listener;
      },
    },
  };
}

describe('the API contract', () => {
  test('every method and event becomes a member of the client', async () => {
    const { transport, calls } = fakeTransport();
    const client = createApiClient(transport);
    for (const method of API_METHODS) expect(typeof client[method]).toBe('function');
    for (const member of Object.values(API_EVENTS)) expect(typeof client[member]).toBe('function');
    await expect(client.removeImage('/card.img', 'AstLinux-1.0.0.img')).resolves.toBe('removeImage done');
    expect(calls).toEqual([['removeImage', ['/card.img', 'AstLinux-1.0.0.img']]]);
  });

  test('events reach each subscriber until it unsubscribes', () => {
    const { transport, emit } = fakeTransport();
    const client = createApiClient(transport);
    const seen: unknown[] = [];
    const stop = client.onProgress((progress) => seen.push(progress.jobId));
    client.onCardsChanged(() => seen.push('cards'));
    emit('progress', { jobId: 'one' });
    emit('cardsChanged', []);
    stop();
    emit('progress', { jobId: 'two' });
    expect(seen).toEqual(['one', 'cards']);
  });

  test('only the listed methods are callable by name', () => {
    expect(isApiMethod('prepareCards')).toBe(true);
    expect(isApiMethod('onProgress')).toBe(false);
    expect(isApiMethod('__proto__')).toBe(false);
    expect(isApiMethod('constructor')).toBe(false);
  });

  test('anything thrown becomes {code, message, detail}', () => {
    expect(toApiError({ code: 'too-small', message: 'Use a larger card.', detail: 'd', extra: 1 })).toEqual({
      code: 'too-small',
      message: 'Use a larger card.',
      detail: 'd',
    });
    expect(toApiError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' });
    expect(toApiError('odd')).toEqual({ code: 'internal', message: 'odd' });
  });
});
