// electron/preload.cts against a stand-in `electron` module, run the way Electron runs a sandboxed preload:
// compiled to CommonJS and evaluated with a `require` that has nothing but `electron` (so the test also
// proves it loads nothing else). It exposes exactly the contract as window.api, carries calls on the
// channel main serves, re-throws errors as data and delivers events.
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { beforeAll, describe, expect, test } from 'vitest';
import { API_EVENTS, API_METHODS } from '../../shared/api.js';
import { API_ARGUMENT, describeApi, IPC_CHANNELS } from '../../shared/api-transport.js';

const electron = (() => {
  const state = {
    exposed: new Map<string, Record<string, (...args: unknown[]) => unknown>>(),
    invoked: [] as unknown[][],
    eventListener: null as null | ((event: unknown, name: string, payload: unknown) => void),
    eventChannel: '',
    reply: { ok: true, value: 'pong' } as unknown,
  };
  return {
    state,
    module: {
      contextBridge: {
        exposeInMainWorld: (key: string, value: Record<string, (...args: unknown[]) => unknown>) =>
          state.exposed.set(key, value),
      },
      ipcRenderer: {
        invoke: async (...args: unknown[]) => {
          state.invoked.push(args);
          return state.reply;
        },
        on: (channel: string, listener: typeof state.eventListener) => {
          state.eventChannel = channel;
          state.eventListener = listener;
        },
      },
      webUtils: { getPathForFile: (file: { name: string }) => `/dropped/${file.name}` },
    },
  };
})();

let api: Record<string, (...args: unknown[]) => unknown>;

beforeAll(async () => {
  const source = readFileSync(new URL('../../electron/preload.cts', import.meta.url), 'utf8');
  const compiled = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const sandboxRequire = (name: string) => {
    if (name === 'electron') return electron.module;
    throw new Error(`a sandboxed preload cannot require ${name}`);
  };
  const module = { exports: {} };
  runInNewContext(`(function (require, module, exports, process) {${compiled}\n})`, {})(
    sandboxRequire,
    module,
    module.exports,
    { argv: ['electron', '--type=renderer', describeApi()] },
  );
  api = electron.state.exposed.get('api') ?? {};
});

describe('the preload', () => {
  test('exposes window.api with every method and event of the contract, and nothing else', () => {
    expect([...electron.state.exposed.keys()]).toEqual(['api']);
    const expected = [...API_METHODS, ...Object.values(API_EVENTS), 'pathForFile'].sort();
    expect(Object.keys(api).sort()).toEqual(expected);
    expect(API_ARGUMENT).toBe('--astcard-api=');
  });

  test('a method is one invoke on the call channel main serves', async () => {
    electron.state.reply = { ok: true, value: [{ id: 'x' }] };
    await expect(api.listCards?.()).resolves.toEqual([{ id: 'x' }]);
    expect(electron.state.invoked.at(-1)).toEqual([IPC_CHANNELS.call, 'listCards', []]);
    await api.removeImage?.('/card.img', 'AstLinux-1.0.0.img');
    expect(electron.state.invoked.at(-1)).toEqual([
      IPC_CHANNELS.call,
      'removeImage',
      ['/card.img', 'AstLinux-1.0.0.img'],
    ]);
  });

  test('errors come back as {code, message, detail}', async () => {
    electron.state.reply = {
      ok: false,
      error: { code: 'too-small', message: 'Use a larger card.', detail: 'x' },
    };
    await expect(api.prepareCards?.({})).rejects.toEqual({
      code: 'too-small',
      message: 'Use a larger card.',
      detail: 'x',
    });
  });

  test('events reach their listeners until they unsubscribe', () => {
    expect(electron.state.eventChannel).toBe(IPC_CHANNELS.event);
    const seen: unknown[] = [];
    const stop = api.onProgress?.((payload: unknown) => seen.push(payload)) as () => void;
    electron.state.eventListener?.({}, 'progress', { jobId: 'a', done: 1 });
    electron.state.eventListener?.({}, 'cardsChanged', []);
    stop();
    electron.state.eventListener?.({}, 'progress', { jobId: 'b', done: 2 });
    expect(seen).toEqual([{ jobId: 'a', done: 1 }]);
  });

  test('a dropped file gets its path from webUtils', () => {
    expect(api.pathForFile?.({ name: 'AstLinux-1.2.0.img' })).toBe('/dropped/AstLinux-1.2.0.img');
  });
});
