#!/usr/bin/env node
// Builds dist/loader/astcard-plan.js: shared/ and loader/plan/ compiled to ES5 and bundled into one
// self-contained script that Debian's mujs runs inside the loader. No dependencies beyond TypeScript.
//
// Usage: node scripts/build-shared-es5.mjs [--out <file>]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outArgument = process.argv.indexOf('--out');
const outFile =
  outArgument > 0
    ? resolve(process.argv[outArgument + 1] ?? '')
    : join(root, 'dist', 'loader', 'astcard-plan.js');
// The intermediate CommonJS modules sit next to the bundle, so a build into a temp dir touches nothing else.
const emitDir = join(dirname(outFile), 'plan-es5');
const entry = 'loader/plan/main';
const library = 'shared/index';

function tsc(...args) {
  const compiler = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [compiler, ...args], { cwd: root, stdio: 'inherit' });
}

function listJs(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...listJs(path));
    else if (name.endsWith('.js')) found.push(path);
  }
  return found.sort();
}

// The shim: module ids are paths from the repository root without `.js`; requires are relative.
const SHIM = `
  var cache = {};
  function resolveId(from, request) {
    var parts = from.split('/');
    parts.pop();
    var steps = request.replace(/\\.js$/, '').split('/');
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] === '..') parts.pop();
      else if (steps[i] !== '.') parts.push(steps[i]);
    }
    return parts.join('/');
  }
  function requireModule(id) {
    if (cache[id]) return cache[id].exports;
    var define = modules[id];
    if (!define) throw new Error('astcard-plan: no module ' + id);
    var module = { exports: {} };
    cache[id] = module;
    define(module.exports, function (request) { return requireModule(resolveId(id, request)); }, module);
    return module.exports;
  }`;

function bundle() {
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const modules = listJs(emitDir).map((path) => {
    const id = relative(emitDir, path).split(sep).join('/').replace(/\.js$/, '');
    const body = readFileSync(path, 'utf8').replace(/\r\n/g, '\n').trimEnd();
    return `  ${JSON.stringify(id)}: function (exports, require, module) {\n${body}\n  }`;
  });
  return [
    '// astcard-plan.js: the boot policy for the loader, built by scripts/build-shared-es5.mjs',
    '// from shared/ and loader/plan/ (ES5, for mujs). Generated; do not edit.',
    `var ASTCARD_LOADER_VERSION = ${JSON.stringify(version)};`,
    'var astcard = (function () {',
    '  var modules = {',
    modules.join(',\n'),
    '  };',
    SHIM,
    `  return { require: requireModule, shared: requireModule(${JSON.stringify(library)}) };`,
    '})();',
    '// A test harness sets ASTCARD_LIBRARY_ONLY before loading this file to get the library alone.',
    `if (typeof ASTCARD_LIBRARY_ONLY === 'undefined') astcard.require(${JSON.stringify(entry)});`,
    '',
  ].join('\n');
}

rmSync(emitDir, { recursive: true, force: true });
tsc('-p', 'shared/tsconfig.es5.json', '--noEmit');
tsc('-p', 'loader/plan/tsconfig.json', '--outDir', emitDir);
mkdirSync(dirname(outFile), { recursive: true });
const text = bundle();
writeFileSync(outFile, text);
console.log(`astcard-plan: wrote ${outFile} (${text.length} bytes)`);
