/**
 * The machine a card is test-booted in: QEMU, with the card as its only disk behind a copy-on-write layer
 * (snapshot=on: the card is opened read-only, every write the guest makes goes to a temporary file QEMU
 * throws away), a serial console astcard reads, and BIOS (SeaBIOS) or UEFI (OVMF) firmware. KVM when this
 * user may use it, else software emulation, and the reason either way.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TryError } from './try-error.js';

export type Firmware = 'bios' | 'uefi';

export interface Acceleration {
  kind: 'kvm' | 'tcg';
  /** Why, in a sentence a user can act on. */
  reason: string;
}

/** OVMF's firmware and a template of its variable store, where the distributions put them. */
const OVMF_CANDIDATES: Array<{ code: string; vars: string }> = [
  { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd' },
  { code: '/usr/share/OVMF/OVMF_CODE.fd', vars: '/usr/share/OVMF/OVMF_VARS.fd' },
  { code: '/usr/share/edk2/ovmf/OVMF_CODE.fd', vars: '/usr/share/edk2/ovmf/OVMF_VARS.fd' },
  { code: '/usr/share/edk2/x64/OVMF_CODE.4m.fd', vars: '/usr/share/edk2/x64/OVMF_VARS.4m.fd' },
];

const exists = (path: string, mode = constants.R_OK) =>
  access(path, mode).then(
    () => true,
    () => false,
  );

/** KVM needs /dev/kvm, and permission to open it read-write. */
export async function chooseAcceleration(): Promise<Acceleration> {
  if (process.platform !== 'linux') {
    return {
      kind: 'tcg',
      reason: 'software emulation: astcard uses KVM only on Linux, so this boot is slow',
    };
  }
  if (!(await exists('/dev/kvm', constants.F_OK))) {
    return {
      kind: 'tcg',
      reason:
        'software emulation, because this computer offers no KVM (/dev/kvm is missing: virtualisation is off in its firmware, or it is itself a virtual machine); a boot takes a minute or more',
    };
  }
  if (!(await exists('/dev/kvm', constants.R_OK | constants.W_OK))) {
    return {
      kind: 'tcg',
      reason:
        'software emulation, because this user may not use KVM (add yourself to the "kvm" group and log in again for fast test boots)',
    };
  }
  kvmWorks ??= kvmStartsMachine();
  if (!(await kvmWorks)) {
    return {
      kind: 'tcg',
      reason:
        'software emulation, because KVM is offered here but cannot run a test machine (as inside some virtual machines); a boot takes a minute or more',
    };
  }
  return { kind: 'kvm', reason: 'KVM: hardware virtualisation' };
}

/** A machine nobody sees or reaches: no screen, no network, no monitor; the serial port is set by each. */
const HEADLESS = ['-display', 'none', '-vga', 'none', '-nic', 'none', '-monitor', 'none'];

/** Asked once per process: the answer does not change while it runs. */
let kvmWorks: Promise<boolean> | undefined;

/** A boot found KVM unusable after the probe passed: later tries in this process go straight to software. */
export function refuseKvm(): void {
  kvmWorks = Promise.resolve(false);
}

/**
 * Whether KVM runs a machine through its firmware, not just whether /dev/kvm opens: some hosts offer a
 * /dev/kvm (a paravirtual one inside a cloud VM) on which SeaBIOS stops before it looks for a disk. The
 * probe is a machine without a disk, its firmware's debug port read until it says it found none to boot
 * (milliseconds under a working KVM).
 */
function kvmStartsMachine(timeoutMs = 8000): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(
      'qemu-system-x86_64',
      [
        '-accel',
        'kvm',
        '-m',
        '64',
        ...HEADLESS,
        '-serial',
        'none',
        '-no-reboot',
        '-chardev',
        'stdio,id=firmware',
        '-device',
        'isa-debugcon,iobase=0x402,chardev=firmware',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let seen = '';
    const done = (works: boolean) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(works);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk: string) => {
      seen = (seen + chunk).slice(-4096);
      if (/No bootable device|Booting from/.test(seen)) done(true);
    });
    child.once('error', () => done(false));
    child.once('close', () => done(false));
  });
}

/** Where this machine's OVMF is, or the plain refusal saying how to get it. */
export async function findOvmf(): Promise<{ code: string; vars: string }> {
  for (const candidate of OVMF_CANDIDATES) {
    if ((await exists(candidate.code)) && (await exists(candidate.vars))) return candidate;
  }
  throw new TryError(
    'firmware-missing',
    'Trying a card on UEFI needs the OVMF firmware, which is not installed. On Debian or Ubuntu: sudo apt-get install ovmf; on Fedora: sudo dnf install edk2-ovmf.',
  );
}

/** The command that boots `card`; UEFI's variable store is copied into `scratch`, never shared. */
export async function emulatorCommand(options: {
  card: string;
  firmware: Firmware;
  acceleration: Acceleration;
  scratch: string;
  memoryMiB?: number;
}): Promise<{ command: string; args: string[] }> {
  const args = [
    '-accel',
    options.acceleration.kind,
    '-m',
    String(options.memoryMiB ?? 1024),
    '-smp',
    '1',
    '-no-reboot',
    ...HEADLESS,
    '-serial',
    'stdio',
    // The card as a SATA disk: what a CF adapter or a card reader looks like to the loader's drivers.
    '-device',
    'ahci,id=ahci',
    '-drive',
    `file=${options.card},format=raw,if=none,id=card,snapshot=on`,
    '-device',
    'ide-hd,bus=ahci.0,drive=card,bootindex=0',
  ];
  if (options.firmware === 'uefi') {
    const ovmf = await findOvmf();
    const vars = join(options.scratch, 'OVMF_VARS.fd');
    await copyFile(ovmf.vars, vars);
    args.push(
      '-drive',
      `if=pflash,format=raw,unit=0,readonly=on,file=${ovmf.code}`,
      '-drive',
      `if=pflash,format=raw,unit=1,file=${vars}`,
    );
  }
  return { command: 'qemu-system-x86_64', args };
}

/** How to install QEMU here, for the one-line refusal when it is missing. */
export function qemuInstallHint(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'Install it with Homebrew: brew install qemu.';
  if (platform === 'win32')
    return 'Install it from https://www.qemu.org/download/#windows and make sure qemu-system-x86_64 is on the PATH.';
  return 'On Debian or Ubuntu: sudo apt-get install qemu-system-x86; on Fedora: sudo dnf install qemu-system-x86.';
}

/**
 * UEFI firmware draws its text console with terminal escapes, one cursor move per character: this drops
 * them, starting a new line where the cursor moves to another row, so SYSLINUX's lines read as text.
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
