/**
 * Checksum sidecars: `AstLinux-X.Y.Z.img.sha1` / `.sha256` next to the image, in `sha1sum` format.
 *
 * Accepted: `<hex>  <name>` and `<hex> *<name>` (binary mode), any run of spaces or tabs before the
 * name, CRLF or LF, upper- or lower-case hex, a UTF-8 byte-order mark, blank lines anywhere, and a bare
 * digest alone on its line (no name). Several lines are accepted only if they all carry the same digest
 * and name the image (or no name).
 *
 * Names are compared case-insensitively (FAT) and by *basename*: `./AstLinux-1.0.img` and
 * `os/AstLinux-1.0.img` both name `AstLinux-1.0.img`, because the sidecar only ever sits next to its
 * image and was often produced in another directory. Anything else is `malformed`, with the reason.
 */
import { PolicyError } from './errors.js';

export type DigestAlgorithm = 'sha1' | 'sha256';

export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['sha256', 'sha1'];

export type SidecarResult =
  | { ok: true; algo: DigestAlgorithm; digest: string }
  | { ok: false; reason: string };

/** A real sidecar is one line; anything bigger is not one and is not worth scanning in the loader. */
const MAX_SIDECAR_CHARS = 4096;
/**
 * mujs cannot run a regex repetition over more than about 1022 characters (the whole plan then fails, and
 * nothing on the card boots), so a longer line is refused before any regex sees it.
 */
const MAX_LINE_CHARS = 1000;

/** Hex digits in a digest of this algorithm. */
export function digestLength(algo: DigestAlgorithm): number {
  return algo === 'sha1' ? 40 : 64;
}

/** The algorithm a sidecar's extension names (`.sha1`, `.SHA256`), or null for any other file. */
export function sidecarAlgorithm(fileName: string): DigestAlgorithm | null {
  const match = /\.(sha1|sha256)$/i.exec(fileName);
  return match ? ((match[1] ?? '').toLowerCase() as DigestAlgorithm) : null;
}

/** The sidecar's file name for an image: `AstLinux-1.0.img.sha1`. */
export function sidecarFileName(imageName: string, algo: DigestAlgorithm): string {
  return `${imageName}.${algo}`;
}

/** Lower-case hex of the right length, or null. */
export function normalizeDigest(text: string, algo: DigestAlgorithm): string | null {
  const trimmed = text.trim().toLowerCase();
  return trimmed.length === digestLength(algo) && /^[0-9a-f]+$/.test(trimmed) ? trimmed : null;
}

function baseName(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut < 0 ? path : path.slice(cut + 1);
}

function stripByteOrderMark(text: string): string {
  // U+FEFF when the file was decoded as UTF-8; the three Latin-1 characters when it was not.
  if (text.charAt(0) === '\ufeff') return text.slice(1);
  if (text.slice(0, 3) === '\u00ef\u00bb\u00bf') return text.slice(3);
  return text;
}

interface SidecarLine {
  readonly digest: string;
  readonly name: string | null;
}

function parseLine(
  line: string,
  algo: DigestAlgorithm,
): { ok: true; line: SidecarLine } | { ok: false; reason: string } {
  // Every capture group always takes part: mujs returns "" (not undefined) for one that does not.
  const match = /^([0-9a-fA-F]+)(.*)$/.exec(line);
  const hex = match?.[1] ?? '';
  const rest = match?.[2] ?? '';
  const named = /^[ \t]+\*?(.*)$/.exec(rest);
  if (!match || (rest !== '' && !named)) return { ok: false, reason: 'not in sha1sum format' };
  if (hex.length !== digestLength(algo)) {
    return { ok: false, reason: `digest has ${hex.length} hex digits, ${algo} needs ${digestLength(algo)}` };
  }
  if (!named) return { ok: true, line: { digest: hex.toLowerCase(), name: null } };
  const name = named[1] ?? '';
  if (name === '') return { ok: false, reason: 'empty file name after the digest' };
  return { ok: true, line: { digest: hex.toLowerCase(), name } };
}

/** Parses a sidecar for `imageName`; the digest comes back in lower case. */
export function parseSidecar(text: string, imageName: string, algo: DigestAlgorithm): SidecarResult {
  if (text.length > MAX_SIDECAR_CHARS)
    return { ok: false, reason: `larger than ${MAX_SIDECAR_CHARS} characters` };
  const lines = stripByteOrderMark(text).split('\n');
  let found: SidecarLine | null = null;
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] ?? '';
    if (raw.length > MAX_LINE_CHARS)
      return { ok: false, reason: `line ${index + 1} is longer than ${MAX_LINE_CHARS} characters` };
    const line = raw.replace(/^[ \t]+|[ \t\r]+$/g, '');
    if (line === '') continue;
    const parsed = parseLine(line, algo);
    if (!parsed.ok) return { ok: false, reason: `line ${index + 1}: ${parsed.reason}` };
    const { digest, name } = parsed.line;
    if (name !== null && baseName(name).toLowerCase() !== imageName.toLowerCase()) {
      return { ok: false, reason: `line ${index + 1} names "${name}", not ${imageName}` };
    }
    if (found && found.digest !== digest)
      return { ok: false, reason: `line ${index + 1} gives a different digest` };
    found = parsed.line;
  }
  if (!found) return { ok: false, reason: 'no digest in it' };
  return { ok: true, algo, digest: found.digest };
}

/** `<hex>  <name>\n`, the text `sha1sum` / `sha256sum` would write. */
export function formatSidecar(digest: string, imageName: string): string {
  const algo: DigestAlgorithm | null = digest.length === 40 ? 'sha1' : digest.length === 64 ? 'sha256' : null;
  const normalized = algo ? normalizeDigest(digest, algo) : null;
  if (!normalized) throw new PolicyError('invalid-digest', `"${digest}" is not a sha1 or sha256 digest`);
  if (/[\r\n\\]/.test(imageName) || imageName === '') {
    throw new PolicyError('invalid-option', `"${imageName}" cannot be written in a sidecar`);
  }
  return `${normalized}  ${imageName}\n`;
}
