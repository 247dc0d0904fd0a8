/**
 * The temporary names card operations write under before renaming over the final name: an image or the
 * keydisk as `<name>.part` (copy-image.ts, keydisk.ts), a new /syslinux.cfg as `syslinux.new` (loader
 * update) or `syslinux.src` (network sources). Recovery needs them to tell an interrupted replace (a
 * temporary name still on its final name's data: drop the temporary name) from two files that share data
 * by damage, and inspect to report an unfinished copy as such.
 */
export const PART_SUFFIX = '.part';
const CONFIG_TEMPORARIES = ['syslinux.new', 'syslinux.src'];

/** The final name a temporary name is renamed to, or null for any other name. */
export function finalNameOf(name: string): string | null {
  if (name.length > PART_SUFFIX.length && name.toLowerCase().endsWith(PART_SUFFIX))
    return name.slice(0, -PART_SUFFIX.length);
  if (CONFIG_TEMPORARIES.includes(name.toLowerCase())) return 'syslinux.cfg';
  return null;
}
