// What AstLinux's shell makes of a settings file, as an oracle: gen-rc-conf's filter (drop lines that are
// empty or start with #), then `.` of the result — in busybox ash (AstLinux's /bin/sh), dash and bash.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busybox } from '../../shared/busybox-oracle.js';

export type ShellName = 'busybox ash' | 'dash' | 'bash';
export const SHELLS: readonly ShellName[] = ['busybox ash', 'dash', 'bash'];

function command(shell: ShellName): string[] {
  if (shell === 'busybox ash') return [busybox(), 'sh'];
  return [shell === 'dash' ? '/usr/bin/dash' : '/usr/bin/bash'];
}

/**
 * The value each of `names` has after sourcing `files` (merged in order, as gen-rc-conf does); absent
 * when the files leave it unset. Names must be plain identifiers.
 */
export function sourceAsAstlinux(
  files: ReadonlyArray<string | Uint8Array>,
  names: readonly string[],
  shell: ShellName,
): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'astcard-shell-'));
  try {
    const paths = files.map((content, index) => {
      const path = join(dir, `${index}.conf`);
      writeFileSync(path, content);
      return path;
    });
    for (const name of names) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`bad name ${name}`);
    const script = [
      // bash presets HOSTNAME and others; start from nothing so "unset" means the files did not set it.
      ...names.map((name) => `unset ${name}`),
      `sed -e 's/^#.*//' -e '/^$/ d' ${paths.map((path) => `'${path}'`).join(' ')} > '${dir}/rc.conf'`,
      `. '${dir}/rc.conf'`,
      ...names.map((name) => `[ -n "\${${name}+x}" ] && printf '%s\\001%s\\000' ${name} "$${name}"`),
      'exit 0',
    ].join('\n');
    const [program, ...args] = command(shell);
    const run = spawnSync(program as string, [...args, '-c', script], {
      env: { PATH: '/usr/bin:/bin' },
      encoding: 'buffer',
    });
    if (run.error) throw run.error;
    const values: Record<string, string> = {};
    for (const record of run.stdout.toString('utf8').split('\0')) {
      const split = record.indexOf('\u0001');
      if (split > 0) values[record.slice(0, split)] = record.slice(split + 1);
    }
    return values;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
