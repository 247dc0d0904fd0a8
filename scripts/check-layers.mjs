#!/usr/bin/env node
// The layers are folders, and this check keeps the arrows pointing one way:
//   renderer -> shared <- electron/core <- {electron/service, electron/cli, the writer helper}
//   electron/window (Electron's main-process glue) -> electron/service; electron/main.ts -> all three
//   electron/cli -> electron/service too (`astcard ui` serves the app's window in a browser)
// shared/ runs under mujs in the loader, so it may import nothing but itself. Every TypeScript file of the
// repository falls under exactly one rule (the most specific folder wins); a file under none fails the check.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const anything = ['shared', 'loader', 'electron', 'renderer', 'test', 'e2e', 'bench', 'scripts'];
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
    // The API over the core; runs in Electron's main process or in a plain Node server, so never Electron.
    layer: 'electron/service',
    allowed: ['shared', 'electron/core', 'electron/service'],
    builtins: true,
    packages: true,
    banned: ['electron'],
  },
  {
    // The command line; `astcard ui` serves the app's window, so it may start the API (electron/service).
    layer: 'electron/cli',
    allowed: ['shared', 'electron/core', 'electron/service', 'electron/cli'],
    builtins: true,
    packages: true,
    banned: ['electron'],
  },
  {
    // Electron's main-process glue: the window, its IPC, the system's dialogs.
    layer: 'electron/window',
    allowed: ['shared', 'electron/service', 'electron/window'],
    builtins: true,
    packages: true,
  },
  {
    // electron/main.ts and electron/preload.cts: the thin entry points.
    layer: 'electron',
    allowed: ['shared', 'electron/core', 'electron/service', 'electron/window'],
    builtins: true,
    packages: true,
    filesOnly: true,
  },
  {
    layer: 'renderer',
    allowed: ['shared', 'renderer'],
    builtins: false,
    packages: true,
    banned: ['electron'],
  },
  // Tests, benchmarks and build scripts may reach into every layer.
  ...['test', 'e2e', 'bench', 'scripts', 'loader'].map((layer) => ({
    layer,
    allowed: anything,
    builtins: true,
    packages: true,
  })),
];

/** Inside electron/core, a folder may import only the folders before it (and itself, and errors.ts). */
const CORE_ORDER = [
  'block',
  'fat',
  'mbr',
  'syslinux',
  'image-content',
  'settings',
  'signing',
  'card',
  'drives',
  'writer',
  'batch',
  'try',
];

function coreFolder(rel) {
  const match = /^electron\/core\/([^/]+)\//.exec(rel);
  return match ? match[1] : null;
}

/** The rule a file falls under: the deepest layer folder holding it. */
function ruleFor(path) {
  const rel = relative(root, path).split(sep).join('/');
  let best = null;
  for (const rule of rules) {
    const inside = rule.filesOnly
      ? rel.startsWith(`${rule.layer}/`) && !rel.slice(rule.layer.length + 1).includes('/')
      : rel.startsWith(`${rule.layer}/`);
    if (inside && (!best || rule.layer.length > best.layer.length)) best = rule;
  }
  return best;
}

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
    else if (/\.(ts|tsx|mts|cts)$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

const specifiers =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
const problems = [];
const top = readdirSync(root).filter(
  (name) =>
    !name.startsWith('.') &&
    name !== 'node_modules' &&
    name !== 'dist' &&
    statSync(join(root, name)).isDirectory(),
);
for (const file of top.flatMap((dir) => [...sourceFiles(join(root, dir))])) {
  const rule = ruleFor(file);
  const where = relative(root, file);
  if (!rule) {
    problems.push(`${where}: in no layer; add its folder to scripts/check-layers.mjs`);
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(specifiers)) {
    const spec = match[1] ?? match[2] ?? match[3] ?? match[4];
    if (spec.startsWith('.')) {
      const target = relative(root, resolve(file, '..', spec))
        .split(sep)
        .join('/');
      if (!rule.allowed.some((layer) => target === layer || target.startsWith(`${layer}/`))) {
        problems.push(`${where}: imports ${spec} (${target}), outside what ${rule.layer}/ may use`);
      }
      const from = coreFolder(where.split(sep).join('/'));
      const to = coreFolder(target);
      if (from && to && from !== to) {
        const [a, b] = [CORE_ORDER.indexOf(from), CORE_ORDER.indexOf(to)];
        if (a < 0 || b < 0) problems.push(`${where}: core folder ${a < 0 ? from : to} is not in CORE_ORDER`);
        else if (b > a) problems.push(`${where}: core/${from} imports core/${to}, which comes after it`);
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
if (problems.length > 0) {
  console.error(
    `layer check: ${problems.length} import(s) cross a layer boundary:\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
console.log('layer check: every import stays within its layer');
