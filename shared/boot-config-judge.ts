/**
 * Whether SYSLINUX, left to itself, starts a Linux kernel from a syslinux.cfg, and which files it needs —
 * judged the way SYSLINUX 6's ldlinux.c32 reads the file, not the way an editor shows it:
 *
 * - it reads a line at most 4095 bytes at a time (a longer line goes on as a line of its own), ends a line
 *   at its first CR, and a NUL ends what it sees of a line;
 * - with no DEFAULT (and no UI) it boots nothing: it stops at its `boot:` prompt;
 * - DEFAULT's first word names a LABEL exactly (case counts), else a kernel file of that name; a LABEL with
 *   no KERNEL/LINUX line boots the file named like the label;
 * - PROMPT without a TIMEOUT waits for a key for ever; ONTIMEOUT replaces the default once the prompt times out;
 * - the initrd is the first `initrd=` on the command line it builds (the label's APPEND, then its INITRD);
 * - KERNEL decides the kind of image by its extension (.c32, .img, .bin, .bs, .bss, .0 are not Linux).
 *
 * Lines are parsed with syslinux-config.ts once SYSLINUX's reading is applied; where SYSLINUX would see a
 * directive differently than that parser (control characters around a keyword), or a file is included,
 * or a menu program makes the choice, the judgement is "does not boot, for all astcard can tell": inspect
 * must never predict a boot that cannot happen. ES5 only: the loader runs shared/ under mujs.
 */
import { parseSyslinuxConfig } from './syslinux-config.js';

export type BootConfigProblemCode =
  | 'empty'
  | 'no-default'
  | 'waits-for-keypress'
  | 'not-a-linux-kernel'
  | 'implicit-off'
  | 'includes-file'
  | 'menu-program'
  | 'unreadable-line';

export interface BootConfigProblem {
  code: BootConfigProblemCode;
  /** One plain sentence. */
  message: string;
}

export interface BootConfigJudgement {
  /** Whether SYSLINUX starts a Linux kernel on its own; when false, `problems` says why. */
  boots: boolean;
  /** The LABEL it starts; null for a kernel named directly (or nothing). */
  label: string | null;
  /** Card paths (no leading slash), as SYSLINUX resolves them from the config's folder. */
  kernel: string | null;
  initrds: string[];
  /** The kernel's command line, its `initrd=` left out. */
  options: string;
  /** Files that must be on the card for the boot to go through: the kernel and initrds, or a menu program. */
  needs: string[];
  /** Tenths of a second SYSLINUX waits at its prompt or menu first (0: boots at once). */
  waitTenths: number;
  problems: BootConfigProblem[];
}

/** fgets' buffer in ldlinux.c32's config reader: a line is seen 4095 bytes at a time. */
const LINE_BYTES = 4095;

/** Directives that decide what boots; a line SYSLINUX and the parser read differently here is fatal. */
const DECIDING = [
  'default',
  'ui',
  'label',
  'kernel',
  'linux',
  'boot',
  'bss',
  'pxe',
  'fdimage',
  'comboot',
  'com32',
  'config',
  'localboot',
  'none',
  'append',
  'initrd',
  'prompt',
  'timeout',
  'totaltimeout',
  'ontimeout',
  'implicit',
  'include',
  'menu',
  'text',
];

const NOT_LINUX_EXTENSIONS = ['.c32', '.img', '.bss', '.bin', '.bs', '.0'];
const MENU_PROGRAMS = ['menu.c32', 'vesamenu.c32'];

interface VisibleLine {
  /** 1-based line number in the file. */
  number: number;
  text: string;
}

interface Label {
  name: string;
  kernelKind: string;
  kernelLine: string | null;
  append: string | null;
  initrd: string | null;
  menuDefault: boolean;
}

/** UTF-8 length of one UTF-16 unit at `i` (a surrogate pair counts 4 on its first half, 0 on its second). */
function utf8Length(text: string, i: number): number {
  const code = text.charCodeAt(i);
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code >= 0xd800 && code < 0xdc00) return 4;
  if (code >= 0xdc00 && code < 0xe000) return 0;
  return 3;
}

