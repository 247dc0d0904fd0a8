/**
 * Starting the helper: which executable and script, and — when the target needs it — elevated. The same
 * core runs as the helper: `process.execPath` with ELECTRON_RUN_AS_NODE=1 under Electron, plain node
 * otherwise (with tsx's loader when running from TypeScript sources, as in development and tests).
 * Elevation goes through @vscode/sudo-prompt (pkexec/kdesudo on Linux, an osascript-driven prompt on
 * macOS, a UAC prompt on Windows); it passes one shell command string, so every argument is checked
 * against a conservative character set before it is quoted — our arguments are paths and base64url.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { readLinuxDrive } from '../drives/linux-lsblk.js';
import { WriterError } from './writer-error.js';

export interface HelperCommand {
  command: string;
  args: string[];
  env: { [name: string]: string };
}

export interface HelperProcess {
  /** Resolves when the process has exited; `stderr` is what it printed (empty when elevated). */
  exited: Promise<{ code: number | null; stderr: string }>;
  /** Ends an unelevated helper; an elevated one is told to stop over the socket instead. */
  kill(): void;
}

/** How this build starts its helper. */
export function defaultHelperCommand(): HelperCommand {
  const fromSource = import.meta.url.endsWith('.ts');
  const here = fileURLToPath(new URL(fromSource ? './helper.ts' : './helper.js', import.meta.url));
  // In a packaged app this module is read from app.asar, but the writer and everything it loads are
  // unpacked beside it (electron-builder.config.mjs): start those plain files, which need no asar support.
  const script = here.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
  const args = fromSource ? ['--import', 'tsx', script] : [script];
  const env: { [name: string]: string } = process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {};
  return { command: process.execPath, args, env };
}

/**
 * Whether writing `device` needs an elevated helper: image files never do; a drive does unless we can
 * already open it for writing and are root (unmounting a desktop's auto-mounted card needs root too).
 */
export async function needsElevation(device: string): Promise<boolean> {
  if (process.platform === 'win32') return !(await stat(device).catch(() => null))?.isFile();
  if ((await stat(device)).isFile()) return false;
  if (process.getuid?.() === 0) return false;
  try {
    await access(device, constants.R_OK | constants.W_OK);
  } catch {
    return true;
  }
  // Unmounting a desktop's auto-mounted card takes root even for members of the disk group.
  if (process.platform !== 'linux') return true;
  return (await readLinuxDrive(device)).record.mountpoints.length > 0;
}

export function spawnHelper(helper: HelperCommand, extraArgs: string[], elevated: boolean): HelperProcess {
  return elevated ? spawnElevated(helper, extraArgs) : spawnPlain(helper, extraArgs);
}

function spawnPlain(helper: HelperCommand, extraArgs: string[]): HelperProcess {
  const child = spawn(helper.command, [...helper.args, ...extraArgs], {
    env: { ...process.env, ...helper.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderr.length < 64 * 1024) stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, stderr: `${stderr}${error.message}` }));
    child.once('close', (code) => resolve({ code, stderr }));
  });
  return { exited, kill: () => child.kill() };
}

type SudoPrompt = {
  exec(
    command: string,
    options: { name: string; env?: { [name: string]: string } },
    callback: (error?: Error, stdout?: string | Buffer, stderr?: string | Buffer) => void,
  ): void;
};

function spawnElevated(helper: HelperCommand, extraArgs: string[]): HelperProcess {
  // pkexec and sudo clear the environment, so on Linux and macOS the variables ride on /usr/bin/env
  // inside the elevated command; sudo-prompt's Windows path carries its env option through.
  const posix = process.platform !== 'win32';
  const command = elevatedCommandLine(helper, extraArgs, process.platform);
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const sudo = createRequire(import.meta.url)('@vscode/sudo-prompt') as SudoPrompt;
    const env = !posix && Object.keys(helper.env).length > 0 ? { env: helper.env } : {};
    sudo.exec(command, { name: 'astcard', ...env }, (error, _stdout, stderr) => {
      if (error?.message === 'User did not grant permission.') {
        reject(
          new WriterError(
            'elevation-declined',
            'Administrator permission was not given, so the card was not touched. Try again and enter your password when asked.',
          ),
        );
        return;
      }
      resolve({ code: error ? 1 : 0, stderr: String(stderr ?? error?.message ?? '') });
    });
  });
  return { exited, kill: () => {} };
}

/** The one command string the elevation prompt runs. */
export function elevatedCommandLine(
  helper: HelperCommand,
  extraArgs: string[],
  platform: NodeJS.Platform,
): string {
  const envPrefix =
    platform === 'win32'
      ? []
      : ['/usr/bin/env', ...Object.entries(helper.env).map(([name, value]) => `${name}=${value}`)];
  return [...envPrefix, helper.command, ...helper.args, ...extraArgs].map(quoteArgument).join(' ');
}

/** Double-quoted, after refusing anything a shell (or cmd.exe) could expand inside double quotes. */
export function quoteArgument(argument: string): string {
  if (!/^[A-Za-z0-9_@+=:,./\\ -]+$/.test(argument)) {
    throw new WriterError(
      'helper-failed',
      'The writer cannot be started from this folder: its path has characters that are not safe to pass to the administrator prompt.',
      {
        detail: argument,
      },
    );
  }
  return `"${argument}"`;
}
