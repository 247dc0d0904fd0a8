// Boots a card image under QEMU (software emulation) with the serial console captured, at most two at a time:
// the machine has two cores and every boot keeps one busy for ~15 s. The firmware is SeaBIOS (QEMU's own)
// or, for UEFI, Debian's OVMF: its code read-only and a fresh copy of its variable store for every boot,
// so one boot's saved boot entries never steer the next.
//
// The serial console goes to a file, not to a pipe: QEMU's UART stalls when a pipe is full (a busy machine
// reading it late), the guest's last lines before a power-off are then lost, and OVMF's escape-laden
// console output suffered most. A file never fills; it is read as it grows. Keys are typed on the emulated
// PS/2 keyboard through QEMU's monitor, which firmware and boot programs read as well as the serial line.
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Disk {
  file: string;
  /**
   * usb: a USB stick behind an EHCI controller, as a card in a USB reader looks to the loader;
   * sata: a disk on an AHCI controller, as a CF card in a SATA adapter.
   */
  interface: 'ide' | 'sata' | 'virtio' | 'usb';
  /** Guest writes go to a scratch overlay: the file stays as it is, and two boots may share it. */
  snapshot?: boolean;
}

/** Debian's OVMF (package ovmf), 4 MiB flash layout, without Secure Boot keys enrolled. */
export const OVMF = {
  code: '/usr/share/OVMF/OVMF_CODE_4M.fd',
  vars: '/usr/share/OVMF/OVMF_VARS_4M.fd',
};

export interface BootResult {
  /** Everything the guest wrote to its serial port. */
  log: string;
  exitCode: number | null;
  timedOut: boolean;
  /** Wall-clock seconds from QEMU start to exit. */
  seconds: number;
  /** Seconds from QEMU start to the first match of each of `BootOptions.marks`; null: never matched. */
  marks: (number | null)[];
}

const MAX_CONCURRENT_BOOTS = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_BOOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await work();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

/**
 * An e1000 on QEMU's user network, `restrict=on` so no packet leaves the emulator. Its DHCP server and its
 * TFTP server (serving `tftpRoot`) still answer; the host itself is reachable only through `guestfwd`
 * rules, because restrict=on also cuts the guest off the host's own ports at 10.0.2.2.
 */
export interface UserNetwork {
  tftpRoot?: string;
  /** Each guest connection runs `command` (e.g. `busybox nc 127.0.0.1 PORT`); a chardev would be one shared stream. */
  forwards?: { guestAddress: string; port: number; command: string }[];
}

function networkArgs(network: UserNetwork | undefined): string[] {
  if (!network) return ['-nic', 'none'];
  let netdev = 'user,id=n0,restrict=on';
  if (network.tftpRoot) netdev += `,tftp=${network.tftpRoot}`;
  for (const forward of network.forwards ?? []) {
    netdev += `,guestfwd=tcp:${forward.guestAddress}:${forward.port}-cmd:${forward.command}`;
  }
  return ['-netdev', netdev, '-device', 'e1000,netdev=n0,romfile='];
}

/**
 * QEMU's arguments; the serial console is written to `serialLog`. With `monitor`, QEMU's monitor reads
 * commands from stdin (to type keys), otherwise there is none.
 */
export function qemuArgs(disks: Disk[], serialLog: string, network?: UserNetwork, monitor = false): string[] {
  const args = ['-accel', 'tcg', '-m', '512', '-smp', '1', '-no-reboot', '-display', 'none', '-vga', 'none'];
  args.push('-chardev', `file,id=console,path=${serialLog}`, '-serial', 'chardev:console');
  args.push('-monitor', monitor ? 'stdio' : 'none', ...networkArgs(network));
  if (disks.some((disk) => disk.interface === 'usb')) args.push('-device', 'usb-ehci,id=ehci');
  if (disks.some((disk) => disk.interface === 'sata')) args.push('-device', 'ahci,id=ahci');
  disks.forEach((disk, index) => {
    // The first disk is the one the firmware boots, wherever it sits.
    const first = index === 0 ? ',bootindex=0' : '';
    const file = `file=${disk.file},format=raw${disk.snapshot ? ',snapshot=on' : ''}`;
    if (disk.interface === 'usb') {
      args.push('-drive', `${file},if=none,id=usb${index}`);
      args.push('-device', `usb-storage,bus=ehci.0,drive=usb${index}${first}`);
      return;
    }
    if (disk.interface === 'sata') {
      args.push('-drive', `${file},if=none,id=sata${index}`);
      args.push('-device', `ide-hd,bus=ahci.${index},drive=sata${index}${first}`);
      return;
    }
    const where = disk.interface === 'ide' ? `if=ide,index=${index},media=disk` : 'if=virtio';
    args.push('-drive', `${file},${where}`);
  });
  return args;
}

export interface BootOptions {
  timeoutMs?: number;
  network?: UserNetwork;
  /** Stop as soon as the serial log matches (a shell that would wait for input forever). */
  until?: RegExp;
  /** Start this kernel directly, as a network boot (PXE) would, instead of the first disk's boot code. */
  kernel?: { bzImage: string; initrd: string; append: string };
  /** `bios` (SeaBIOS, the default) or `uefi` (OVMF, x86-64, Secure Boot off). */
  firmware?: 'bios' | 'uefi';
  /** Typed on the keyboard, each once, as soon as the log matches its `after` (a boot prompt). */
  keys?: { after: RegExp; text: string }[];
  /** Seconds from QEMU's start to the first match of each pattern, in `BootResult.marks` (benchmarks). */
  marks?: RegExp[];
}