/** What ldlinux.c32 sees of the file: fgets-sized pieces, each cut at its first CR, LF or NUL. */
function visibleLines(text: string): VisibleLine[] {
  const lines: VisibleLine[] = [];
  let number = 1;
  let start = 0;
  while (start < text.length) {
    let end = start;
    let bytes = 0;
    while (end < text.length && text.charAt(end) !== '\n') {
      const size = utf8Length(text, end);
      if (bytes + size > LINE_BYTES) break;
      bytes += size;
      end++;
    }
    let seen = text.slice(start, end);
    const cut = Math.min(
      ...[seen.indexOf('\r'), seen.indexOf('\u0000')].filter((at) => at >= 0),
      seen.length,
    );
    seen = seen.slice(0, cut);
    lines.push({ number, text: seen });
    if (end < text.length && text.charAt(end) === '\n') {
      number++;
      end++;
    }
    start = end;
  }
  return lines;
}

/** skipspace's set: the C locale's isspace. */
function isSyslinuxSpace(char: string): boolean {
  return (
    char === ' ' || char === '\t' || char === '\n' || char === '\u000b' || char === '\f' || char === '\r'
  );
}

/** my_isspace, which ends a keyword or a word: any byte up to space, and DEL; past the end (NaN) too. */
function endsWord(code: number): boolean {
  return !(code > 0x20) || code === 0x7f;
}

/**
 * The directive SYSLINUX sees on a line and its argument as SYSLINUX takes it: a keyword in any case,
 * then a byte ≤ 0x20, DEL or the end; the argument after skipping the C locale's spaces.
 */
function syslinuxDirective(line: string): { keyword: string; argument: string } | null {
  let at = 0;
  while (at < line.length && isSyslinuxSpace(line.charAt(at))) at++;
  for (let k = 0; k < DECIDING.length; k++) {
    const keyword = DECIDING[k] as string;
    if (line.slice(at, at + keyword.length).toLowerCase() !== keyword) continue;
    if (!endsWord(line.charCodeAt(at + keyword.length))) continue;
    let from = at + keyword.length;
    while (from < line.length && isSyslinuxSpace(line.charAt(from))) from++;
    return { keyword, argument: line.slice(from) };
  }
  return null;
}

/** Words as SYSLINUX splits a command: at bytes up to space and DEL. */
function words(text: string): string[] {
  const found: string[] = [];
  let word = '';
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || endsWord(text.charCodeAt(i))) {
      if (word !== '') found.push(word);
      word = '';
    } else word += text.charAt(i);
  }
  return found;
}

function firstWord(text: string): string {
  return words(text)[0] ?? '';
}

function restAfterFirstWord(text: string): string {
  let at = 0;
  while (at < text.length && endsWord(text.charCodeAt(at))) at++;
  while (at < text.length && !endsWord(text.charCodeAt(at))) at++;
  while (at < text.length && endsWord(text.charCodeAt(at))) at++;
  return text.slice(at);
}

/** SYSLINUX's atoi: leading digits after an optional sign, 0 when there are none. */
function atoi(text: string): number {
  const match = /^\s*([+-]?\d+)/.exec(text);
  return match ? Number(match[1]) : 0;
}

function cardPath(path: string, dir: string): string {
  if (path.charAt(0) === '/') return path.replace(/^\/+/, '');
  return dir === '' ? path : `${dir.replace(/\/+$/, '')}/${path}`;
}

function endsWithAny(name: string, endings: string[]): string | null {
  for (let i = 0; i < endings.length; i++) {
    const ending = endings[i] as string;
    if (name.length > ending.length && name.slice(name.length - ending.length) === ending) return ending;
  }
  return null;
}

/** A judgement that starts nothing, for `problems`: where a config boots nothing, or was never read. */
export function bootlessJudgement(problems: BootConfigProblem[]): BootConfigJudgement {
  return {
    boots: false,
    label: null,
    kernel: null,
    initrds: [],
    options: '',
    needs: [],
    waitTenths: 0,
    problems,
  };
}

/**
 * Judges `text`, a syslinux.cfg that sits in `dir` on the card (`''` for the root, `EFI/BOOT` for the
 * UEFI one). Any size: SYSLINUX reads the whole file.
 */
