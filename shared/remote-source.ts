/**
 * Network boot sources: the index a published folder carries, and the `astlinux.source=` list.
 *
 * The index (`astlinux.index`, next to the images) is what the loader reads on every protocol, because
 * TFTP has no directory listing. Its lines are `sha1sum` lines, so `sha1sum -c astlinux.index` checks a
 * published folder by hand; each image's size rides on a `#` comment line (sha1sum skips those) so the
 * loader can refuse an image that would not fit in RAM before downloading a byte of it:
 *
 *     # astlinux index 1
 *     # size 123456789 AstLinux-1.2.3.img
 *     0123…abcd  AstLinux-1.2.3.img
 *
 * Pure ES5 library: the loader runs this under mujs.
 */
import { normalizeDigest } from './checksums.js';
import { parseImageName } from './versions.js';

export const INDEX_FILE_NAME = 'astlinux.index';
const INDEX_HEADER = '# astlinux index 1';
/** A real index lists a handful of images; anything this big is not one and not worth scanning. */
const MAX_INDEX_CHARS = 256 * 1024;
/** No index line is this long; mujs cannot run a regex over a longer one. */
const MAX_LINE_CHARS = 1000;

export interface IndexEntry {
  /** `AstLinux-X.Y.Z.img`. */
  readonly name: string;
  /** Lower-case sha1 hex. */
  readonly sha1: string;
  /** Bytes, when the index says; null when it does not. */
  readonly size: number | null;
}

export type IndexResult = { ok: true; entries: IndexEntry[] } | { ok: false; reason: string };

function trimLine(line: string): string {
  return line.replace(/^[ \t]+|[ \t\r]+$/g, '');
}

/**
 * Parses an index. Lines naming something that is not an AstLinux image are an error rather than
 * skipped: a publisher's typo should be loud, not an image that silently never boots.
 */
export function parseIndex(text: string): IndexResult {
  if (text.length > MAX_INDEX_CHARS)
    return { ok: false, reason: `larger than ${MAX_INDEX_CHARS} characters` };
  if (text.charAt(0) === '\ufeff') text = text.slice(1);
  const lines = text.split('\n');
  const sizes: { [lowerName: string]: number } = {};
  const entries: IndexEntry[] = [];
  const seen: { [lowerName: string]: boolean } = {};
  for (let index = 0; index < lines.length; index++) {
    const where = `line ${index + 1}`;
    // Before any regex: mujs fails on a repetition over ~1022 characters, and the loader with it.
    if ((lines[index] ?? '').length > MAX_LINE_CHARS)
      return { ok: false, reason: `${where}: longer than ${MAX_LINE_CHARS} characters` };
    const line = trimLine(lines[index] ?? '');
    if (line === '') continue;
    if (line.charAt(0) === '#') {
      const size = /^#[ \t]*size[ \t]+([0-9]+)[ \t]+(.+)$/.exec(line);
      if (size) {
        const bytes = Number(size[1]);
        if (!(bytes <= 9007199254740991)) return { ok: false, reason: `${where}: size too large` };
        sizes[(size[2] ?? '').toLowerCase()] = bytes;
      }
      continue;
    }
    const match = /^([0-9a-fA-F]+)[ \t]+\*?(.+)$/.exec(line);
    if (!match) return { ok: false, reason: `${where}: not in sha1sum format` };
    const sha1 = normalizeDigest(match[1] ?? '', 'sha1');
    if (!sha1) return { ok: false, reason: `${where}: not a sha1 digest` };
    const name = match[2] ?? '';
    if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
      return { ok: false, reason: `${where}: "${name}" is a path, the index names files beside it` };
    }
    const parsed = parseImageName(name);
    if (!parsed.ok) return { ok: false, reason: `${where}: ${parsed.reason}` };
    if (seen[name.toLowerCase()]) return { ok: false, reason: `${where}: ${name} is listed twice` };
    seen[name.toLowerCase()] = true;
    entries.push({ name, sha1, size: null });
  }
  if (entries.length === 0) return { ok: false, reason: 'it lists no image' };
  const withSizes: IndexEntry[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as IndexEntry;
    const size = sizes[entry.name.toLowerCase()];
    withSizes.push({ name: entry.name, sha1: entry.sha1, size: size === undefined ? null : size });
  }
  return { ok: true, entries: withSizes };
}

/** The index text for these entries, in the order given. */
export function formatIndex(entries: readonly IndexEntry[]): string {
  let text = `${INDEX_HEADER}\n`;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as IndexEntry;
    if (entry.size !== null) text += `# size ${entry.size} ${entry.name}\n`;
  }
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as IndexEntry;
    const sha1 = normalizeDigest(entry.sha1, 'sha1');
    if (!sha1) throw new Error(`"${entry.sha1}" is not a sha1 digest`);
    if (!parseImageName(entry.name).ok || /[\r\n/\\]/.test(entry.name)) {
      throw new Error(`"${entry.name}" cannot be listed in an index`);
    }
    text += `${sha1}  ${entry.name}\n`;
  }
  return text;
}

