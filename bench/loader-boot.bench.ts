// How long a boot through the loader takes under QEMU software emulation, stage by stage: the loader's own
// part (`/init` → `kexec -e`, hashing excluded; goal ≤ 1.0 s) and the whole boot, QEMU start to the booted
// image's power-off (goal ≤ 13 s). Boots one MBR card with three good images a few times; the stages come from
// the kernel's and the loader's uptime stamps in the serial log, the whole boot and its parts from the wall
// clock (the log is read as it grows). Each boot's log is kept beside the card (boot-N.log). Needs
// `npm run build:loader` first.
//
// BENCH_BASELINE=<dir with bzImage and loader.img> alternates boots of that loader with boots of the built one
// (A/B, same card otherwise), so a change is measured against its baseline under the same load.
// BENCH_BASELINE_KERNEL_OPTIONS="<options>" does the same for the loader kernel's options (what the card's
// APPEND carries before the astlinux.* options; the built card has CARD_KERNEL_OPTIONS); both may be given.
//
//   npx tsx bench/loader-boot.bench.ts [boots]
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAstlinuxImage, fixtureCache, sha1Line } from '../e2e/fixtures/astlinux-images.js';
import { makeCard, PARTITION_START, syslinuxConfig } from '../e2e/fixtures/make-card.js';
import { boot } from '../e2e/loader/qemu.js';
import { loaderLines } from '../e2e/loader/serial-log.js';

const INIT_GOAL_SECONDS = 1.0;
const WHOLE_GOAL_SECONDS = 13;
const boots = Number(process.argv[2] ?? 3);
const baseline = process.env.BENCH_BASELINE;
const baselineKernelOptions = process.env.BENCH_BASELINE_KERNEL_OPTIONS;
const dir = join(fixtureCache, 'bench');
mkdirSync(dir, { recursive: true });

const card = join(dir, 'card.img');
const files = ['0.4.0', '0.4.1', '0.10.0'].flatMap((version) => {
  const file = buildAstlinuxImage({ version, format: 'ext2' }, join(dir, `${version}.img`));
  const name = `AstLinux-${version}.img`;
  return [
    { name, from: file },
    { name: `${name}.sha1`, data: sha1Line(file, name) },
  ];
});
const append = `astlinux.card=5EED-0001 astlinux.onfail=poweroff${process.env.BENCH_QUIET ? ' quiet' : ''}`;
makeCard(card, { layout: 'mbr', volumeId: '5EED-0001', sizeMiB: 96, append, files });
const cards: { label: string; file: string }[] = [{ label: 'built', file: card }];
if (baseline || baselineKernelOptions !== undefined) {
  const other = join(dir, 'card-baseline.img');
  copyFileSync(card, other);
  const put = (from: string, name: string) =>
    execFileSync('mcopy', ['-o', '-i', `${other}@@${PARTITION_START * 512}`, from, `::${name}`]);
  if (baseline) for (const name of ['bzImage', 'loader.img']) put(join(baseline, name), name);
  if (baselineKernelOptions !== undefined) {
    const config = join(dir, 'syslinux-baseline.cfg');
    writeFileSync(config, syslinuxConfig(append, baselineKernelOptions));
    put(config, 'syslinux.cfg');
  }
  cards.unshift({ label: 'baseline', file: other });
}

