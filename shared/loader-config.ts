/**
 * The loader's options on the kernel command line, all in the `astlinux.*` namespace.
 *
 * Loader options (later occurrences win, as in Linux; `console=` accumulates; names are case-insensitive):
 *   astlinux.pin=<version|image name>   astlinux.source=<url>[,<url>…]   astlinux.keydisk=<location>
 *   astlinux.card=<FAT volume id XXXX-XXXX>   astlinux.rescue[=1|0]   astlinux.onfail=shell|poweroff|reboot
 *   astlinux.debug[=1|0]   astlinux.ip=dhcp|<address>/<prefix>[,<gateway>[,<dns>]]   astlinux.wait=<seconds>
 *   astlinux.signed=required|preferred|off (see signed-images.ts; unset: preferred when the card has keys)
 *   console=<device>
 * Switches also take yes/no, true/false, on/off. Keydisk locations: see kernel-cmdline.ts.
 *
 * Parsing never throws: bad values are dropped and reported as `problems`, one plain line each. Values
 * are never quoted on output; one that would need quoting is refused with a PolicyError.
 */
import { PolicyError } from './errors.js';
import {
  hasControlCharacter,
  parseFatVolumeId,
  parseKeydiskLocation,
  requireBareValue,
  tokenizeCommandLine,
} from './kernel-cmdline.js';
import { formatStaticAddress, parseStaticAddress } from './static-address.js';

export type OnFail = 'shell' | 'poweroff' | 'reboot';

export type SignedPolicyOption = 'required' | 'preferred' | 'off';

export interface LoaderOptions {
  readonly pin: string | null;
  readonly sources: readonly string[];
  /** The static address for network sources (see static-address.ts); null asks DHCP. */
  readonly ip: string | null;
  /** A location accepted by `parseKeydiskLocation`. */
  readonly keydisk: string | null;
  /** Upper-case `XXXX-XXXX`. */
  readonly card: string | null;
  readonly rescue: boolean;
  readonly onfail: OnFail;
  readonly debug: boolean;
  /** Seconds the loader waits for the card to appear (slow USB readers), 1–120. */
  readonly wait: number;
  /** How signatures count; null: the default, `preferred` when the card trusts keys, else `off`. */
  readonly signed: SignedPolicyOption | null;
  readonly console: readonly string[];
}

/**
 * What every loader entry's command line carries besides its consoles and `astlinux.*` options.
 * `panic=10`: a loader kernel that panics restarts the machine rather than hanging. `cryptomgr.notests`:
 * the loader's kernel skips the self-tests of its crypto code (module signatures, ext4's crc32c), ~0.4 s
 * of every boot under emulation and milliseconds on hardware: Debian's kernel, run for two seconds. Image
 * checksums are computed in user space, not with that code; the booted image's kernel never sees the
 * option (it gets its own command line) and runs its self-tests; a kernel in FIPS mode ignores it.
 */
export const LOADER_KERNEL_OPTIONS = 'panic=10 cryptomgr.notests';

/** The consoles a loader entry names when nobody chose any: the first serial port, then the screen. */
export const DEFAULT_LOADER_CONSOLES: readonly string[] = ['console=ttyS0,115200', 'console=tty0'];

/** A loader entry's kernel options: its `console=` words as given, then LOADER_KERNEL_OPTIONS. */
export function loaderKernelOptions(consoleWords: readonly string[] = DEFAULT_LOADER_CONSOLES): string {
  return [...consoleWords, LOADER_KERNEL_OPTIONS].join(' ');
}

/** The signature policy a card boots with: its option, or `preferred` as soon as it trusts a key. */
export function signaturePolicy(option: SignedPolicyOption | null, cardHasKeys: boolean): SignedPolicyOption {
  if (option !== null) return option;
  return cardHasKeys ? 'preferred' : 'off';
}

export const DEFAULT_LOADER_OPTIONS: LoaderOptions = {
  pin: null,
  sources: [],
  ip: null,
  keydisk: null,
  card: null,
  rescue: false,
  onfail: 'shell',
  debug: false,
  wait: 10,
  signed: null,
  console: [],
};

function parseSwitch(value: string | null): boolean | null {
  if (value === null) return true;
  const lower = value.toLowerCase();
  if (lower === '1' || lower === 'yes' || lower === 'true' || lower === 'on') return true;
  if (lower === '0' || lower === 'no' || lower === 'false' || lower === 'off') return false;
  return null;
}

export interface ParsedLoaderOptions {
  readonly options: LoaderOptions;
  /** One plain line per ignored option, for the console. */
  readonly problems: readonly string[];
}

