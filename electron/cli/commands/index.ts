import { add } from './add.js';
import { batch } from './batch.js';
import { drives } from './drives.js';
import { inspect } from './inspect.js';
import { key } from './key.js';
import { keydisk } from './keydisk.js';
import { loader } from './loader.js';
import { prepare } from './prepare.js';
import { publish } from './publish.js';
import { remove } from './remove.js';
import { repair } from './repair.js';
import { revert } from './revert.js';
import { settings } from './settings.js';
import { sign } from './sign.js';
import { source } from './source.js';
import type { Command } from './support.js';
import { tryBoot } from './try.js';
import { ui } from './ui.js';
import { verify } from './verify.js';

/** Every astcard command, in the order --help lists them. */
export const COMMANDS: Command[] = [
  ui,
  drives,
  prepare,
  inspect,
  add,
  remove,
  revert,
  verify,
  repair,
  tryBoot,
  loader,
  keydisk,
  settings,
  batch,
  publish,
  source,
  key,
  sign,
];