/** The sidecar text the loader's plan expects, made from an index line. */
export function sidecarFromIndex(entry: IndexEntry): string {
  return `${entry.sha1}  ${entry.name}\n`;
}

export type SourceScheme = 'http' | 'ftp' | 'tftp' | 'nfs';

export interface RemoteSource {
  readonly scheme: SourceScheme;
  /** Normalised to end in `/`: the folder holding the index. */
  readonly url: string;
  readonly host: string;
  /** Port if the URL names one, else null (the protocol's default). */
  readonly port: number | null;
  /** Path inside the server, starting and ending with `/`. */
  readonly path: string;
}

/** `card` is a pseudo-source: where the card's own images sit in the order. */
export type SourceEntry = { kind: 'remote'; source: RemoteSource } | { kind: 'card' };

export type SourceListResult =
  | { ok: true; entries: SourceEntry[]; cardAllowed: boolean }
  | { ok: false; reason: string };

export type RemoteSourceResult = { ok: true; source: RemoteSource } | { ok: false; reason: string };

/** One source URL: `http://host[:port]/path/`, `tftp://host/path/`, … */
export function parseRemoteSource(text: string): RemoteSourceResult {
  const match = /^([a-zA-Z]+):\/\/([^/:?#@\s]+)(:[0-9]+)?(\/[^?#\s]*)?$/.exec(text);
  if (!match) return { ok: false, reason: `"${text}" is not a source address (http://host/folder/)` };
  const scheme = (match[1] ?? '').toLowerCase();
  if (scheme === 'https') {
    // The loader's busybox has no TLS. Integrity does not depend on it: every image is checked against the index.
    return {
      ok: false,
      reason:
        'the loader cannot fetch https:// (it has no TLS); serve the folder over http:// — every image is still checked against astlinux.index',
    };
  }
  if (scheme !== 'http' && scheme !== 'ftp' && scheme !== 'tftp' && scheme !== 'nfs') {
    return { ok: false, reason: `"${scheme}" sources are not supported (http, ftp, tftp, nfs are)` };
  }
  const portText = (match[3] ?? '').slice(1);
  const port = portText === '' ? null : Number(portText);
  if (port !== null && (port < 1 || port > 65535))
    return { ok: false, reason: `port ${portText} is out of range` };
  let path = match[4] ?? '';
  if (path === '') path = '/';
  if (path.charAt(path.length - 1) !== '/') path += '/';
  if (/(^|\/)\.\.(\/|$)/.test(path))
    return { ok: false, reason: `"${text}" climbs out of its folder with ..` };
  const host = (match[2] ?? '').toLowerCase();
  if (scheme === 'nfs' && !/^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(host)) {
    return {
      ok: false,
      reason: `name the NFS server by its IP address, not "${host}" (the loader does not look names up for NFS)`,
    };
  }
  const url = `${scheme}://${host}${port === null ? '' : `:${port}`}${path}`;
  return { ok: true, source: { scheme: scheme as SourceScheme, url, host, port, path } };
}

/**
 * The `astlinux.source=` value: comma-separated sources tried in order. `card` places the card's own
 * images explicitly; `card=no` forbids them. Without either, the card comes last.
 */
export function parseSourceList(text: string): SourceListResult {
  const parts = text.split(',');
  const entries: SourceEntry[] = [];
  let cardAllowed = true;
  let cardPlaced = false;
  for (let i = 0; i < parts.length; i++) {
    const part = trimLine(parts[i] ?? '');
    if (part === '') continue;
    const lower = part.toLowerCase();
    if (lower === 'card' || lower === 'card=yes') {
      if (!cardPlaced) entries.push({ kind: 'card' });
      cardPlaced = true;
      continue;
    }
    if (lower === 'card=no') {
      cardAllowed = false;
      continue;
    }
    const parsed = parseRemoteSource(part);
    if (!parsed.ok) return parsed;
    entries.push({ kind: 'remote', source: parsed.source });
  }
  if (!cardAllowed) {
    const remotes: SourceEntry[] = [];
    for (let i = 0; i < entries.length; i++)
      if ((entries[i] as SourceEntry).kind !== 'card') remotes.push(entries[i] as SourceEntry);
    if (remotes.length === 0) return { ok: false, reason: 'card=no leaves nothing to boot from' };
    return { ok: true, entries: remotes, cardAllowed: false };
  }
  if (!cardPlaced) entries.push({ kind: 'card' });
  return { ok: true, entries, cardAllowed: true };
}

/** The option value for this list; the inverse of parseSourceList. */
export function formatSourceList(urls: readonly string[], card: 'last' | 'no'): string {
  const parts: string[] = [];
  for (let i = 0; i < urls.length; i++) {
    const parsed = parseRemoteSource(urls[i] as string);
    if (!parsed.ok) throw new Error(parsed.reason);
    parts.push(parsed.source.url);
  }
  if (card === 'no') parts.push('card=no');
  return parts.join(',');
}