/** Reads the loader's options from a kernel command line (e.g. /proc/cmdline). */
export function parseLoaderOptions(commandLine: string): ParsedLoaderOptions {
  const o = { ...DEFAULT_LOADER_OPTIONS, sources: [] as string[], console: [] as string[] };
  const problems: string[] = [];
  for (const { key, value } of tokenizeCommandLine(commandLine)) {
    const name = key.toLowerCase();
    if (name === 'console' && value) o.console.push(value);
    if (name.indexOf('astlinux.') !== 0) continue;
    const bad = (why: string) => problems.push(`${key}${value === null ? '' : `=${value}`}: ${why}, ignored`);
    if (value !== null && hasControlCharacter(value)) bad('control characters');
    else if (name === 'astlinux.rescue' || name === 'astlinux.debug') {
      const on = parseSwitch(value);
      if (on === null) bad('expected 1 or 0');
      else if (name === 'astlinux.rescue') o.rescue = on;
      else o.debug = on;
    } else if (value === null || value === '') bad('needs a value');
    else if (name === 'astlinux.pin') o.pin = value;
    else if (name === 'astlinux.source') {
      o.sources = value.split(',').filter((source) => source !== '');
    } else if (name === 'astlinux.ip') {
      if (value.toLowerCase() === 'dhcp') o.ip = null;
      else {
        const parsed = parseStaticAddress(value);
        if (parsed.ok) o.ip = formatStaticAddress(parsed.address);
        else bad(parsed.reason);
      }
    } else if (name === 'astlinux.wait') {
      const seconds = /^[0-9]{1,3}$/.test(value) ? Number(value) : Number.NaN;
      if (seconds >= 1 && seconds <= 120) o.wait = seconds;
      else bad('expected whole seconds from 1 to 120');
    } else if (name === 'astlinux.keydisk') {
      const location = parseKeydiskLocation(value);
      if (location.ok) o.keydisk = value;
      else bad(location.reason);
    } else if (name === 'astlinux.card') {
      const id = parseFatVolumeId(value);
      if (id) o.card = id;
      else bad('expected a FAT volume id like 1234-ABCD');
    } else if (name === 'astlinux.signed') {
      const lower = value.toLowerCase();
      if (lower === 'required' || lower === 'preferred' || lower === 'off') o.signed = lower;
      else bad('expected required, preferred or off');
    } else if (name === 'astlinux.onfail') {
      const lower = value.toLowerCase();
      if (lower === 'shell' || lower === 'poweroff' || lower === 'reboot') o.onfail = lower;
      else bad('expected shell, poweroff or reboot');
    } else bad('unknown option');
  }
  return { options: o, problems };
}

/** The options that differ from the defaults, as command-line tokens: `console=…` first, then `astlinux.*`. */
export function formatLoaderOptions(options: Partial<LoaderOptions>): string {
  const tokens: string[] = [];
  const add = (key: string, value: string | null) => {
    if (value !== null) requireBareValue(key, value);
    tokens.push(value === null ? key : `${key}=${value}`);
  };
  for (const device of options.console ?? []) add('console', device);
  if (options.pin) add('astlinux.pin', options.pin);
  if (options.sources && options.sources.length > 0) add('astlinux.source', options.sources.join(','));
  if (options.ip) {
    const parsed = parseStaticAddress(options.ip);
    if (!parsed.ok) throw new PolicyError('invalid-option', `astlinux.ip=${options.ip}: ${parsed.reason}`);
    add('astlinux.ip', formatStaticAddress(parsed.address));
  }
  if (options.keydisk) {
    const location = parseKeydiskLocation(options.keydisk);
    if (!location.ok)
      throw new PolicyError('invalid-option', `astlinux.keydisk=${options.keydisk}: ${location.reason}`);
    add('astlinux.keydisk', options.keydisk);
  }
  if (options.card) {
    const id = parseFatVolumeId(options.card);
    if (!id) throw new PolicyError('invalid-option', `astlinux.card=${options.card} is not a FAT volume id`);
    add('astlinux.card', id);
  }
  if (options.rescue) add('astlinux.rescue', null);
  if (options.onfail && options.onfail !== 'shell') add('astlinux.onfail', options.onfail);
  if (options.debug) add('astlinux.debug', null);
  if (options.signed) add('astlinux.signed', options.signed);
  if (options.wait !== undefined && options.wait !== DEFAULT_LOADER_OPTIONS.wait) {
    if (!(options.wait >= 1 && options.wait <= 120 && Math.floor(options.wait) === options.wait)) {
      throw new PolicyError(
        'invalid-option',
        `astlinux.wait=${options.wait}: expected whole seconds from 1 to 120`,
      );
    }
    add('astlinux.wait', String(options.wait));
  }
  return tokens.join(' ');
}

/**
 * Rewrites a command line (a syslinux APPEND) with new loader options: every `astlinux.*` token is
 * replaced, `console=` tokens too when `options.console` is given; other tokens keep their text and order.
 */
export function replaceLoaderOptions(commandLine: string, options: Partial<LoaderOptions>): string {
  const replaceConsole = options.console !== undefined;
  const kept: string[] = [];
  for (const token of tokenizeCommandLine(commandLine)) {
    const name = token.key.toLowerCase();
    if (name.indexOf('astlinux.') === 0 || (replaceConsole && name === 'console')) continue;
    kept.push(token.raw);
  }
  const added = formatLoaderOptions(options);
  return added === '' ? kept.join(' ') : kept.concat([added]).join(' ');
}
