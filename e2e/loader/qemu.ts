// Boots a card image under QEMU (software emulation) with the serial console captured, at most two at a time:
// the machine has two cores and every boot keeps one busy for ~15 s.
import { spawn } from 'node:child_process';

export interface Disk {
  file: string;
  /** usb: a USB stick behind an EHCI controller, as a card in a USB reader looks to the loader. */
  interface: 'ide' | 'virtio' | 'usb';
}

export interface BootResult {
  /** Everything the guest wrote to its serial port. */
  log: string;
  exitCode: number | null;
  timedOut: boolean;
  /** Wall-clock seconds from QEMU start to exit. */
  seconds: number;
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

export function qemuArgs(disks: Disk[], network?: UserNetwork): string[] {
  const args = ['-accel', 'tcg', '-m', '512', '-smp', '1', '-no-reboot', '-display', 'none', '-vga', 'none'];
  args.push('-serial', 'stdio', '-monitor', 'none', ...networkArgs(network));
  if (disks.some((disk) => disk.interface === 'usb')) args.push('-device', 'usb-ehci,id=ehci');
  disks.forEach((disk, index) => {
    if (disk.interface === 'usb') {
      // The first disk is the one SeaBIOS boots, wherever it sits.
      args.push('-drive', `file=${disk.file},format=raw,if=none,id=usb${index}`);
      args.push('-device', `usb-storage,bus=ehci.0,drive=usb${index}${index === 0 ? ',bootindex=0' : ''}`);
      return;
    }
    const where = disk.interface === 'ide' ? `if=ide,index=${index},media=disk` : 'if=virtio';
    args.push('-drive', `file=${disk.file},format=raw,${where}`);
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
}

/** Boots until the guest powers off (QEMU exits), panics (-no-reboot), `until` matches or the time is up. */
export function boot(disks: Disk[], options: BootOptions = {}): Promise<BootResult> {
  const { timeoutMs = 90_000, network, until, kernel } = options;
  const args = qemuArgs(disks, network);
  if (kernel) args.push('-kernel', kernel.bzImage, '-initrd', kernel.initrd, '-append', kernel.append);
  return slot(
    () =>
      new Promise<BootResult>((resolve, reject) => {
        const started = Date.now();
        const child = spawn('qemu-system-x86_64', args, {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const chunks: Buffer[] = [];
        let seen = '';
        let stopping: NodeJS.Timeout | undefined;
        child.stdout.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          if (!until) return;
          // A match may straddle chunks; the last 4 KiB is plenty for one line.
          seen = (seen + chunk.toString('utf8')).slice(-4096);
          // A moment more lets the matching line finish (a version string, a prompt).
          if (until.test(seen) && !stopping) stopping = setTimeout(() => child.kill('SIGKILL'), 300);
        });
        child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, timeoutMs);
        child.on('error', (error) => {
          clearTimeout(timer);
          reject(new Error(`cannot start qemu-system-x86_64: ${error.message}`, { cause: error }));
        });
        child.on('close', (exitCode) => {
          clearTimeout(timer);
          clearTimeout(stopping);
          const log = Buffer.concat(chunks).toString('utf8').replace(/\r/g, '');
          resolve({ log, exitCode, timedOut, seconds: (Date.now() - started) / 1000 });
        });
      }),
  );
}
