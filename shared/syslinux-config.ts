/**
 * The card's `syslinux.cfg`: parsed into lines so that an unedited file formats back to the same bytes
 * (line endings, case, indentation, comments and directives we do not know are kept verbatim), and
 * edited one APPEND at a time. Keywords are case-insensitive, as SYSLINUX reads them; a line belongs to
 * the last `LABEL` above it.
 */
import { type BootEntry, type BootMenu, renderBiosConfig } from './boot-menu.js';
import { PolicyError } from './errors.js';
import { type LoaderOptions, replaceLoaderOptions } from './loader-config.js';

export type LineEnding = '\r\n' | '\n' | '';

export interface SyslinuxLine {
  /** The line without its ending, exactly as in the file. */
  readonly text: string;
  readonly eol: LineEnding;
  /** Upper-case directive; null for blank lines and comments. */
  readonly keyword: string | null;
  /** What follows the keyword, trimmed. */
  readonly argument: string;
  /** The LABEL this line sits under (a LABEL line sits under itself); null before the first. */
  readonly label: string | null;
}

export interface SyslinuxConfig {
  readonly lines: readonly SyslinuxLine[];
}

export interface SyslinuxLabel {
  readonly name: string;
  /** LINUX or KERNEL. */
  readonly kernel: string | null;
  readonly initrd: string | null;
  readonly append: string | null;
}

export interface SyslinuxSettings {
  /** `SERIAL <port> <baud>`; omitted when null or absent. */
  readonly serial?: { readonly port: number; readonly baud: number } | null;
  /** Tenths of a second, as SYSLINUX counts; 0 (the default) boots at once. */
  readonly timeout?: number;
  readonly kernel?: string;
  readonly initrd?: string;
  /** Non-loader kernel options, e.g. `console=ttyS0,115200 panic=5`. */
  readonly append?: string;
  readonly options?: Partial<LoaderOptions>;
  /** A second label booting the previous loader, chosen by hand at the SYSLINUX prompt. */
  readonly fallback?: { readonly label?: string; readonly kernel: string; readonly initrd: string } | null;
  readonly eol?: '\n' | '\r\n';
}

export const LOADER_LABEL = 'loader';

function parseLine(text: string, eol: LineEnding, label: string | null): SyslinuxLine {
  const match = /^\s*([^\s#]\S*)\s*(.*?)\s*$/.exec(text);
  if (!match) return { text, eol, keyword: null, argument: '', label };
  const keyword = (match[1] ?? '').toUpperCase();
  const argument = match[2] ?? '';
  return { text, eol, keyword, argument, label: keyword === 'LABEL' ? argument : label };
}

export function parseSyslinuxConfig(text: string): SyslinuxConfig {
  const lines: SyslinuxLine[] = [];
  let label: string | null = null;
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const crlf = newline > start && text.charAt(newline - 1) === '\r';
    const eol: LineEnding = newline < 0 ? '' : crlf ? '\r\n' : '\n';
    const line = parseLine(text.slice(start, crlf ? end - 1 : end), eol, label);
    label = line.label;
    lines.push(line);
    start = end + 1;
  }
  return { lines };
}

export function formatSyslinuxConfig(config: SyslinuxConfig): string {
  let text = '';
  for (const line of config.lines) text += line.text + line.eol;
  return text;
}

function sameLabel(a: string | null, b: string): boolean {
  return a !== null && a.toLowerCase() === b.toLowerCase();
}

export function syslinuxLabels(config: SyslinuxConfig): SyslinuxLabel[] {
  const labels: { name: string; kernel: string | null; initrd: string | null; append: string | null }[] = [];
  for (const line of config.lines) {
    if (line.keyword === 'LABEL')
      labels.push({ name: line.argument, kernel: null, initrd: null, append: null });
    const current = labels[labels.length - 1];
    if (!current || !sameLabel(line.label, current.name)) continue;
    if (line.keyword === 'LINUX' || line.keyword === 'KERNEL') current.kernel = line.argument;
    if (line.keyword === 'INITRD') current.initrd = line.argument;
    if (line.keyword === 'APPEND') current.append = line.argument;
  }
  return labels;
}

/** The DEFAULT label, or null when the file has none. */
export function syslinuxDefault(config: SyslinuxConfig): string | null {
  let found: string | null = null;
  for (const line of config.lines) if (line.keyword === 'DEFAULT') found = line.argument;
  return found;
}

function dominantEnding(config: SyslinuxConfig): '\n' | '\r\n' {
  let crlf = 0;
  let lf = 0;
  for (const line of config.lines) {
    if (line.eol === '\r\n') crlf++;
    else if (line.eol === '\n') lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}

/** Sets a label's APPEND (adding the line after the label's last directive if it has none). */
export function setLabelAppend(config: SyslinuxConfig, label: string, append: string): SyslinuxConfig {
  if (/[\r\n]/.test(append))
    throw new PolicyError('invalid-option', 'an APPEND line cannot contain a line break');
  const lines = config.lines.slice();
  let lastDirective = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line || !sameLabel(line.label, label) || line.keyword === null) continue;
    if (line.keyword === 'APPEND') {
      const prefix = /^\s*\S+/.exec(line.text)?.[0] ?? 'APPEND';
      lines[i] = parseLine(append === '' ? prefix : `${prefix} ${append}`, line.eol, line.label);
      return { lines };
    }
    lastDirective = i;
  }
  const anchor = lines[lastDirective];
  if (!anchor) throw new PolicyError('unknown-label', `syslinux.cfg has no LABEL ${label}`);
  const indent = anchor.keyword === 'LABEL' ? '  ' : (/^\s*/.exec(anchor.text)?.[0] ?? '');
  const eol = anchor.eol === '' ? dominantEnding(config) : anchor.eol;
  lines[lastDirective] = { ...anchor, eol };
  const added = parseLine(`${indent}APPEND ${append}`.replace(/\s+$/, ''), anchor.eol, anchor.label);
  lines.splice(lastDirective + 1, 0, added);
  return { lines };
}

/** Replaces the `astlinux.*` options in a label's APPEND, keeping every other option as written. */
export function setLabelLoaderOptions(
  config: SyslinuxConfig,
  label: string,
  options: Partial<LoaderOptions>,
): SyslinuxConfig {
  let current = '';
  for (const found of syslinuxLabels(config)) if (sameLabel(found.name, label)) current = found.append ?? '';
  return setLabelAppend(config, label, replaceLoaderOptions(current, options));
}

/**
 * The boot menu astcard writes: the loader's label (the default) and, after a loader update, the previous
 * loader as a second label with the same options. Both configs of a card are rendered from it (boot-menu.ts).
 */
export function bootMenuFromSettings(settings: SyslinuxSettings = {}): BootMenu {
  const append = replaceLoaderOptions(settings.append ?? '', settings.options ?? {});
  const entries: BootEntry[] = [
    {
      label: LOADER_LABEL,
      kernel: settings.kernel ?? 'bzImage',
      initrd: settings.initrd ?? 'loader.img',
      append,
    },
  ];
  const fallback = settings.fallback;
  if (fallback)
    entries.push({
      label: fallback.label ?? 'previous',
      kernel: fallback.kernel,
      initrd: fallback.initrd,
      append,
    });
  return {
    serial: settings.serial ?? null,
    timeout: settings.timeout ?? 0,
    defaultLabel: LOADER_LABEL,
    entries,
  };
}

/** A fresh `/syslinux.cfg` (BIOS) booting the loader. */
export function generateSyslinuxConfig(settings: SyslinuxSettings = {}): string {
  return renderBiosConfig(bootMenuFromSettings(settings), settings.eol ?? '\n');
}
