// How `npm run package` (scripts/package.mjs) packs the desktop app with electron-builder: Linux AppImage
// and .deb, Windows NSIS, macOS dmg. scripts/package.mjs compiles the app into a stage folder first; the
// package mirrors the checkout's layout (electron/, shared/, assets/, dist/renderer/ beside package.json),
// so the app finds its assets and pages the way it does from a checkout (core/card/assets.ts).
//
// The privileged writer (electron/core/writer/helper.js) runs as a separate process — Electron's binary with
// ELECTRON_RUN_AS_NODE=1, elevated through pkexec, the macOS prompt or UAC — so it and everything it loads
// (the core, shared/, the loader and SYSLINUX assets, the npm packages, package.json for "type": "module")
// are unpacked beside app.asar: plain files a plain Node process can run, without asar support.
// drivelist's native module is unpacked with node_modules; it uses Node-API, so the build npm made for
// Node runs under Electron too, and nothing is rebuilt (which would download Electron's headers).
// Each platform's package is made on that platform, since drivelist.node is built for the machine it is on.

/** The compiled app's stage, in the checkout: electron-builder matches asarUnpack against project paths. */
export const STAGE = 'dist/package-stage';

/** @param {{ output: string, electronDist: string }} where */
export function builderConfig({ output, electronDist }) {
  const stage = STAGE;
  return {
    appId: 'io.github.astcard',
    productName: 'astcard',
    executableName: 'astcard',
    copyright: 'astcard contributors, MIT licence',
    electronDist,
    npmRebuild: false,
    // package.json has no "main" (the checkout runs dist/electron/main.js); the package's main is here.
    extraMetadata: { main: 'electron/main.js' },
    directories: { output, buildResources: 'assets/icons' },
    files: [
      'package.json',
      { from: `${stage}/electron`, to: 'electron', filter: ['**/*.js', '**/*.cjs'] },
      { from: `${stage}/shared`, to: 'shared', filter: ['**/*.js'] },
      { from: `${stage}/renderer`, to: 'dist/renderer', filter: ['**/*', '!**/*.map'] },
      'assets/icons/**',
      'assets/loader/**',
      'assets/syslinux/**',
      '!**/*.map',
    ],
    asar: true,
    asarUnpack: [
      'package.json',
      `${stage}/electron/core/**`,
      `${stage}/shared/**`,
      'assets/loader/**',
      'assets/syslinux/**',
      'node_modules/**',
    ],
    // No file associations: .img is every disk image's name, and opening a file from the desktop is not
    // something the app does (it opens cards, and images from inside Prepare).
    linux: {
      target: ['AppImage', 'deb'],
      category: 'Utility',
      icon: 'assets/icons/icon.png',
      synopsis: 'Prepare, boot and upgrade AstLinux cards',
      description:
        'Prepares, checks and upgrades the CompactFlash cards and USB sticks that AstLinux boots from.',
      maintainer: 'astcard contributors',
    },
    win: { target: ['nsis'], icon: 'assets/icons/icon.png' },
    nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
    mac: { target: ['dmg'], category: 'public.app-category.utilities', icon: 'assets/icons/icon.png' },
    publish: null,
  };
}
