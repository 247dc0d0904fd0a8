// How long the loader's boot-policy step costs under mujs: one `plan` and one `verdict` invocation on a
// card with many images (mujs start + parsing the bundle + the policy), and the same policy in Node.
// Goal: well under 100 ms per invocation under mujs, next to a ~15 s emulated boot.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decideBoot, planBoot } from '../shared/index.ts';

const IMAGES = 40;
const RUNS = 20;
const work = mkdtempSync(join(tmpdir(), 'astcard-bench-'));
try {
  const bundle = join(work, 'astcard-plan.js');
  execFileSync(process.execPath, ['scripts/build-shared-es5.mjs', '--out', bundle], { stdio: 'pipe' });
  const files = [];
  const sidecars = {};
  const digest = 'a'.repeat(40);
  for (let i = 0; i < IMAGES; i++) {
    const name = `AstLinux-1.${i}.${i % 7}.img`;
    files.push({ name, size: 1 << 26 }, { name: `${name}.sha1`, size: 60 });
    sidecars[`${name}.sha1`] = `${digest}  ${name}\n`;
    writeFileSync(join(work, `${name}.sha1`), sidecars[`${name}.sha1`]);
  }
  writeFileSync(join(work, 'listing'), files.map((file) => `${file.size} ${file.name}\n`).join(''));
  writeFileSync(join(work, 'cmdline'), 'console=ttyS0,115200 astlinux.pin=1.3.3\n');

  const time = (run) => {
    run();
    const start = performance.now();
    for (let i = 0; i < RUNS; i++) run();
    return (performance.now() - start) / RUNS;
  };
  const args = [bundle, 'plan', work, join(work, 'listing'), join(work, 'cmdline')];
  const planMs = time(() => execFileSync('mujs', args));
  const verdictArgs = [
    bundle,
    'verdict',
    work,
    join(work, 'listing'),
    join(work, 'cmdline'),
    'AstLinux-1.3.3.img',
    digest,
  ];
  const verdictMs = time(() => execFileSync('mujs', verdictArgs));
  const nodeMs = time(() => decideBoot(planBoot({ files, sidecars, pin: '1.3.3' }), {}));
  console.log(`bundle: ${statSync(bundle).size} bytes`);
  console.log(`mujs plan, ${IMAGES} images: ${planMs.toFixed(1)} ms per invocation (mean of ${RUNS})`);
  console.log(`mujs verdict, ${IMAGES} images: ${verdictMs.toFixed(1)} ms per invocation (mean of ${RUNS})`);
  console.log(`node planBoot+decideBoot, ${IMAGES} images: ${nodeMs.toFixed(3)} ms (in-process)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
