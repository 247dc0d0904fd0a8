/**
 * The card listing the init writes with `stat -c '%s %n'`, shared by the plan CLI and the signatures CLI
 * (its own module so the signatures bundle does not carry the boot plan, nor the plan bundle the rest).
 */
import type { CardFile } from '../../shared/boot-plan.js';

/**
 * `<size> <name>` lines from `stat -c '%s %n'`; a path keeps only its last component, and `os/` before it
 * when the file sits in an `os` folder (where real AstLinux releases live: `os/astlinux-1.5.10.run`).
 */
export function parseListing(text: string): { files: CardFile[]; problems: string[] } {
  const files: CardFile[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (line === '') continue;
    const match = /^([0-9]+) (.+)$/.exec(line);
    const path = match?.[2] ?? '';
    const base = path.slice(path.lastIndexOf('/') + 1);
    const folder = path.slice(0, Math.max(0, path.length - base.length - 1));
    const inOs = /(^|\/)os$/i.test(folder);
    const name = inOs && base !== '' ? `${folder.slice(folder.length - 2)}/${base}` : base;
    if (!match || name === '') problems.push(`listing line ${i + 1} is not "<size> <name>", ignored`);
    else files.push({ name, size: parseInt(match[1] ?? '', 10) });
  }
  return { files, problems };
}