/**
 * UEFI firmware draws its text console with terminal escapes, one cursor move per character: drops them,
 * starting a new line where the cursor moves to another row, so SYSLINUX's lines read as plain text.
 */
export function plainConsole(text: string): string {
  let out = '';
  let row: string | null = null;
  let last = 0;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escapes is the point
  const escapes = /\x1b\[(\d+);\d+H|\x1b\[[0-9;=?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b./g;
  for (let match = escapes.exec(text); match; match = escapes.exec(text)) {
    out += text.slice(last, match.index);
    last = escapes.lastIndex;
    if (match[1] !== undefined) {
      if (row !== null && match[1] !== row && !out.endsWith('\n')) out += '\n';
      row = match[1];
    }
  }
  return out + text.slice(last);
}

/** -drive arguments for OVMF, with a fresh variable store in `dir`. */
function uefiArgs(dir: string): string[] {
  const vars = join(dir, 'OVMF_VARS.fd');
  copyFileSync(OVMF.vars, vars);
  return [
    '-drive',
    `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF.code}`,
    '-drive',
    `if=pflash,format=raw,unit=1,file=${vars}`,
  ];
}

/** Monitor commands typing `text` on the PS/2 keyboard: letters, digits, space, `.`, `-`, `=` and `\r`. */
export function sendkeys(text: string): string {
  const names: Record<string, string> = {
    '\r': 'ret',
    '\n': 'ret',
    ' ': 'spc',
    '.': 'dot',
    '-': 'minus',
    '=': 'equal',
  };
  let commands = '';
  for (const char of text) {
    const name = names[char] ?? (/^[a-z0-9]$/.test(char) ? char : null);
    if (name === null) throw new Error(`cannot type ${JSON.stringify(char)} on the emulated keyboard`);
    commands += `sendkey ${name}\n`;
  }
  return commands;
}

/** How often the serial log is read while QEMU runs, for `until`, `keys` and `marks`. */
const POLL_MS = 100;

/** Boots until the guest powers off (QEMU exits), panics (-no-reboot), `until` matches or the time is up. */
export function boot(disks: Disk[], options: BootOptions = {}): Promise<BootResult> {
  const { timeoutMs = 90_000, network, until, kernel, firmware = 'bios', keys = [], marks = [] } = options;
  const scratch = mkdtempSync(join(tmpdir(), 'astcard-qemu-'));
  const serialLog = join(scratch, 'serial.log');
  const args = qemuArgs(disks, serialLog, network, keys.length > 0);
  if (kernel) args.push('-kernel', kernel.bzImage, '-initrd', kernel.initrd, '-append', kernel.append);
  if (firmware === 'uefi') args.push(...uefiArgs(scratch));
  // Only UEFI consoles need cleaning; a BIOS log stays byte for byte what the guest sent.
  const readable = (text: string) => (firmware === 'uefi' ? plainConsole(text) : text);
  return slot(
    () =>
      new Promise<BootResult>((resolve, reject) => {
        const started = Date.now();
        const child = spawn('qemu-system-x86_64', args, { stdio: ['pipe', 'ignore', 'pipe'] });
        if (keys.length === 0) child.stdin.end();
        const stderr: Buffer[] = [];
        const pending = keys.slice();
        const markedAt: (number | null)[] = marks.map(() => null);
        let raw = '';
        let readAt = 0;
        let stopping: NodeJS.Timeout | undefined;
        // The file appears once QEMU has started; a poll before that reads nothing.
        const poll = () => {
          let fd: number;
          try {
            fd = openSync(serialLog, 'r');
          } catch {
            return;
          }
          const buffer = Buffer.alloc(1 << 16);
          let text = '';
          try {
            for (let got = readSync(fd, buffer, 0, buffer.length, readAt); got > 0; ) {
              readAt += got;
              text += buffer.subarray(0, got).toString('latin1');
              got = readSync(fd, buffer, 0, buffer.length, readAt);
            }
          } finally {
            closeSync(fd);
          }
          if (text === '') return;
          // A match may straddle reads; the last 16 KiB is plenty for a few lines, even escaped.
          raw = (raw + text).slice(-16384);
          const seen = readable(raw);
          marks.forEach((pattern, index) => {
            if (markedAt[index] === null && pattern.test(seen))
              markedAt[index] = (Date.now() - started) / 1000;
          });
          const key = pending[0];
          if (key?.after.test(seen)) {
            pending.shift();
            child.stdin.write(sendkeys(key.text));
          }
          // A moment more lets the matching line finish (a version string, a prompt).
          if (until?.test(seen) && !stopping) stopping = setTimeout(() => child.kill('SIGKILL'), 300);
        };
        const watcher =
          until !== undefined || keys.length > 0 || marks.length > 0 ? setInterval(poll, POLL_MS) : undefined;
        child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          clearTimeout(stopping);
          clearInterval(watcher);
        };
        child.on('error', (error) => {
          finish();
          rmSync(scratch, { recursive: true, force: true });
          reject(new Error(`cannot start qemu-system-x86_64: ${error.message}`, { cause: error }));
        });
        child.on('close', (exitCode) => {
          finish();
          if (watcher) poll();
          let console = '';
          try {
            console = readFileSync(serialLog, 'utf8');
          } catch {
            // QEMU never started its console: its stderr says why.
          }
          rmSync(scratch, { recursive: true, force: true });
          const log = (readable(console) + Buffer.concat(stderr).toString('utf8')).replace(/\r/g, '');
          resolve({ log, exitCode, timedOut, seconds: (Date.now() - started) / 1000, marks: markedAt });
        });
      }),
  );
}
