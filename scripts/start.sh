#!/usr/bin/env bash
# `npm start`: the astcard app. Its own window (Electron) where one can open; otherwise the same app in the
# web browser (`astcard ui`, served on 127.0.0.1 only), saying which and why. First it sets up what is
# missing or older than the sources: npm dependencies, the build, the loader and SYSLINUX assets.
# Arguments run the astcard command line instead: `npm start -- inspect card.img`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ]; then
  # Where Electron's binary cannot be downloaded, install without it; the browser mode does not need it.
  npm ci --no-audit --no-fund || ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

# True when $1 is missing or any source under the other arguments changed after it was built, so a
# checkout that was just updated runs what it now holds.
stale() {
  local built=$1
  shift
  [ ! -e "$built" ] && return 0
  [ -n "$(find "$@" -type f \( -name '*.ts' -o -name '*.cts' -o -name '*.tsx' -o -name '*.css' -o -name '*.html' \) -newer "$built" -print -quit)" ]
}

cli=$(node -p 'require("./package.json").bin.astcard')
if stale "$cli" electron shared; then npm run build >&2; fi
if stale dist/renderer/index.html renderer shared; then npm run build:renderer >&2; fi
[ -f assets/syslinux/manifest.json ] || npm run build:syslinux >&2
[ -f assets/loader/manifest.json ] || npm run build:loader >&2

if [ $# -gt 0 ]; then
  exec node "$cli" "$@"
fi

# node_modules/electron names its binary once the binary is installed, and throws otherwise.
electron_bin=$(node -e 'try { const p = require("electron"); if (typeof p === "string") console.log(p) } catch {}' 2>/dev/null || true)
why=''
case "$(uname -s)" in
  Darwin | MINGW* | MSYS* | CYGWIN*) ;;
  *) [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || why='there is no display here (DISPLAY and WAYLAND_DISPLAY are not set)' ;;
esac
if [ -z "$why" ] && { [ -z "$electron_bin" ] || [ ! -x "$electron_bin" ]; }; then
  why="Electron's program is not installed here (npm installed it with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or could not download it)"
fi
if [ -z "$why" ] && [ ! -f dist/electron/main.js ]; then
  why='the desktop app is not built (dist/electron/main.js is missing)'
fi

if [ -z "$why" ]; then
  echo 'Starting the astcard desktop app (Electron).' >&2
  exec "$electron_bin" dist/electron/main.js
fi
echo "Starting astcard in your web browser instead of its own window: $why." >&2
exec node "$cli" ui
