// `astcard ui` on the command line: its help, wrong options refused as usage errors (exit 2), a port in use
// said in words (exit 1), and the line about drive access on a machine with no password prompt to show.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, test } from 'vitest';
import { driveAccess, ui } from '../../electron/cli/commands/ui.js';
import { createOutput, UsageError } from '../../electron/cli/output.js';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';

function astcard(...args: string[]) {
  const run = spawnSync(process.execPath, [ASTCARD_CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('astcard ui', () => {
  test('is listed first in the help, and says how it is called', () => {
    const help = astcard('--help');
    expect(help.stdout).toMatch(/^ {2}ui {6,}open the app in your web browser/m);
    const own = astcard('ui', '--help');
    expect(own.status).toBe(0);
    expect(own.stdout).toContain('usage: astcard ui [--port N] [--no-open]');
  });

  test('refuses a port that is not one, and words it takes none of, as usage errors (exit 2)', async () => {
    // Refused before anything listens, so the command itself can be run here; one run through the real
    // command line shows the refusal becomes exit code 2.
    const out = createOutput({ json: false, verbose: false });
    for (const args of [['--port', '70000'], ['--port', '-1'], ['--port', '1.5'], ['now'], ['--open']]) {
      await expect(ui.run([...args, '--no-open'], out), args.join(' ')).rejects.toBeInstanceOf(UsageError);
    }
    const run = astcard('ui', '--port', 'eighty', '--no-open');
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'astcard: --port takes a port number from 1 to 65535 (or 0 for any free port).\n',
    );
  });

  test('says so when its port is taken, and exits 1', async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = (taken.address() as { port: number }).port;
    try {
      const run = astcard('ui', '--port', String(port), '--no-open');
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(
        `astcard: Port ${port} is already in use on this computer. Choose another with --port, or leave --port out to take a free one.\n`,
      );
    } finally {
      taken.close();
    }
  });

  test('tells how to allow drive access where no password prompt can be shown', () => {
    const line = driveAccess('linux', 1000, false, true);
    expect(line).toMatch(
      /^Writing to cards and USB drives needs administrator rights, and astcard cannot ask for the password \(there is no display here\)\./,
    );
    expect(line).toContain('sudo astcard ui');
    expect(line).toContain('"disk" group');
    expect(driveAccess('linux', 1000, true, false)).toContain('(this machine has no pkexec or kdesudo)');
    // Nothing to say where a prompt exists, or where no password is needed.
    expect(driveAccess('linux', 1000, true, true)).toBeNull();
    expect(driveAccess('linux', 0, false, false)).toBeNull();
    expect(driveAccess('darwin', 501, false, false)).toBeNull();
    expect(driveAccess('win32', undefined, false, false)).toBeNull();
  });
});
