// Reads a boot's serial log: the loader's stamped lines, and the markers a test image prints once it runs.

export interface LoaderLine {
  /** Seconds since the loader kernel started. */
  at: number;
  text: string;
}

export interface Marker {
  version: string;
  cmdline: string;
  mounts: string[];
  keydiskId: string | null;
}

const LOADER_LINE = /^\[\s*(\d+(?:\.\d+)?)\] astcard: (.*)$/;

/** Lines the loader printed, in order (the second kernel's own log is not among them). */
export function loaderLines(log: string): LoaderLine[] {
  const lines: LoaderLine[] = [];
  for (const raw of log.split('\n')) {
    const match = LOADER_LINE.exec(raw.trim());
    if (match) lines.push({ at: Number(match[1]), text: match[2] ?? '' });
  }
  return lines;
}

/** What the booted test image said about itself, or null when no image got that far. */
export function markerOf(log: string): Marker | null {
  const lines = log.split('\n').map((line) => line.trim());
  const value = (prefix: string) => lines.find((line) => line.startsWith(prefix))?.slice(prefix.length);
  const version = value('ASTLINUX-MARKER version=');
  if (version === undefined) return null;
  return {
    version,
    cmdline: value('ASTLINUX-CMDLINE ') ?? '',
    mounts: lines.filter((line) => line.startsWith('ASTLINUX-MOUNT ')).map((line) => line.slice(15)),
    keydiskId: value('ASTLINUX-KEYDISK ') ?? null,
  };
}

/** `astlinux.*` handoff options from a kernel command line. */
export function handoffOf(cmdline: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const token of cmdline.split(/\s+/)) {
    const match = /^astlinux\.([a-z]+)=(.*)$/.exec(token);
    if (match?.[1] !== undefined) out[match[1]] = match[2] ?? '';
  }
  return out;
}
