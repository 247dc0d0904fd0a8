/**
 * Reading `fsck.fat -n` after a card was cut off mid-operation: what it may say, and nothing else.
 *
 * Harmless: the banner and summary, orphaned clusters (a chain whose entry never landed, or a freed chain
 * not yet marked free), an orphaned long-name part (its 8.3 entry already deleted: invisible to every
 * reader), and the second FAT lagging the first when the cut fell between the two copies of one update
 * (every FAT writer has that window; fsck and the kernel use the first copy, which must be intact).
 *
 * Reported apart: the rename window. FatVolume.rename writes the new name's entry, then deletes the old
 * one; a cut between the two leaves both naming the same clusters, which fsck calls shared clusters.
 * Callers say which pair of names may show it and check that it takes at most one cut point.
 */
const HARMLESS_LINES = [
  /^fsck\.fat \d/,
  /^Checking we can access the last sector/,
  /^Reclaimed \d+ unused clusters? \(\d+ bytes\)( in \d+ chains?)?\.$/,
  /^FATs differ but appear to be intact\.$/,
  /^ {2}Using first FAT\.$/,
  /^Leaving filesystem unchanged\.$/,
  /^\S+: \d+ files, \d+\/\d+ clusters$/,
  /^\s*$/,
];

const ORPHANED_LONG_NAME = /^Orphaned long file name part "[^"\n]*"\n {2}Auto-deleting\.\n/gm;

const SHARED =
  /^\/(\S+) {2}and\n\/(\S+)\n {2}share clusters\.\n {2}Truncating second to 0 bytes\.\n\/(\S+)\n {2}File size is \d+ bytes, cluster chain length is 0 bytes\.\n {2}Truncating file to 0 bytes\.\n/m;

export interface FsckFindings {
  /** Lines that are neither harmless nor the rename window: each one fails the caller's test. */
  bad: string[];
  renameWindow: boolean;
}

/**
 * `from` and `to` match the temporary and the final name of the one rename allowed to be caught midway
 * (case-insensitively: fsck prints an 8.3 name in capitals).
 */
export function analyseFsck(output: string, from: RegExp, to: RegExp): FsckFindings {
  let rest = output.replace(ORPHANED_LONG_NAME, '');
  let renameWindow = false;
  const shared = SHARED.exec(rest);
  if (shared) {
    const [a = '', b = ''] = [shared[1], shared[2]];
    const whole = (pattern: RegExp, name: string) => new RegExp(`^(?:${pattern.source})$`, 'i').test(name);
    const pair = (whole(from, a) && whole(to, b)) || (whole(to, a) && whole(from, b));
    if (pair && (shared[3] === a || shared[3] === b)) {
      renameWindow = true;
      rest = rest.replace(SHARED, '');
    }
  }
  const bad = rest.split('\n').filter((line) => !HARMLESS_LINES.some((pattern) => pattern.test(line)));
  return { bad, renameWindow };
}