export function judgeBootConfig(text: string, dir = ''): BootConfigJudgement {
  const judgement = bootlessJudgement([]);
  const problem = (code: BootConfigProblemCode, message: string) =>
    judgement.problems.push({ code, message });

  const visible = visibleLines(text);
  const parsed = parseSyslinuxConfig(visible.map((line) => line.text).join('\n')).lines;
  const labels: Label[] = [];
  let defaultCommand: string | null = null;
  let ui: string | null = null;
  let prompt = 0;
  let timeout = 0;
  let totalTimeout = 0;
  let onTimeout: string | null = null;
  let implicit = 1;
  let globalAppend: string | null = null;
  let directives = 0;
  let inText = false;

  for (let i = 0; i < visible.length; i++) {
    const raw = visible[i] as VisibleLine;
    const directive = syslinuxDirective(raw.text);
    if (inText) {
      if (/^\s*endtext(\s|$)/i.test(raw.text)) inText = false;
      continue;
    }
    // The editor's view (the shared parser) must agree with SYSLINUX's on every deciding line.
    const keyword = parsed[i]?.keyword?.toLowerCase() ?? null;
    const editorSees = keyword !== null && DECIDING.indexOf(keyword) >= 0 ? keyword : null;
    const seen = directive ? directive.keyword : null;
    if (seen !== editorSees || (seen !== null && raw.text.indexOf('\ufffd') >= 0)) {
      problem(
        'unreadable-line',
        `Line ${raw.number} of syslinux.cfg holds characters SYSLINUX reads differently from how they look, so astcard cannot tell what the card starts.`,
      );
      continue;
    }
    if (!directive || seen === null) continue;
    directives++;
    const argument = directive.argument;
    const current = labels.length > 0 ? (labels[labels.length - 1] as Label) : null;
    if (seen === 'label') {
      labels.push({
        name: firstWord(argument),
        kernelKind: 'kernel',
        kernelLine: null,
        append: null,
        initrd: null,
        menuDefault: false,
      });
    } else if (seen === 'default') defaultCommand = argument;
    else if (seen === 'ui') ui = argument;
    else if (seen === 'prompt') prompt = atoi(argument);
    else if (seen === 'timeout') timeout = atoi(argument);
    else if (seen === 'totaltimeout') totalTimeout = atoi(argument);
    else if (seen === 'ontimeout') onTimeout = argument;
    else if (seen === 'implicit') implicit = atoi(argument);
    else if (seen === 'include') {
      problem(
        'includes-file',
        `syslinux.cfg includes another file (line ${raw.number}), so astcard cannot tell all of what the card starts.`,
      );
    } else if (seen === 'text') inText = true;
    else if (seen === 'menu') {
      if (current && /^default(\s|$)/i.test(argument)) current.menuDefault = true;
    } else if (seen === 'append') {
      if (current) current.append = argument;
      else globalAppend = argument;
    } else if (seen === 'initrd') {
      if (current) current.initrd = argument;
    } else if (current) {
      current.kernelKind = seen;
      current.kernelLine = argument;
    }
  }

  if (directives === 0) {
    problem('empty', 'syslinux.cfg holds nothing SYSLINUX can use, so it stops at its boot: prompt.');
  }
  let command: string | null;
  if (ui !== null) {
    const program = firstWord(ui);
    if (MENU_PROGRAMS.indexOf(program.toLowerCase().replace(/^.*\//, '')) < 0) {
      problem(
        'menu-program',
        `syslinux.cfg hands the choice to the program ${program}, whose choice astcard cannot predict.`,
      );
      command = null;
    } else {
      judgement.needs.push(cardPath(program, dir));
      let chosen: Label | null = null;
      const wanted = firstWord(defaultCommand ?? '');
      for (let i = 0; i < labels.length && !chosen; i++)
        if ((labels[i] as Label).menuDefault) chosen = labels[i] as Label;
      for (let i = 0; i < labels.length && !chosen; i++)
        if ((labels[i] as Label).name === wanted) chosen = labels[i] as Label;
      if (!chosen && labels.length > 0) chosen = labels[0] as Label;
      if (timeout <= 0 && totalTimeout <= 0) {
        problem(
          'waits-for-keypress',
          'The menu in syslinux.cfg has no TIMEOUT: it waits until someone chooses an entry.',
        );
      }
      judgement.waitTenths = timeout > 0 ? timeout : totalTimeout;
      command = onTimeout ?? (chosen ? chosen.name : null);
    }
  } else if (defaultCommand === null || firstWord(defaultCommand) === '') {
    if (directives > 0)
      problem(
        'no-default',
        'syslinux.cfg has no DEFAULT line, so SYSLINUX starts nothing and stops at its boot: prompt.',
      );
    command = null;
  } else if (prompt !== 0) {
    if (timeout <= 0 && totalTimeout <= 0) {
      problem(
        'waits-for-keypress',
        'syslinux.cfg makes SYSLINUX wait at its boot: prompt until someone presses Enter (PROMPT without TIMEOUT).',
      );
      command = null;
    } else {
      judgement.waitTenths = timeout > 0 ? timeout : totalTimeout;
      command = onTimeout ?? defaultCommand;
    }
  } else {
    command = defaultCommand;
  }

  if (command !== null && judgement.problems.length === 0)
    resolveCommand(command, labels, globalAppend, implicit, dir, judgement, problem);
  judgement.boots = judgement.problems.length === 0 && judgement.kernel !== null;
  return judgement;
}

function resolveCommand(
  command: string,
  labels: Label[],
  globalAppend: string | null,
  implicit: number,
  dir: string,
  judgement: BootConfigJudgement,
  problem: (code: BootConfigProblemCode, message: string) => void,
): void {
  const word = firstWord(command);
  const extra = restAfterFirstWord(command);
  let label: Label | null = null;
  for (let i = 0; i < labels.length; i++) if ((labels[i] as Label).name === word) label = labels[i] as Label;
  let kind = 'kernel';
  let commandLine: string;
  if (label) {
    judgement.label = label.name;
    kind = label.kernelKind;
    const append = label.append ?? globalAppend;
    const options = append === null || append === '-' ? '' : append;
    commandLine = [
      label.kernelLine ?? label.name,
      options,
      label.initrd === null ? '' : `initrd=${label.initrd}`,
      extra,
    ]
      .filter((part) => part !== '')
      .join(' ');
  } else {
    if (implicit === 0) {
      problem(
        'implicit-off',
        `syslinux.cfg starts ${word}, which is no LABEL, and IMPLICIT 0 forbids starting a file by name.`,
      );
      return;
    }
    commandLine = command.replace(/^\s+/, '');
  }
  const kernel = firstWord(commandLine);
  if (kind !== 'kernel' && kind !== 'linux') {
    problem(
      'not-a-linux-kernel',
      `The entry syslinux.cfg starts (${word}) is a ${kind.toUpperCase()} entry, not a Linux kernel.`,
    );
    return;
  }
  const ending = kind === 'kernel' ? endsWithAny(kernel, NOT_LINUX_EXTENSIONS) : null;
  if (ending !== null) {
    problem(
      'not-a-linux-kernel',
      `The entry syslinux.cfg starts (${word}) names ${kernel}, which SYSLINUX starts as a ${ending} program, not as a Linux kernel.`,
    );
    return;
  }
  const at = commandLine.indexOf('initrd=');
  const initrds: string[] = [];
  if (at >= 0) {
    const list = commandLine.slice(at + 7).split(' ')[0] as string;
    const names = list.split(',');
    for (let i = 0; i < names.length; i++)
      if (names[i] !== '') initrds.push(cardPath(names[i] as string, dir));
  }
  const words = restAfterFirstWord(commandLine).split(/\s+/);
  const options: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const option = words[i] as string;
    if (option !== '' && option.indexOf('initrd=') !== 0) options.push(option);
  }
  judgement.kernel = cardPath(kernel, dir);
  judgement.initrds = initrds;
  judgement.options = options.join(' ');
  judgement.needs = judgement.needs.concat([judgement.kernel], initrds);
}
