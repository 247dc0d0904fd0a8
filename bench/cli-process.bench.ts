/**
 * The CLI as a user runs it (issue 23): whole processes, spawned as the installed `astcard` bin starts
 * (node on the bundle in dist/cli), each paired with its anchor and run alternately A, B, A, B… in this one
 * run, medians of ROUNDS. The page cache holds every source (each is read once before timing).
 *
 *   astcard --help                  against node -e 0             goal ≤ 1.3×
 *   astcard inspect --quick card    (absolute)                    goal ≤ 0.15 s
 *   astcard verify card             against sha1sum of the image  goal ≤ 0.5× its time (≥ 2× throughput)
 *     and near the floor under it: node reading and hashing the image, nothing else, against sha1sum
 *   astcard prepare (superfloppy)   against mkfs.vfat + syslinux + mcopy + sha1sum   goal ≤ 0.8×
 *
 * Run: npm run bench -- cli
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ASTCARD_CLI, buildCli } from '../scripts/lib/cli-bundle.mjs';

const MiB = 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CARD_SIZE = '512M';

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** Wall time of one whole process; it must succeed, or the figure would time a failure. */
function run(command: string, args: string[]): number {
  const start = performance.now();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const elapsed = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return elapsed;
}

/** A and B alternately, ROUNDS times each, after one untimed warm-up of each. */
function paired(a: () => number, b: () => number): { a: number; b: number } {
  a();
  b();
  const as: number[] = [];
  const bs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    as.push(a());
    bs.push(b());
  }
  return { a: median(as), b: median(bs) };
}

function line(what: string, ours: number, anchorName: string, anchor: number, goal: number, kind: '≤' | '≥') {
  const ratio = ours / anchor;
  const met = kind === '≤' ? ratio <= goal : ratio >= goal;
  console.log(
    `${what}: astcard ${ours.toFixed(3)} s, ${anchorName} ${anchor.toFixed(3)} s → ${ratio.toFixed(2)}× (goal ${kind} ${goal}×) ${met ? 'MET' : 'NOT MET'}`,
  );
}

/** An ext2 AstLinux image of 256 MiB, mostly random bytes, with the kernel the loader would start. */
function makeImage(dir: string): string {
  const tree = join(dir, 'tree');
  mkdirSync(join(tree, 'boot'), { recursive: true });
  execFileSync('cp', ['assets/loader/bzImage', join(tree, 'boot/bzImage')]);
  writeFileSync(join(tree, 'boot/initrd.img'), execFileSync('head', ['-c', String(MiB), '/dev/urandom']));
  writeFileSync(
    join(tree, 'filler'),
    execFileSync('head', ['-c', String(200 * MiB), '/dev/urandom'], { maxBuffer: 300 * MiB }),
  );
  const image = join(dir, 'AstLinux-1.0.0.img');
  execFileSync('mke2fs', ['-q', '-F', '-t', 'ext2', '-d', tree, image, '256M'], { stdio: 'pipe' });
  rmSync(tree, { recursive: true });
  return image;
}

await buildCli();
const cli = ASTCARD_CLI;
const astcard = (...args: string[]) => run(process.execPath, [cli, ...args]);
const dir = mkdtempSync(join(tmpdir(), 'astcard-bench-cli-'));
try {
  const image = makeImage(dir);
  const card = join(dir, 'card.img');
  const fresh = (name: string) => {
    const path = join(dir, name);
    rmSync(path, { force: true });
    return path;
  };
  const prepare = () =>
    astcard('prepare', fresh('ours.img'), '--size', CARD_SIZE, '--layout', 'superfloppy', '--image', image);
  prepare();
  execFileSync('cp', [join(dir, 'ours.img'), card]);

  const help = paired(
    () => astcard('--help'),
    () => run(process.execPath, ['-e', '0']),
  );
  line('astcard --help', help.a, 'node -e 0', help.b, 1.3, '≤');

  const quick = paired(
    () => astcard('inspect', card, '--quick'),
    () => run(process.execPath, ['-e', '0']),
  );
  console.log(
    `astcard inspect --quick: ${quick.a.toFixed(3)} s (goal ≤ 0.15 s) ${quick.a <= 0.15 ? 'MET' : 'NOT MET'}; node -e 0 ${quick.b.toFixed(3)} s`,
  );

  const verify = paired(
    () => astcard('verify', card),
    () => run('sha1sum', [image]),
  );
  line('astcard verify (256 MiB image)', verify.a, 'sha1sum', verify.b, 0.5, '≤');
  // Close to the floor of any Node program: starting node and hashing the same bytes with its OpenSSL SHA-1,
  // nothing else (no card, no FAT). Its reads do not overlap the hashing, so the true floor is lower by
  // about one read of the image from the page cache (~55 ms for 256 MiB here), and no lower.
  const hashOnly = `const fs=require('node:fs');const h=require('node:crypto').createHash('sha1');const fd=fs.openSync(process.argv[1]);const b=Buffer.allocUnsafe(4<<20);for(let n;(n=fs.readSync(fd,b))>0;)h.update(b.subarray(0,n));h.digest('hex');`;
  const floor = paired(
    () => run(process.execPath, ['-e', hashOnly, image]),
    () => run('sha1sum', [image]),
  );
  console.log(
    `  near the floor: node reading and hashing the image alone ${floor.a.toFixed(3)} s, sha1sum ${floor.b.toFixed(3)} s → ${(floor.a / floor.b).toFixed(2)}× (the verify goal is ≤ 0.5×)`,
  );

  const loader = 'assets/loader';
  const config = join(dir, 'syslinux.cfg');
  writeFileSync(config, 'DEFAULT loader\nLABEL loader\n  LINUX bzImage\n  INITRD loader.img\n');
  const toolchain = () =>
    run('bash', [
      '-euc',
      `card=${fresh('tool.img')}
       truncate -s ${CARD_SIZE} "$card"
       mkfs.vfat -n ASTLINUX "$card" >/dev/null
       syslinux --install "$card"
       sum=$(sha1sum "${image}" | cut -d' ' -f1)
       echo "$sum  AstLinux-1.0.0.img" > "${dir}/sidecar"
       mcopy -i "$card" ${loader}/bzImage ${loader}/loader.img "${config}" ::/
       mcopy -i "$card" "${image}" ::/AstLinux-1.0.0.img
       mcopy -i "$card" "${dir}/sidecar" ::/AstLinux-1.0.0.img.sha1
       sync -f "$card"`,
    ]);
  const prepared = paired(prepare, toolchain);
  line(
    `astcard prepare (${CARD_SIZE} card, 256 MiB image, read back)`,
    prepared.a,
    'mkfs.vfat+syslinux+mcopy+sha1sum (no read-back)',
    prepared.b,
    0.8,
    '≤',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
