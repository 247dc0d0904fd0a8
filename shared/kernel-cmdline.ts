/**
 * Kernel command-line primitives shared by the loader options and the handoff: Linux-style tokens,
 * values that can be carried without quoting, FAT volume ids and keydisk locations.
 *
 * Keydisk locations: `card:/kd.img` (a file on the card), `label:ASTKD` (a filesystem label, up to 16
 * characters), `uuid:<FAT XXXX-XXXX or a 36-character UUID>`, `dev:/dev/sdb1[:/kd.img]`.
 */
import { PolicyError } from './errors.js';

export type KeydiskLocation =
  | { readonly kind: 'card'; readonly path: string }
  | { readonly kind: 'label'; readonly label: string }
  | { readonly kind: 'uuid'; readonly uuid: string }
  | { readonly kind: 'dev'; readonly device: string; readonly path: string | null };

export interface CommandLineToken {
  /** As written, quotes included: what an edit keeps verbatim. */
  readonly raw: string;
  readonly key: string;
  /** null for a bare flag (`astlinux.debug`). */
  readonly value: string | null;
}

/** Splits like Linux does: whitespace separates, double quotes group and are removed. */
export function tokenizeCommandLine(text: string): CommandLineToken[] {
  const tokens: CommandLineToken[] = [];
  let raw = '';
  let clean = '';
  let quoted = false;
  const flush = () => {
    if (raw === '') return;
    const equals = clean.indexOf('=');
    const key = equals < 0 ? clean : clean.slice(0, equals);
    tokens.push({ raw, key, value: equals < 0 ? null : clean.slice(equals + 1) });
    raw = '';
    clean = '';
  };
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    if (!quoted && /\s/.test(char)) {
      flush();
      continue;
    }
    raw += char;
    if (char === '"') quoted = !quoted;
    else clean += char;
  }
  flush();
  return tokens;
}

export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** A value the command line can carry without quoting. */
export function isBareWord(text: string): boolean {
  return !hasControlCharacter(text) && !/[\s"]/.test(text);
}

export function requireBareValue(key: string, value: string): void {
  if (value === '' || !isBareWord(value)) {
    throw new PolicyError('invalid-option', `${key} cannot carry "${value}" on a kernel command line`);
  }
}

/** `1234-abcd` → `1234-ABCD`; null when it is not a FAT volume id. */
export function parseFatVolumeId(text: string): string | null {
  return /^[0-9a-f]{4}-[0-9a-f]{4}$/i.test(text) ? text.toUpperCase() : null;
}

export function parseKeydiskLocation(
  text: string,
): { ok: true; location: KeydiskLocation } | { ok: false; reason: string } {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? '' : text.slice(0, colon).toLowerCase();
  const rest = text.slice(colon + 1);
  if (!isBareWord(text)) return { ok: false, reason: 'contains spaces, quotes or control characters' };
  if (kind === 'card' && /^\/[^:]+$/.test(rest)) return { ok: true, location: { kind, path: rest } };
  if (kind === 'label' && /^[A-Za-z0-9_.-]{1,16}$/.test(rest))
    return { ok: true, location: { kind, label: rest } };
  if (
    kind === 'uuid' &&
    /^([0-9a-f]{4}-[0-9a-f]{4}|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12})$/i.test(rest)
  ) {
    return { ok: true, location: { kind, uuid: rest } };
  }
  // An optional group that did not take part is "" in mujs, undefined in Node: test truthiness.
  const device = /^(\/dev\/[^:]+)(?::(\/[^:]+))?$/.exec(rest);
  if (kind === 'dev' && device) {
    return { ok: true, location: { kind, device: device[1] ?? '', path: device[2] ? device[2] : null } };
  }
  return { ok: false, reason: 'expected card:/path, label:NAME, uuid:UUID or dev:/dev/X[:/path]' };
}

export function formatKeydiskLocation(location: KeydiskLocation): string {
  const text =
    location.kind === 'card'
      ? `card:${location.path}`
      : location.kind === 'label'
        ? `label:${location.label}`
        : location.kind === 'uuid'
          ? `uuid:${location.uuid}`
          : `dev:${location.device}${location.path === null ? '' : `:${location.path}`}`;
  const check = parseKeydiskLocation(text);
  if (!check.ok) throw new PolicyError('invalid-option', `keydisk location "${text}": ${check.reason}`);
  return text;
}
