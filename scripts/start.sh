#!/usr/bin/env bash
# Sets up the project (npm dependencies, build, loader and SYSLINUX assets) and starts astcard:
# the desktop app where a display and Electron's binary exist, otherwise the astcard CLI.
# Arguments are passed to the CLI: `npm start -- inspect card.img`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ]; then
  # Where Electron's binary cannot be downloaded, install without it; the CLI does not need it.
  npm ci --no-audit --no-fund || ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
[ -f dist/electron/cli/astcard.js ] || npm run build
[ -f dist/renderer/index.html ] || npm run build:renderer
[ -f assets/syslinux/manifest.json ] || npm run build:syslinux
[ -f assets/loader/manifest.json ] || npm run build:loader

electron_bin=$(node -e 'try { console.log(require("electron")) } catch { }' 2>/dev/null || true)
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -n "$electron_bin" ] && [ -x "$electron_bin" ] && [ -f dist/electron/main.js ]; then
  exec "$electron_bin" dist/electron/main.js
fi
if [ $# -eq 0 ]; then
  echo "No display or no Electron binary here: starting the astcard command line instead." >&2
  set -- --help
fi
exec node dist/electron/cli/astcard.js "$@"
