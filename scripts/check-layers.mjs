#!/usr/bin/env node
// The layers are folders, and this check keeps the arrows pointing one way:
//   renderer -> shared <- electron/core <- {electron main/preload, CLI, helper}
// shared/ runs under mujs in the loader, so it may import nothing but itself.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const rules = [
  { layer: 'shared', allowed: ['shared'], builtins: false, packages: false },
  { layer: 'loader/plan', allowed: ['shared', 'loader/plan'], builtins: false, packages: false },
  {
    layer: 'electron/core',
    allowed: ['shared', 'electron/core'],
    builtins: true,
    packages: true,
    banned: ['electron'],
  },
  {
    layer: 'renderer',
    allowed: ['shared', 'renderer'],
    builtins: false,
    packages: true,
    banned: ['electron'],
  },
];

function* sourceFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

const specifiers =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
const problems = [];
for (const rule of rules) {
  for (const file of sourceFiles(join(root, rule.layer))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(specifiers)) {
      const spec = match[1] ?? match[2] ?? match[3] ?? match[4];
      const where = relative(root, file);
      if (spec.startsWith('.')) {
        const target = relative(root, resolve(file, '..', spec))
          .split(sep)
          .join('/');
        if (!rule.allowed.some((layer) => target === layer || target.startsWith(`${layer}/`))) {
          problems.push(`${where}: imports ${spec} (${target}), outside what ${rule.layer}/ may use`);
        }
      } else if (
        spec.startsWith('node:') ||
        /^(fs|path|os|child_process|crypto|stream|util|events)$/.test(spec)
      ) {
        if (!rule.builtins) problems.push(`${where}: imports the Node built-in ${spec}`);
      } else {
        const pkg = spec.split('/')[0];
        if (!rule.packages) problems.push(`${where}: imports the package ${spec}`);
        else if (rule.banned?.includes(pkg))
          problems.push(`${where}: imports ${spec}, which this layer must not`);
      }
    }
  }
}
if (problems.length > 0) {
  console.error(
    `layer check: ${problems.length} import(s) cross a layer boundary:\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
console.log('layer check: every import stays within its layer');
