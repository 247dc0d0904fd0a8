#!/usr/bin/env node
// Builds the AstLinux loader from Debian packages: writes assets/loader/bzImage (Debian's kernel),
// assets/loader/loader.img (our initramfs) and assets/loader/manifest.json (what went in, with digests).
//
//   node loader/build.mjs [--compression zstd|xz|gzip] [--out assets/loader] [--cache .cache/debian]
//
// zstd by default (see buildLoader for why).
//
// Needs apt-get (with current lists), dpkg-deb, ldd, modprobe and depmod (kmod), cpio and the compressor on the PATH; runs
// as root or not. Packages are cached in .cache/debian/ by version; the boot plan and the signature check
// are rebuilt from shared/ (scripts/build-shared-es5.mjs makes both bundles).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stageBusybox } from '../scripts/lib/debian-busybox.mjs';
import { packInitramfs } from '../scripts/lib/debian-initramfs.mjs';
import { sharedLibrariesOf } from '../scripts/lib/debian-libraries.mjs';
import { stageModules } from '../scripts/lib/debian-modules.mjs';
import { dependencyClosure, fetchPackage, resolveKernelPackage } from '../scripts/lib/debian-packages.mjs';
import { ALL_MODULES, CARD_FILESYSTEM_MODULES, IMAGE_FILESYSTEM_MODULES } from './modules.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = resolve(here, '..');

/** Where the boot-plan bundle lives inside the initramfs; the init reads it from here. */
export const PLAN_IN_INITRAMFS = 'usr/share/astcard/astcard-plan.js';
/** The signature check (Ed25519), a bundle of its own: the init runs it only on a card that trusts keys. */
export const SIGNATURES_IN_INITRAMFS = 'usr/share/astcard/astcard-signatures.js';
/** The options reader, the first mujs start of every boot (a bundle of only the option parser). */
export const OPTIONS_IN_INITRAMFS = 'usr/share/astcard/astcard-options.js';
export const INITRAMFS_GOAL_BYTES = 6 * 1024 * 1024;

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function copyExecutable(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  chmodSync(to, 0o755);
}

/**
 * The compiled boot plan: rebuilt from shared/ with scripts/build-shared-es5.mjs so the loader never ships a
 * stale one, unless a file was named explicitly (--plan).
 */
function planBundle(explicit) {
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`the boot plan bundle ${explicit} does not exist`);
    return explicit;
  }
  const bundle = join(projectRoot, 'dist/loader/astcard-plan.js');
  const script = join(projectRoot, 'scripts/build-shared-es5.mjs');
  if (existsSync(script)) execFileSync(process.execPath, [script], { cwd: projectRoot, stdio: 'inherit' });
  if (!existsSync(bundle)) {
    throw new Error(
      `the boot plan bundle ${bundle} is missing and scripts/build-shared-es5.mjs could not make it`,
    );
  }
  return bundle;
}

/**
 * The signature check bundle, which scripts/build-shared-es5.mjs writes beside the plan bundle (with --plan:
 * beside that file, which must then come from the same build).
 */
function signaturesBundle(planFile) {
  return besidePlan(planFile, 'astcard-signatures.js', 'signature check');
}

/** The options reader's bundle, beside the plan bundle like the signature check's. */
function optionsBundle(planFile) {
  return besidePlan(planFile, 'astcard-options.js', 'options');
}

function besidePlan(planFile, name, what) {
  const bundle = join(dirname(planFile), name);
  if (!existsSync(bundle)) {
    throw new Error(`the ${what} bundle ${bundle} is missing: build it with scripts/build-shared-es5.mjs`);
  }
  return bundle;
}

/**
 * @param {{ outDir?: string, cacheDir?: string, compression?: 'xz' | 'gzip' | 'zstd', planFile?: string, log?: (line: string) => void }} [options]
 */
