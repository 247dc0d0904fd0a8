/**
 * The window's only door to the main process, exposed as `window.api`. It runs sandboxed (no Node, no
 * require of our own modules), so it knows the contract only as the list of method and event names main
 * hands it on the command line; each method becomes one `invoke` on one channel, each `on…` a listener
 * on one event channel. Errors come back as data and are re-thrown as {code, message, detail}.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';

const CALL_CHANNEL = 'astcard:call';
const EVENT_CHANNEL = 'astcard:event';
const API_ARGUMENT = '--astcard-api=';

interface Described {
  methods: string[];
  events: Record<string, string>;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function described(argv: string[]): Described {
  const argument = argv.find((entry) => entry.startsWith(API_ARGUMENT));
  if (!argument) throw new Error('astcard preload: main did not describe the API');
  return JSON.parse(argument.slice(API_ARGUMENT.length)) as Described;
}

export function buildWindowApi(contract: Described): Record<string, unknown> {
  const api: Record<string, unknown> = {};
  for (const method of contract.methods) {
    api[method] = async (...args: unknown[]) => {
      const outcome = (await ipcRenderer.invoke(CALL_CHANNEL, method, args)) as Outcome;
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    };
  }
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  ipcRenderer.on(EVENT_CHANNEL, (_event, name: string, payload: unknown) => {
    for (const listener of listeners.get(name) ?? []) listener(payload);
  });
  for (const [event, member] of Object.entries(contract.events)) {
    api[member] = (listener: (payload: unknown) => void) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    };
  }
  // Electron no longer gives dropped files a path; only the preload may ask for it.
  api.pathForFile = (file: File) => webUtils.getPathForFile(file);
  return api;
}

contextBridge.exposeInMainWorld('api', buildWindowApi(described(process.argv)));
