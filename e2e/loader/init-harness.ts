// Runs the loader's real init script outside a VM, in the Alpine style, under the busybox shell it boots
// with and with the real boot-plan bundle under mujs: ASTCARD_ROOT points it at a fake root, and
// ASTCARD_MOCK turns every side effect (mount, modprobe, ip, udhcpc, kexec, poweroff…) into a line of an
// action log the test reads. Shared by the card-only story tests and the network-source tests.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectRoot } from '../fixtures/astlinux-images.js';

export const BUSYBOX = join(projectRoot, '.cache/loader-stage/bin/busybox');
const INIT = join(projectRoot, 'loader/init');
const NETWORK = join(projectRoot, 'loader/network.sh');
export const VOLUME_ID = '7E57-C0DE';

/**
 * Records each side effect; passes mujs through (the plan is real), noting each start in mujs-starts;
 * `kexec -e` ends the init like a reboot. MOCK_KEXEC_FAILS makes kexec calls containing it fail;
 * MOCK_NO_LEASE makes udhcpc get no lease; MOCK_PLAN_SERVER_DIES makes the boot plan's \`serve\` process
 * end at once, without answering.
 */
const MOCK = `#!/bin/sh
log="$ASTCARD_ROOT/actions"
case "$1" in
mujs)
	shift
	echo "\${1##*/} $2" >>"$ASTCARD_ROOT/mujs-starts"
	[ "$2" = serve ] && [ -n "$MOCK_PLAN_SERVER_DIES" ] && exit 1
	exec mujs "$@" ;;
udhcpc) echo "$*" >>"$log"; [ -z "$MOCK_NO_LEASE" ] ;;
kexec)
	echo "$*" >>"$log"
	if [ "$2" = -e ]; then kill -TERM "$PPID"; exit 0; fi
	case " $* " in *"$MOCK_KEXEC_FAILS"*) [ -n "$MOCK_KEXEC_FAILS" ] && { echo "kexec: mock refusal" >&2; exit 1; } ;; esac
	exit 0 ;;
*) echo "$*" >>"$log" ;;
esac
`;

export interface Story {
  /** Lines the init printed, stamps removed. */
  said: string[];
  /** Side effects, one per line, ROOT prefix removed. */
  actions: string[];
  /** Each mujs start: the bundle's file name and the first argument (the command, or a file for options). */
  mujsStarts: string[];
}

export type CardImageState = 'good' | 'corrupt' | 'no-sidecar';

export interface FakeRoot {
  cmdline: string;
  /** The ES5 boot-plan bundle the init runs under mujs. */
  planBundle: string;
  images?: Record<string, CardImageState>;
  /** A kd.img on the card. */
  keydisk?: boolean;
  /** Installs network.sh and an eth0 with carrier. */
  network?: boolean;
  memAvailableKb?: number;
}

/** A fake root under `root`: /proc, /sys, the card (a real FAT boot sector for its volume ID), the mock. */
export function makeFakeRoot(root: string, spec: FakeRoot): string {
  rmSync(root, { recursive: true, force: true });
  const dirs = ['proc', 'sys/class/block/sda1', 'dev', 'etc/astcard', 'usr/share/astcard'];
  dirs.push('run/astcard/card', 'run/astcard/image/boot');
  if (spec.network) dirs.push('sys/class/net/eth0', 'sys/class/net/lo');
  for (const dir of dirs) mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, 'proc/uptime'), '3.14 2.00\n');
  const available = spec.memAvailableKb ?? 400_000;
  writeFileSync(join(root, 'proc/meminfo'), `MemTotal: 500000 kB\nMemAvailable: ${available} kB\n`);
  writeFileSync(join(root, 'proc/cmdline'), `${spec.cmdline}\n`);
  writeFileSync(join(root, 'etc/astcard/loader-version'), '9.9.9\n');
  writeFileSync(join(root, 'etc/astcard/modules.card'), 'vfat\n');
  writeFileSync(join(root, 'etc/astcard/modules.image'), 'loop\next4\n');
  copyFileSync(spec.planBundle, join(root, 'usr/share/astcard/astcard-plan.js'));
  // The options reader is built beside the plan bundle, from the same compile.
  copyFileSync(
    join(dirname(spec.planBundle), 'astcard-options.js'),
    join(root, 'usr/share/astcard/astcard-options.js'),
  );
  if (spec.network) {
    writeFileSync(join(root, 'sys/class/net/eth0/carrier'), '1\n');
    copyFileSync(NETWORK, join(root, 'usr/share/astcard/network.sh'));
  }
  const device = join(root, 'dev/sda1');
  execFileSync('truncate', ['-s', '2M', device]);
  execFileSync('mkfs.vfat', ['-F', '12', '-i', VOLUME_ID.replace('-', ''), device], { stdio: 'pipe' });
  // mount is mocked: the card and image mount points are filled in advance.
  const cardDir = join(root, 'run/astcard/card');
  writeFileSync(join(cardDir, 'syslinux.cfg'), 'DEFAULT loader\n');
  for (const [image, state] of Object.entries(spec.images ?? {})) {
    writeFileSync(join(cardDir, image), `contents of ${image}\n`);
    const hex = execFileSync('sha1sum', [join(cardDir, image)], { encoding: 'utf8' }).split(' ')[0];
    if (state !== 'no-sidecar') writeFileSync(join(cardDir, `${image}.sha1`), `${hex}  ${image}\n`);
    if (state === 'corrupt') writeFileSync(join(cardDir, image), `altered ${image}\n`);
  }
  if (spec.keydisk) writeFileSync(join(cardDir, 'kd.img'), 'keydisk\n');
  writeFileSync(join(root, 'run/astcard/image/boot/bzImage'), 'kernel');
  writeFileSync(join(root, 'run/astcard/image/boot/initrd.img'), 'initrd');
  writeFileSync(join(root, 'run/astcard/image/boot/cmdline'), 'console=ttyS0,115200 root=/dev/ram0\n');
  writeFileSync(join(root, 'mock'), MOCK);
  chmodSync(join(root, 'mock'), 0o755);
  return root;
}

/** Asynchronous: a test's HTTP server answering the init's wget lives in the test's own process. */
export function runInit(root: string, env: Record<string, string> = {}): Promise<Story> {
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: run npm run build:loader first`);
  return new Promise((resolve, reject) => {
    const child = spawn(BUSYBOX, ['sh', INIT], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        ASTCARD_ROOT: root,
        ASTCARD_MOCK: join(root, 'mock'),
        ASTCARD_NET_LINK_WAIT: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      const strip = (line: string) => line.split(root).join('');
      const said = stdout
        .split('\n')
        .map((line) => /^\[\s*[\d.?]+\] astcard: (.*)$/.exec(line)?.[1])
        .filter((line): line is string => line !== undefined)
        .map(strip);
      const actionsFile = join(root, 'actions');
      const actions = existsSync(actionsFile)
        ? readFileSync(actionsFile, 'utf8').split('\n').filter(Boolean).map(strip)
        : [];
      const startsFile = join(root, 'mujs-starts');
      const mujsStarts = existsSync(startsFile)
        ? readFileSync(startsFile, 'utf8').split('\n').filter(Boolean).map(strip)
        : [];
      resolve({ said, actions, mujsStarts });
    });
  });
}

export const kexecLoads = (story: Story) => story.actions.filter((action) => action.startsWith('kexec -l'));
export const jumped = (story: Story) => story.actions.includes('kexec -e');
