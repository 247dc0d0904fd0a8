/**
 * Test-boots a card before it leaves the desk: the card in QEMU behind a copy-on-write layer (nothing on
 * it changes), the loader followed line by line, and the result compared with what astcard predicted the
 * loader would do. The whole console is kept in a log for a bug report.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { assertSameIdentity, type DriveIdentity } from '../drives/identity.js';
import { BootLog, type BootProgress, type BootStage, type LoaderLine } from './boot-log.js';
import {
  type Acceleration,
  chooseAcceleration,
  emulatorCommand,
  type Firmware,
  plainConsole,
  qemuInstallHint,
  refuseKvm,
} from './emulator.js';
import { TryError } from './try-error.js';

export interface TryOptions {
  firmware?: Firmware;
  /** Give up after this long without the loader deciding (the default allows for software emulation). */
  timeoutSeconds?: number;
  /** After the started system's kernel shows up, how long to keep watching how far it gets. */
  followSeconds?: number;
  /** What astcard predicts the loader boots (image name), or null for nothing; undefined: no prediction. */
  predicted?: string | null;
  /** A drive is checked to be the one the user chose, before the boot and after it. */
  identity?: DriveIdentity;
  /** Where the console log goes (default ~/.astcard/try-logs). */
  logDir?: string;
  onLine?: (line: string) => void;
  onProgress?: (progress: BootProgress) => void;
  signal?: AbortSignal;
}

export type TryOutcome = 'booted' | 'nothing-bootable' | 'no-decision' | 'cancelled';

export interface TryResult {
  outcome: TryOutcome;
  firmware: Firmware;
  acceleration: Acceleration;
  /** The image the loader started, or null. */
  started: string | null;
  /** The loader's FAILED summary, when nothing could boot. */
  failed: string | null;
  /** How far the boot got. */
  stage: BootStage;
  predicted: string | null | undefined;
  /** True when the loader did what astcard predicted (and the started kernel came up); null: no prediction. */
  asPredicted: boolean | null;
  loaderLines: LoaderLine[];
  seconds: number;
  logPath: string;
}

const DEFAULT_TIMEOUT_SECONDS = 300;
const DEFAULT_FOLLOW_SECONDS = 20;

export async function tryCard(card: string, options: TryOptions = {}): Promise<TryResult> {
  const firmware = options.firmware ?? 'bios';
  try {
    await access(card, constants.R_OK);
  } catch (error) {
    throw new TryError(
      'card-unreadable',
      `astcard may not read ${card}. Run the try as a user allowed to read removable drives (on Linux, the "disk" group), or try a copy of the card as an image file.`,
      { cause: error },
    );
  }
  if (options.identity) await assertSameIdentity(options.identity);
  let acceleration = await chooseAcceleration();
  const scratch = await mkdtemp(join(tmpdir(), 'astcard-try-'));
  try {
    let { command, args } = await emulatorCommand({ card, firmware, acceleration, scratch });
    let result = await run(command, args, card, firmware, acceleration, options);
    if (result === KVM_FAILED) {
      // Some hosts offer a KVM that starts the firmware and then stops the machine with an internal error
      // (nested virtualisation); the same boot under software emulation is slow but works.
      refuseKvm();
      acceleration = {
        kind: 'tcg',
        reason:
          'software emulation, because KVM stopped the test machine with an internal error (as inside some virtual machines); a boot takes a minute or more',
      };
      ({ command, args } = await emulatorCommand({ card, firmware, acceleration, scratch }));
      result = await run(command, args, card, firmware, acceleration, options);
    }
    if (result === KVM_FAILED) throw new Error('QEMU reported a KVM error while running without KVM');
    // The copy-on-write layer kept every write off the card; the card is still the one chosen.
    if (options.identity) await assertSameIdentity(options.identity);
    return result;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

const KVM_FAILED = Symbol('KVM failed');
/** What QEMU prints when KVM cannot run the guest's code; the machine then hangs paused. */
const KVM_ERROR = /KVM internal error|emulation failure/;

async function run(
  command: string,
  args: string[],
  card: string,
  firmware: Firmware,
  acceleration: Acceleration,
  options: TryOptions,
): Promise<TryResult | typeof KVM_FAILED> {
  const log = new BootLog();
  const started = Date.now();
  let transcript = '';
  const outcome = await new Promise<TryOutcome | 'exited' | typeof KVM_FAILED>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let settled = false;
    let follow: NodeJS.Timeout | undefined;
    const stop = (why: TryOutcome | 'exited' | typeof KVM_FAILED) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(follow);
      options.signal?.removeEventListener('abort', cancel);
      child.kill('SIGKILL');
      resolve(why);
    };
    const timer = setTimeout(
      () => stop('no-decision'),
      (options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
    );
    const cancel = () => stop('cancelled');
    options.signal?.addEventListener('abort', cancel);
    if (options.signal?.aborted) cancel();
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk: string) => {
      const text = firmware === 'uefi' ? plainConsole(chunk) : chunk;
      transcript += text;
      const before = log.progress.stage;
      for (const line of log.feed(text)) options.onLine?.(line);
      const now = log.progress;
      if (now.stage !== before) options.onProgress?.(now);
      if (now.failed !== null) stop('nothing-bootable');
      else if (now.stage === 'login' || now.stage === 'powered-off') stop('booted');
      else if (now.stage === 'kernel' && !follow) {
        follow = setTimeout(() => stop('booted'), (options.followSeconds ?? DEFAULT_FOLLOW_SECONDS) * 1000);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 16384) stderr += chunk;
      if (acceleration.kind === 'kvm' && KVM_ERROR.test(stderr)) stop(KVM_FAILED);
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new TryError(
              'qemu-missing',
              `Trying a card needs QEMU, which is not installed. ${qemuInstallHint()}`,
              {
                cause: error,
              },
            )
          : error,
      );
    });
    child.once('close', () => {
      if (!settled && stderr.trim() !== '') transcript += `\n[qemu] ${stderr.trim()}\n`;
      stop('exited');
    });
  });
  if (outcome === KVM_FAILED) return KVM_FAILED;
  const progress = log.progress;
  const final: TryOutcome =
    outcome === 'exited'
      ? progress.failed !== null
        ? 'nothing-bootable'
        : progress.started !== null
          ? 'booted'
          : 'no-decision'
      : outcome;
  const booted = final === 'booted' && progress.started !== null && stageAtLeast(progress.stage, 'kernel');
  const asPredicted =
    options.predicted === undefined
      ? null
      : options.predicted === null
        ? final === 'nothing-bootable'
        : booted && progress.started === options.predicted;
  const logPath = await keepLog(options.logDir, card, transcript);
  return {
    outcome: final,
    firmware,
    acceleration,
    started: progress.started,
    failed: progress.failed,
    stage: progress.stage,
    predicted: options.predicted,
    asPredicted,
    loaderLines: progress.loaderLines,
    seconds: (Date.now() - started) / 1000,
    logPath,
  };
}

const STAGES: BootStage[] = ['firmware', 'loader', 'decided', 'kernel', 'userspace', 'login', 'powered-off'];

function stageAtLeast(stage: BootStage, wanted: BootStage): boolean {
  return STAGES.indexOf(stage) >= STAGES.indexOf(wanted);
}

async function keepLog(dir: string | undefined, card: string, text: string): Promise<string> {
  const folder = dir ?? join(homedir(), '.astcard', 'try-logs');
  await mkdir(folder, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(folder, `${stamp}-${basename(card).replace(/[^\w.-]+/g, '_')}.log`);
  await writeFile(path, text);
  return path;
}