/** Seconds, by the loader kernel's clock unless said otherwise. */
interface Stages {
  /** Kernel start → the first line of /init; of which unpacking the initramfs. */
  kernelToInit: number;
  unpackInitramfs: number;
  options: number;
  drivers: number;
  /** From the card step's start to the card mounted. */
  card: number;
  /** Card found → first image hashed: keydisk, image filesystems joined, listing, signatures, the plan. */
  plan: number;
  hashing: number;
  /** The plan's verdict on the hashed image and its handoff. */
  accept: number;
  /** Mounting the image, `kexec -l`, unmounting. */
  kexecLoad: number;
  /** `kexec -e` said → the kernel starts the next one (card unmounted, console drained). */
  kexecExec: number;
  /** `/init` → `kexec -e`, hashing excluded (the goal's figure). */
  initToJump: number;
  kernelToJump: number;
  /** Wall clock: QEMU start → loader kernel's first line (firmware, SYSLINUX loading both files). */
  firmware: number;
  /** Wall clock, its parts: QEMU start → SYSLINUX's banner (the BIOS), reading each file, and from the
   *  initramfs read to the kernel's start: the kernel decompressing itself (Debian's is xz). The kernel's
   *  first line reaches the serial port only once its console is up, so that much kernel time is taken off. */
  bios: number;
  readKernel: number;
  readInitramfs: number;
  decompressKernel: number;
  /** Wall clock: new kernel started → the image's marker (the booted image's kernel and initrd). */
  nextBoot: number;
  whole: number;
}

const KERNEL_LINE = /^\[\s*(\d+\.\d+)\] (.*)$/;

function stagesOf(log: string, wall: number, marks: (number | null)[]): Stages {
  const kernel: { at: number; text: string }[] = [];
  for (const raw of log.split('\n')) {
    const match = KERNEL_LINE.exec(raw.trim());
    if (match) kernel.push({ at: Number(match[1]), text: match[2] ?? '' });
  }
  const lines = loaderLines(log);
  const need = (what: string, at: number | undefined) => {
    if (at === undefined) throw new Error(`the serial log has no ${what}`);
    return at;
  };
  const loader = (prefix: string) => need(`"${prefix}"`, lines.find((l) => l.text.startsWith(prefix))?.at);
  const kernelAt = (part: string) => need(`"${part}"`, kernel.find((l) => l.text.includes(part))?.at);
  const start = loader('loader ');
  const verify = loader('verify ');
  const name = lines.find((l) => l.text.startsWith('verify '))?.text.split(' ')[1];
  const hashed = loader(`hashed ${name}`);
  const load = loader('kexec -l ');
  const starting = loader('== images: starting');
  const said = loader('kexec -e ');
  const jumped = kernelAt('kexec_core: Starting new kernel');
  const hashing = hashed - verify;
  const [linux, newKernel, marker, syslinux, kernelRead, initramfsRead] = marks;
  const wallAt = (what: string, at: number | null | undefined) => need(what, at ?? undefined);
  return {
    kernelToInit: start,
    unpackInitramfs: kernelAt('Freeing initrd memory') - kernelAt('Trying to unpack rootfs'),
    options: loader('== options: done') - loader('== options'),
    drivers: loader('== drivers: done') - loader('== drivers'),
    card: loader('== card: done') - loader('== card'),
    plan: verify - loader('== card: done'),
    hashing,
    accept: load - hashed,
    kexecLoad: starting - load,
    kexecExec: jumped - said,
    initToJump: said - start - hashing,
    kernelToJump: said - hashing,
    firmware: wallAt('the loader kernel on the console', linux),
    bios: wallAt("SYSLINUX's banner", syslinux),
    readKernel: wallAt('bzImage loaded', kernelRead) - wallAt("SYSLINUX's banner", syslinux),
    readInitramfs: wallAt('loader.img loaded', initramfsRead) - wallAt('bzImage loaded', kernelRead),
    decompressKernel:
      wallAt('the loader kernel on the console', linux) -
      wallAt('loader.img loaded', initramfsRead) -
      (kernel.find((l) => /console \[ttyS0\] enabled/.test(l.text))?.at ?? 0),
    nextBoot: need('the image marker', marker ?? undefined) - need('the jump', newKernel ?? undefined),
    whole: wall,
  };
}

