// How long the loader takes from its kernel's start to `kexec -e`, hashing excluded, under QEMU software
// emulation (goal: the loader's own part ≤ 1.5 s). Boots one MBR card with three good images a few times and
// reads the loader's uptime stamps from the serial log. Needs `npm run build:loader` first.
//
//   npx tsx bench/loader-boot.bench.ts [boots]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAstlinuxImage, fixtureCache, sha1Line } from '../e2e/fixtures/astlinux-images.js';
import { makeCard } from '../e2e/fixtures/make-card.js';
import { boot } from '../e2e/loader/qemu.js';
import { type LoaderLine, loaderLines } from '../e2e/loader/serial-log.js';

const GOAL_SECONDS = 1.5;
const boots = Number(process.argv[2] ?? 3);
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
makeCard(card, {
  layout: 'mbr',
  volumeId: '5EED-0001',
  sizeMiB: 96,
  append: `astlinux.card=5EED-0001 astlinux.onfail=poweroff${process.env.BENCH_QUIET ? ' quiet' : ''}`,
  files,
});

interface Timing {
  kernelToJump: number;
  initToJump: number;
  hashing: number;
  wall: number;
}

function timingOf(lines: LoaderLine[], wall: number): Timing {
  const at = (prefix: string) => lines.find((line) => line.text.startsWith(prefix))?.at;
  const start = at('loader ');
  const jump = at('kexec -e ');
  if (start === undefined || jump === undefined) throw new Error('the loader did not reach kexec -e');
  let hashing = 0;
  for (const line of lines.filter((l) => l.text.startsWith('verify '))) {
    const name = line.text.split(' ')[1];
    const done = lines.find((l) => l.text === `hashed ${name}`);
    if (done) hashing += done.at - line.at;
  }
  return { kernelToJump: jump - hashing, initToJump: jump - start - hashing, hashing, wall };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const timings: Timing[] = [];
for (let i = 0; i < boots; i++) {
  const result = await boot([{ file: card, interface: 'ide' }]);
  if (result.timedOut || !result.log.includes('ASTLINUX-MARKER version=0.10.0')) {
    console.error(result.log.slice(-3000));
    throw new Error('the benchmark card did not boot 0.10.0');
  }
  writeFileSync(join(dir, `boot-${i + 1}.log`), result.log);
  const timing = timingOf(loaderLines(result.log), result.seconds);
  timings.push(timing);
  console.log(
    `boot ${i + 1}: kernel start → kexec -e ${timing.kernelToJump.toFixed(2)} s, /init → kexec -e ${timing.initToJump.toFixed(2)} s (hashing ${timing.hashing.toFixed(2)} s excluded), whole boot ${timing.wall.toFixed(1)} s`,
  );
}
const loaderPart = median(timings.map((t) => t.initToJump));
console.log(
  `loader-boot: kernel start → kexec -e ${median(timings.map((t) => t.kernelToJump)).toFixed(2)} s, /init → kexec -e ${loaderPart.toFixed(2)} s (median of ${boots}, hashing excluded, TCG); goal ≤ ${GOAL_SECONDS} s for the loader's part: ${loaderPart <= GOAL_SECONDS ? 'met' : 'NOT met'}`,
);
