import { DamagedStructure } from './content-outcomes.js';
import { cString } from './fields.js';

export type NodeKind = 'directory' | 'file' | 'symlink' | 'other';

export interface ImageNode {
  readonly kind: NodeKind;
  /** Bytes of content (for a directory, whatever its filesystem records). */
  readonly size: number;
}

/** The little a path walk needs from a filesystem. */
export interface ImageTree<N extends ImageNode> {
  root(): Promise<N>;
  /** The entry named `name` in `directory`, or null; throws DamagedStructure when the directory is unreadable. */
  lookup(directory: N, name: Uint8Array): Promise<N | null>;
  readLink(link: N): Promise<Uint8Array>;
}

export type PathResolution<N> = { ok: true; found: N } | { ok: false; reason: string; detail: string };

/** Linux's limit on links followed in one path walk (MAXSYMLINKS); past it stat fails with ELOOP. */
export const MAX_LINKS = 40;

const SLASH = 0x2f;
const text = new TextDecoder();

function components(path: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path[i] === SLASH) {
      if (i > start) parts.push(path.subarray(start, i));
      start = i + 1;
    }
  }
  return parts;
}

function isDot(name: Uint8Array): boolean {
  return name.length === 1 && name[0] === 0x2e;
}

function isDotDot(name: Uint8Array): boolean {
  return name.length === 2 && name[0] === 0x2e && name[1] === 0x2e;
}

/**
 * Walks `path` from the image's root as the loader's `[ -f "$IMAGE$path" ]` does: every link is followed,
 * relative ones inside the image. An absolute link, or `..` above the image's root, leads into the loader's
 * own filesystem (the image is only mounted at a folder there), so for the loader that file is not found.
 */
export async function resolvePath<N extends ImageNode>(
  tree: ImageTree<N>,
  path: string,
): Promise<PathResolution<N>> {
  const pending = components(new TextEncoder().encode(path));
  const ancestors: N[] = [await tree.root()];
  const walked: string[] = [];
  let links = 0;
  const missing = (reason: string, detail: string): PathResolution<N> => ({
    ok: false,
    reason,
    detail: `${detail} (walking ${path}: /${walked.join('/')})`,
  });

  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    const current = ancestors[ancestors.length - 1] as N;
    if (current.kind !== 'directory') {
      return missing(`has no ${path}`, `/${walked.join('/')} is not a directory`);
    }
    if (isDot(name)) continue;
    if (isDotDot(name)) {
      if (ancestors.length === 1) {
        return missing(`has ${path} only as a link that leads outside the image`, '".." above the root');
      }
      ancestors.pop();
      walked.pop();
      continue;
    }
    let child: N | null;
    try {
      child = await tree.lookup(current, name);
    } catch (error) {
      if (!(error instanceof DamagedStructure)) throw error;
      return missing(`has a damaged filesystem where ${path} should be`, error.detail);
    }
    const shown = text.decode(name);
    if (child === null) {
      return links === 0
        ? missing(`has no ${path}`, `no entry "${shown}"`)
        : missing(`has ${path} only as a link to something that is not in the image`, `no entry "${shown}"`);
    }
    if (child.kind !== 'symlink') {
      ancestors.push(child);
      walked.push(shown);
      continue;
    }
    links += 1;
    if (links > MAX_LINKS) {
      return missing(`has ${path} only as a chain of links that never ends`, `more than ${MAX_LINKS} links`);
    }
    let target: Uint8Array;
    try {
      target = cString(await tree.readLink(child));
    } catch (error) {
      if (!(error instanceof DamagedStructure)) throw error;
      return missing(`has a damaged filesystem where ${path} should be`, error.detail);
    }
    if (target.length === 0) return missing(`has no ${path}`, `the link "${shown}" is empty`);
    if (target[0] === SLASH) {
      return missing(
        `has ${path} only as a link to ${text.decode(target)}, which the loader looks for outside the image (make it a relative link)`,
        `absolute link "${shown}" -> ${text.decode(target)}`,
      );
    }
    pending.unshift(...components(target));
  }
  return { ok: true, found: ancestors[ancestors.length - 1] as N };
}
