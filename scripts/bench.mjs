#!/usr/bin/env node
// Runs every benchmark in bench/ one after another (they compete for the same disk and cores otherwise).
// `npm run bench -- fat` runs only the ones whose file name contains "fat".
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const filter = process.argv[2] ?? '';
const files = readdirSync('bench')
  .filter((name) => /\.bench\.(ts|mjs)$/.test(name) && name.includes(filter))
  .sort();
let failures = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const run = spawnSync('npx', ['tsx', `bench/${file}`], { stdio: 'inherit' });
  if (run.status !== 0) failures += 1;
}
console.log(`\n${files.length} benchmark(s) run, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
