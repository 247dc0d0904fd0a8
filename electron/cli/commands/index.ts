import { ABOUT } from './about.js';
import type { Command } from './support.js';

/** A command as --help lists it; its code is imported only when it runs (a CLI start loads one command). */
export interface CommandEntry {
  name: string;
  usage: string;
  summary: string;
  load(): Promise<Command>;
}

/** Every astcard command, in the order --help lists them. */
export const COMMANDS: CommandEntry[] = [
  { ...ABOUT.ui, load: async () => (await import('./ui.js')).ui },
  { ...ABOUT.drives, load: async () => (await import('./drives.js')).drives },
  { ...ABOUT.prepare, load: async () => (await import('./prepare.js')).prepare },
  { ...ABOUT.inspect, load: async () => (await import('./inspect.js')).inspect },
  { ...ABOUT.add, load: async () => (await import('./add.js')).add },
  { ...ABOUT.remove, load: async () => (await import('./remove.js')).remove },
  { ...ABOUT.revert, load: async () => (await import('./revert.js')).revert },
  { ...ABOUT.verify, load: async () => (await import('./verify.js')).verify },
  { ...ABOUT.repair, load: async () => (await import('./repair.js')).repair },
  { ...ABOUT.tryBoot, load: async () => (await import('./try.js')).tryBoot },
  { ...ABOUT.loader, load: async () => (await import('./loader.js')).loader },
  { ...ABOUT.keydisk, load: async () => (await import('./keydisk.js')).keydisk },
  { ...ABOUT.settings, load: async () => (await import('./settings.js')).settings },
  { ...ABOUT.batch, load: async () => (await import('./batch.js')).batch },
  { ...ABOUT.publish, load: async () => (await import('./publish.js')).publish },
  { ...ABOUT.source, load: async () => (await import('./source.js')).source },
  { ...ABOUT.key, load: async () => (await import('./key.js')).key },
  { ...ABOUT.sign, load: async () => (await import('./sign.js')).sign },
];