const ROWS: [keyof Stages, string][] = [
  ['firmware', 'QEMU start → loader kernel (wall)'],
  ['bios', '  QEMU start → SYSLINUX (BIOS)'],
  ['readKernel', '  SYSLINUX reads bzImage'],
  ['readInitramfs', '  SYSLINUX reads loader.img'],
  ['decompressKernel', '  the kernel decompresses itself'],
  ['kernelToInit', 'kernel start → /init'],
  ['unpackInitramfs', '  of which unpacking the initramfs'],
  ['options', 'options'],
  ['drivers', 'drivers'],
  ['card', 'card found'],
  ['plan', 'plan (listing, signatures, plan)'],
  ['hashing', 'hashing (excluded below)'],
  ['accept', 'verdict and handoff'],
  ['kexecLoad', 'kexec -l (mount, load, unmount)'],
  ['kexecExec', 'kexec -e'],
  ['initToJump', '/init → kexec -e, hashing excluded'],
  ['kernelToJump', 'kernel start → kexec -e, hashing excluded'],
  ['nextBoot', 'image kernel → its marker (wall)'],
  ['whole', 'whole boot (wall)'],
];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
};

const results = new Map<string, Stages[]>(cards.map(({ label }) => [label, []]));
for (let i = 0; i < boots; i++) {
  for (const { label, file } of cards) {
    const result = await boot([{ file, interface: 'ide' }], {
      marks: [
        /Linux version/,
        /kexec_core: Starting new kernel/,
        /ASTLINUX-MARKER/,
        /SYSLINUX \d/,
        /Loading bzImage\.\.\. ?ok/,
        /Loading loader\.img\.\.\. ?ok/,
      ],
    });
    if (result.timedOut || !result.log.includes('ASTLINUX-MARKER version=0.10.0')) {
      console.error(result.log.slice(-3000));
      throw new Error(`the benchmark card (${label}) did not boot 0.10.0`);
    }
    writeFileSync(join(dir, `boot-${i + 1}${cards.length > 1 ? `-${label}` : ''}.log`), result.log);
    const stages = stagesOf(result.log, result.seconds, result.marks);
    results.get(label)?.push(stages);
    console.log(
      `boot ${i + 1}${cards.length > 1 ? ` (${label})` : ''}: /init → kexec -e ${stages.initToJump.toFixed(2)} s (hashing ${stages.hashing.toFixed(2)} s excluded), kernel start → kexec -e ${stages.kernelToJump.toFixed(2)} s, whole boot ${stages.whole.toFixed(1)} s`,
    );
  }
}

const labels = cards.map(({ label }) => label);
const medians = new Map(
  labels.map((label) => {
    const runs = results.get(label) ?? [];
    return [label, Object.fromEntries(ROWS.map(([key]) => [key, median(runs.map((r) => r[key]))]))];
  }),
);
console.log(`\nmedians of ${boots} boot(s) each, seconds, TCG${process.env.BENCH_QUIET ? ', quiet' : ''}:`);
console.log(`${'stage'.padEnd(44)}${labels.map((l) => l.padStart(10)).join('')}`);
for (const [key, title] of ROWS) {
  console.log(
    `${title.padEnd(44)}${labels.map((l) => (medians.get(l)?.[key] ?? NaN).toFixed(2).padStart(10)).join('')}`,
  );
}
const built = medians.get('built') ?? {};
const init = built.initToJump ?? NaN;
const whole = built.whole ?? NaN;
console.log(
  `loader-boot: /init → kexec -e ${init.toFixed(2)} s = ${(init / INIT_GOAL_SECONDS).toFixed(2)}× the ${INIT_GOAL_SECONDS.toFixed(1)} s goal (${init <= INIT_GOAL_SECONDS ? 'met' : 'NOT met'}); whole boot ${whole.toFixed(1)} s = ${(whole / WHOLE_GOAL_SECONDS).toFixed(2)}× the ${WHOLE_GOAL_SECONDS} s goal (${whole <= WHOLE_GOAL_SECONDS ? 'met' : 'NOT met'})`,
);