export function buildLoader(options = {}) {
  const outDir = resolve(options.outDir ?? join(projectRoot, 'assets/loader'));
  const cacheDir = resolve(options.cacheDir ?? join(projectRoot, '.cache/debian'));
  // zstd over xz: under TCG the kernel unpacks it in 0.4 s against xz's 1.5 s, for 0.8 MB more to read, and
  // -19 keeps its window (what the kernel allocates to unpack) at 8 MiB.
  const compression = options.compression ?? 'zstd';
  const log = options.log ?? ((line) => console.log(`build:loader: ${line}`));
  const planFile = planBundle(options.planFile && resolve(options.planFile));
  const signaturesFile = signaturesBundle(planFile);
  const optionsFile = optionsBundle(planFile);

  const kernel = resolveKernelPackage();
  log(`kernel package ${kernel.package}`);
  const libraryNames = dependencyClosure(['kexec-tools', 'mujs'], (name) => name.startsWith('lib'));
  const packages = new Map();
  for (const name of [kernel.package, 'busybox-static', 'kexec-tools', 'mujs', ...libraryNames]) {
    packages.set(name, fetchPackage(name, cacheDir));
  }
  const kernelPkg = packages.get(kernel.package);

  const stage = join(dirname(cacheDir), 'loader-stage');
  rmSync(stage, { recursive: true, force: true });
  for (const dir of ['dev', 'proc', 'sys', 'run', 'tmp', 'mnt', 'etc/astcard'])
    mkdirSync(join(stage, dir), { recursive: true });

  const applets = stageBusybox(packages.get('busybox-static').root, stage);
  log(`busybox with ${applets} applets`);

  const used = new Set([kernel.package, 'busybox-static', 'kexec-tools', 'mujs']);
  const libraryPackages = libraryNames.map((name) => packages.get(name));
  const binaries = [
    [join(packages.get('kexec-tools').root, 'sbin/kexec'), 'sbin/kexec'],
    [join(packages.get('mujs').root, 'usr/bin/mujs'), 'usr/bin/mujs'],
  ];
  const libraries = new Map();
  for (const [from, to] of binaries) {
    copyExecutable(from, join(stage, to));
    for (const lib of sharedLibrariesOf(from, libraryPackages)) libraries.set(lib.soname, lib);
  }
  for (const lib of [...libraries.values()].sort((a, b) => a.soname.localeCompare(b.soname))) {
    copyExecutable(lib.file, join(stage, 'lib/x86_64-linux-gnu', lib.soname));
    used.add(lib.package);
  }
  mkdirSync(join(stage, 'lib64'), { recursive: true });
  symlinkSync('../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', join(stage, 'lib64/ld-linux-x86-64.so.2'));
  log(`libraries: ${[...libraries.keys()].sort().join(' ')}`);

  const modules = stageModules(kernelPkg.root, kernel.release, ALL_MODULES, stage);
  log(`${modules.length} kernel modules`);
  writeFileSync(join(stage, 'etc/astcard/modules.card'), `${CARD_FILESYSTEM_MODULES.join('\n')}\n`);
  writeFileSync(join(stage, 'etc/astcard/modules.image'), `${IMAGE_FILESYSTEM_MODULES.join('\n')}\n`);

  copyExecutable(join(here, 'init'), join(stage, 'init'));
  mkdirSync(dirname(join(stage, PLAN_IN_INITRAMFS)), { recursive: true });
  copyFileSync(planFile, join(stage, PLAN_IN_INITRAMFS));
  copyFileSync(signaturesFile, join(stage, SIGNATURES_IN_INITRAMFS));
  copyFileSync(optionsFile, join(stage, OPTIONS_IN_INITRAMFS));
  // Sourced by init only when astlinux.source names a network source.
  copyExecutable(join(here, 'network.sh'), join(dirname(join(stage, PLAN_IN_INITRAMFS)), 'network.sh'));
  const version = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).version;
  writeFileSync(join(stage, 'etc/astcard/loader-version'), `${version}\n`);

  mkdirSync(outDir, { recursive: true });
  const initramfs = join(outDir, 'loader.img');
  const initramfsBytes = packInitramfs(stage, initramfs, { compression });
  const bzImage = join(outDir, 'bzImage');
  copyFileSync(join(kernelPkg.root, 'boot', `vmlinuz-${kernel.release}`), bzImage);
  log(
    `loader.img ${initramfsBytes} bytes (${compression})${initramfsBytes > INITRAMFS_GOAL_BYTES ? ' — over the 6 MB goal' : ''}`,
  );

  const manifest = {
    loaderVersion: version,
    kernelRelease: kernel.release,
    compression,
    files: {
      bzImage: { bytes: readFileSync(bzImage).length, sha256: sha256(bzImage) },
      'loader.img': { bytes: initramfsBytes, sha256: sha256(initramfs) },
    },
    plan: { file: PLAN_IN_INITRAMFS, sha256: sha256(planFile) },
    signatures: { file: SIGNATURES_IN_INITRAMFS, sha256: sha256(signaturesFile) },
    options: { file: OPTIONS_IN_INITRAMFS, sha256: sha256(optionsFile) },
    packages: [...used].sort().map((name) => {
      const pkg = packages.get(name);
      return { name, version: pkg.version, deb: basename(pkg.file), sha256: pkg.sha256 };
    }),
    libraries: [...libraries.keys()].sort(),
    modules,
  };
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { outDir, manifest, stage };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const option = (name) => {
    const index = args.indexOf(`--${name}`);
    return index >= 0 ? args[index + 1] : undefined;
  };
  try {
    buildLoader({
      outDir: option('out'),
      cacheDir: option('cache'),
      compression: option('compression'),
      planFile: option('plan'),
    });
  } catch (error) {
    console.error(`build:loader: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}
