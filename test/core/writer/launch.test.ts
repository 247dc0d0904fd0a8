import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { elevatedCommandLine, quoteArgument } from '../../../electron/core/writer/launch.js';

describe('the elevated command line', () => {
  it('survives a real shell unchanged: arguments with spaces, and the environment pkexec would clear', () => {
    const args = ['--spec', 'eyJwb3J0Ijo0MjAwMH0', '/home/pat/My Cards/AstLinux-1.5.4.img'];
    const line = elevatedCommandLine(
      {
        command: process.execPath,
        args: [join(import.meta.dirname, 'print-args.mjs')],
        env: { ELECTRON_RUN_AS_NODE: '1' },
      },
      args,
      'linux',
    );
    expect(line.startsWith('"/usr/bin/env" "ELECTRON_RUN_AS_NODE=1" ')).toBe(true);
    // pkexec runs it through a shell with an empty environment: so does this.
    const run = spawnSync('sh', ['-c', line], { encoding: 'utf8', env: {} });
    expect(JSON.parse(run.stdout)).toEqual({ argv: args, flag: '1' });
  });

  it('refuses arguments a shell or cmd.exe could expand', () => {
    for (const bad of ['$(reboot)', '`id`', 'a"b', '%PATH%', 'x;y', 'a\nb']) {
      expect(() => quoteArgument(bad)).toThrow(/not safe/);
    }
    expect(quoteArgument('C:\\Program Files\\astcard\\astcard.exe')).toBe(
      '"C:\\Program Files\\astcard\\astcard.exe"',
    );
  });
});
