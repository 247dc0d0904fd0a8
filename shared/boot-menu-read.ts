/**
 * Reads a syslinux.cfg — either rendering of boot-menu.ts, or one written by hand or by other tools (RUNNIX,
 * mkfs.vfat + syslinux) — back into the boot-menu model, so that both configs of a card can be compared and
 * rewritten from one model. Paths become card-root paths the way SYSLINUX resolves them: an absolute
 * `/bzImage` is `bzImage`; a relative one is looked up in the config's own folder (SYSLINUX changes into
 * it once it has found the config). Directives the model has no place for (MENU, UI, comments) are not
 * part of what boots a label, and are left out.
 */
import type { BootEntry, BootMenu } from './boot-menu.js';
import { parseSyslinuxConfig, type SyslinuxConfig } from './syslinux-config.js';

interface LabelDraft {
  label: string;
  kernelLine: string | null;
  initrd: string | null;
  append: string | null;
}

function cardPath(path: string, dir: string): string {
  if (path.charAt(0) === '/') return path.replace(/^\/+/, '');
  return dir === '' ? path : `${dir.replace(/\/+$/, '')}/${path}`;
}

function cardPaths(paths: string, dir: string): string {
  const parts = paths.split(',');
  for (let i = 0; i < parts.length; i++) parts[i] = cardPath((parts[i] as string).trim(), dir);
  return parts.join(',');
}

function drafts(config: SyslinuxConfig): LabelDraft[] {
  const found: LabelDraft[] = [];
  for (let i = 0; i < config.lines.length; i++) {
    const line = config.lines[i];
    if (!line || line.keyword === null) continue;
    if (line.keyword === 'LABEL') {
      found.push({ label: line.argument, kernelLine: null, initrd: null, append: null });
      continue;
    }
    const current = found[found.length - 1];
    if (!current || line.label === null || line.label.toLowerCase() !== current.label.toLowerCase()) continue;
    if (line.keyword === 'LINUX' || line.keyword === 'KERNEL') current.kernelLine = line.argument;
    else if (line.keyword === 'INITRD') current.initrd = line.argument;
    else if (line.keyword === 'APPEND') current.append = line.argument;
  }
  return found;
}

/** A label as it boots: words after the kernel's name and an `initrd=` in APPEND count as SYSLINUX counts them. */
function entryOf(draft: LabelDraft, dir: string): BootEntry | null {
  if (draft.label === '' || draft.kernelLine === null || draft.kernelLine === '') return null;
  const kernelWords = draft.kernelLine.split(/\s+/);
  const options = kernelWords.slice(1);
  const append = draft.append === null || draft.append === '-' ? [] : draft.append.split(/\s+/);
  let initrd = draft.initrd;
  for (let i = 0; i < append.length; i++) {
    const word = append[i] as string;
    const match = /^initrd=(.*)$/i.exec(word);
    if (!match) {
      if (word !== '') options.push(word);
    } else if (initrd === null) {
      initrd = match[1] ?? '';
    }
  }
  return {
    label: draft.label,
    kernel: cardPath(kernelWords[0] as string, dir),
    initrd: initrd === null || initrd === '' ? null : cardPaths(initrd, dir),
    append: options.join(' '),
  };
}

function lastArgument(config: SyslinuxConfig, keyword: string): string | null {
  let found: string | null = null;
  for (let i = 0; i < config.lines.length; i++) {
    const line = config.lines[i];
    if (line && line.keyword === keyword) found = line.argument;
  }
  return found;
}

/**
 * The boot menu of `text`, whose file sits in `dir` (`''` for the card's root, `EFI/BOOT` for the UEFI
 * config); null when it has no label with a kernel, i.e. boots nothing.
 */
export function readBootMenu(text: string, dir = ''): BootMenu | null {
  const config = parseSyslinuxConfig(text);
  const entries: BootEntry[] = [];
  const all = drafts(config);
  for (let i = 0; i < all.length; i++) {
    const entry = entryOf(all[i] as LabelDraft, dir);
    if (entry) entries.push(entry);
  }
  const first = entries[0];
  if (!first) return null;
  const wanted = (lastArgument(config, 'DEFAULT') ?? '').split(/\s+/)[0] ?? '';
  let defaultLabel = first.label;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as BootEntry;
    if (entry.label.toLowerCase() === wanted.toLowerCase()) defaultLabel = entry.label;
  }
  let serial: BootMenu['serial'] = null;
  const serialWords = (lastArgument(config, 'SERIAL') ?? '').split(/\s+/);
  if (/^\d+$/.test(serialWords[0] ?? '')) {
    const baud = /^\d+$/.test(serialWords[1] ?? '') ? Number(serialWords[1]) : 9600;
    serial = { port: Number(serialWords[0]), baud };
  }
  const timeout = Number(lastArgument(config, 'TIMEOUT') ?? '0');
  return {
    serial,
    timeout: timeout >= 0 && Math.floor(timeout) === timeout ? timeout : 0,
    defaultLabel,
    entries,
  };
}
