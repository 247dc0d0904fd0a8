#!/usr/bin/env node
// Builds dist/loader/astcard-plan.js: shared/ and loader/plan/ compiled to ES5 and bundled into one
// self-contained script that Debian's mujs runs inside the loader; and beside it astcard-signatures.js, the
// loader's signature check (Ed25519), from the same compile. No dependencies beyond TypeScript.
//
// Usage: node scripts/build-shared-es5.mjs [--out <file>] [--library]
//
// Each bundle holds only the modules its entry reaches: mujs compiles the whole file at every start, and
// every start is on the boot path. The plan runs at every boot, the signature check only on a card that
// trusts keys, so the plan bundle carries no Ed25519; the options, read first at every boot, have a
// bundle of their own (astcard-options.js) holding only the option parser. --library adds all of shared/
// to the plan bundle (for the tests that run the shared vectors under mujs).
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
const signaturesEntry = 'loader/plan/signatures-main';
/** The signature check's bundle: always beside the plan bundle, whatever --out names it. */
const signaturesFile = join(dirname(outFile), 'astcard-signatures.js');
/** The options reader, the first mujs start of every boot: beside the plan bundle too. */
const optionsEntry = 'loader/plan/options-main';
const optionsFile = join(dirname(outFile), 'astcard-options.js');
const library = 'shared/index';
const withLibrary = process.argv.includes('--library');

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
    if (!define) throw new Error('astcard: no module ' + id);
    var module = { exports: {} };
    cache[id] = module;
    define(module.exports, function (request) { return requireModule(resolveId(id, request)); }, module);
    return module.exports;
  }`;

/** The emitted modules reachable from `roots` by their require() calls, in file order. */
function reachable(roots) {
  const bodies = new Map(
    listJs(emitDir).map((path) => [
      relative(emitDir, path).split(sep).join('/').replace(/\.js$/, ''),
      readFileSync(path, 'utf8').replace(/\r\n/g, '\n').trimEnd(),
    ]),
  );
  const wanted = new Set();
  const visit = (id) => {
    if (wanted.has(id)) return;
    const body = bodies.get(id);
    if (body === undefined) throw new Error(`build-shared-es5: ${id} was not emitted`);
    wanted.add(id);
    for (const match of body.matchAll(/require\("(\.[^"]+)"\)/g)) {
      const target = relative(emitDir, resolve(emitDir, id, '..', match[1].replace(/\.js$/, '')));
      visit(target.split(sep).join('/'));
    }
  };
  for (const id of roots) visit(id);
  return [...bodies].filter(([id]) => wanted.has(id));
}

const moduleText = ([id, body]) =>
  `  ${JSON.stringify(id)}: function (exports, require, module) {\n${body}\n  }`;

function bundle() {
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const modules = reachable(withLibrary ? [entry, library] : [entry]).map(moduleText);
  return [
    '// astcard-plan.js: the boot policy for the loader, built by scripts/build-shared-es5.mjs',
    '// from shared/ and loader/plan/ (ES5, for mujs). Generated; do not edit.',
    `var ASTCARD_LOADER_VERSION = ${JSON.stringify(version)};`,
    'var astcard = (function () {',
    '  var modules = {',
    modules.join(',\n'),
    '  };',
    SHIM,
    withLibrary
      ? `  return { require: requireModule, shared: requireModule(${JSON.stringify(library)}) };`
      : '  return { require: requireModule };',
    '})();',
    '// A test harness sets ASTCARD_LIBRARY_ONLY before loading this file to get the library alone.',
    `if (typeof ASTCARD_LIBRARY_ONLY === 'undefined') astcard.require(${JSON.stringify(entry)});`,
    '',
  ].join('\n');
}

/** A bundle of one entry and what it reaches, run as `mujs <file> ...`. */
function entryBundle(entryId, title) {
  return [
    `// ${title}, built by scripts/build-shared-es5.mjs from`,
    '// shared/ and loader/plan/ (ES5, for mujs). Generated; do not edit.',
    'var astcard = (function () {',
    '  var modules = {',
    reachable([entryId]).map(moduleText).join(',\n'),
    '  };',
    SHIM,
    '  return { require: requireModule };',
    '})();',
    `astcard.require(${JSON.stringify(entryId)});`,
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
const signatures = entryBundle(
  signaturesEntry,
  "astcard-signatures.js: the loader's signature check (run only on a card that trusts keys)",
);
writeFileSync(signaturesFile, signatures);
console.log(`astcard-plan: wrote ${signaturesFile} (${signatures.length} bytes)`);
const options = entryBundle(optionsEntry, "astcard-options.js: the loader's options, read at every boot");
writeFileSync(optionsFile, options);
console.log(`astcard-plan: wrote ${optionsFile} (${options.length} bytes)`);
