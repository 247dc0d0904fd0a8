import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultAssetsDir } from '../../core/card/assets.js';
import { startUiServer } from '../../service/ui-server.js';
import { type Output, UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { asUsage, type Command } from './support.js';

/**
 * `astcard ui`: the app in a browser, for machines where the Electron window cannot open (no display, no
 * Electron) — the same window and the same core, served on 127.0.0.1 only (see service/ui-server.ts).
 * It runs until Ctrl-C (or SIGTERM), which lets running jobs stop at their next safe point first.
 */
export const ui: Command = {
  ...ABOUT.ui,
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({
        args,
        allowPositionals: true,
        options: { port: { type: 'string' }, 'no-open': { type: 'boolean' } },
      }),
    );
    if (positionals.length > 0) throw new UsageError(`usage: astcard ${ui.usage}`);
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError('--port takes a port number from 1 to 65535 (or 0 for any free port).');
    }
    const server = await startUiServer({ appVersion: packageVersion(), port });
    const stopped = stopOnSignal(server.close, server.service.runningJobs, out);
    out.result({ url: server.url, port: server.port }, () => [`astcard is running at ${server.url}`]);
    out.say('Open that address in a web browser on this computer. Press Ctrl-C here to stop astcard.');
    openBrowser(server.url, server.port, out, values['no-open'] !== true);
    const access = driveAccess();
    if (access) out.say(access);
    await stopped;
    out.say('astcard stopped.');
  },
};

/** Resolves once the server is closed after Ctrl-C or SIGTERM; a second Ctrl-C quits at once. */
function stopOnSignal(close: () => Promise<void>, runningJobs: () => number, out: Output): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const onSignal = () => {
      if (stopping) process.exit(130);
      stopping = true;
      const jobs = runningJobs();
      out.say(
        jobs > 0
          ? `\nStopping: ${jobs === 1 ? 'the running job stops' : `${jobs} running jobs stop`} at the next safe point first (press Ctrl-C again to quit at once)…`
          : '\nStopping…',
      );
      close().then(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      }, reject);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * Asks the system to show the page in the default browser (unless told not to), where there is one to
 * show it on: not on a Linux machine without a display, where the address is the way in, over an SSH
 * tunnel from another computer — said either way, since that is how such a machine is used.
 */
function openBrowser(url: string, port: number, out: Output, open: boolean): void {
  const launcher =
    process.platform === 'darwin'
      ? { command: 'open', args: [url] }
      : process.platform === 'win32'
        ? // `start` would need cmd.exe and its quoting; the URL handler takes the address as one argument.
          { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] }
        : hasDisplay()
          ? { command: 'xdg-open', args: [url] }
          : null;
  if (!launcher) {
    out.say(
      `There is no display here to open a browser on. From another computer, forward the port first (ssh -L ${port}:127.0.0.1:${port} this-machine), then open the address there.`,
    );
    return;
  }
  if (!open) return;
  const child = spawn(launcher.command, launcher.args, { detached: true, stdio: 'ignore' });
  child.once('error', () =>
    out.say(
      `Your browser could not be opened from here (${launcher.command} failed): open the address yourself.`,
    ),
  );
  child.once('spawn', () => {
    out.say('Opening it in your web browser…');
    child.unref();
  });
}

/** The version the window shows: package.json's, as `astcard --version` says it. */
function packageVersion(): string {
  const manifest = join(defaultAssetsDir(), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

function hasDisplay(): boolean {
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/**
 * What to tell someone who will want to write cards: drive writes go through the privileged writer, which
 * asks for the administrator password with pkexec or kdesudo (what @vscode/sudo-prompt looks for on Linux),
 * and those need a graphical session. Null when writing drives needs nothing more (root, macOS, Windows,
 * or a Linux desktop with a prompt).
 */
export function driveAccess(
  platform: NodeJS.Platform = process.platform,
  uid: number | undefined = process.getuid?.(),
  display: boolean = hasDisplay(),
  prompt: boolean = existsSync('/usr/bin/pkexec') || existsSync('/usr/bin/kdesudo'),
): string | null {
  if (platform !== 'linux' || uid === 0) return null;
  if (display && prompt) return null;
  const why = display ? 'this machine has no pkexec or kdesudo' : 'there is no display here';
  return `Writing to cards and USB drives needs administrator rights, and astcard cannot ask for the password (${why}). To write drives, start it as root (sudo astcard ui), or as a member of the "disk" group with the card not mounted. Card image files work as it is.`;
}
