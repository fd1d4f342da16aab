#!/usr/bin/env bash
# scripts/setup.sh — everything a fresh Debian 12 (bookworm) machine needs, run as root. Idempotent.
#
# 1. System packages (apt-get update first): compilers, cmake, libuv, and the libraries libnode links;
#    clang + lld build the resampler's WebAssembly kernel (scripts/build-wasm.sh), libspeexdsp-dev the
#    bench's reference resampler.
# 2. Debian's libnode108 / libnode-dev (Node 18, the runtime embedded in FreeSWITCH). Where Debian's
#    own nodejs is installed, `apt-get install libnode-dev` works and is used. Where another Node owns
#    the machine (nodesource's Node 20 here), libnode-dev cannot be installed beside it (node-acorn
#    depends on Debian's nodejs), so the .debs are downloaded and unpacked into .deps/libnode, and
#    the four JS files libnode loads at run time from /usr/share/nodejs are copied there. The
#    machine's Node is never replaced.
# 3. npm ci (strict: a lock file npm refuses stops the setup), then the TypeScript build (the ESL
#    client package in packages/esl first), the bridge addon and the native targets.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
deps=$root/.deps
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
  echo "setup.sh installs system packages: run it as root (or with sudo)." >&2
  exit 1
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Node.js >= 20 with npm is needed for the tooling (e.g. nodesource's nodejs 20)." >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "The tooling needs Node.js >= 20 (found $(node --version)); the embedded runtime is libnode 18 either way." >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
say "apt-get update"
apt-get update -qq
say "system packages"
apt-get install -y -qq --no-install-recommends \
  build-essential cmake pkg-config python3 ca-certificates \
  libuv1-dev libssl-dev libicu72 libc-ares2 libnghttp2-14 libbrotli1 zlib1g \
  libspeexdsp-dev clang lld >/dev/null

libnode_root=
if [ -f /usr/include/node/node_version.h ] && grep -q 'define NODE_MODULE_VERSION 108' /usr/include/node/node_version.h \
   && ls /usr/lib/*/libnode.so.108 >/dev/null 2>&1; then
  libnode_root=/
  say "libnode 18 already installed system-wide"
elif dpkg-query -W -f='${Version}' nodejs 2>/dev/null | grep -q 'dfsg'; then
  say "Debian's nodejs is installed: apt-get install libnode-dev"
  apt-get install -y -qq libnode-dev >/dev/null
  libnode_root=/
else
  libnode_root=$deps/libnode
  if [ ! -e "$libnode_root/usr/include/node/node.h" ] || ! ls "$libnode_root"/usr/lib/*/libnode.so.108 >/dev/null 2>&1; then
    say "downloading Debian's libnode108, libnode-dev and their run-time JS packages (another Node owns this machine)"
    rm -rf "$deps/debs" "$libnode_root"
    mkdir -p "$deps/debs" "$libnode_root"
    (cd "$deps/debs" && apt-get download -qq libnode108 libnode-dev node-acorn node-cjs-module-lexer node-undici 2>&1 \
      | grep -v 'unsandboxed' || true)
    for deb in "$deps"/debs/*.deb; do dpkg-deb -x "$deb" "$libnode_root"; done
  fi
  # libnode loads acorn, acorn-walk, cjs-module-lexer and undici from these fixed paths at run time;
  # without them creating an Environment aborts the whole process.
  mkdir -p /usr/share/nodejs
  for pkg in acorn acorn-walk cjs-module-lexer undici; do
    if [ ! -e "/usr/share/nodejs/$pkg" ]; then
      cp -a "$libnode_root/usr/share/nodejs/$pkg" /usr/share/nodejs/
    fi
  done
fi
for f in acorn/dist/acorn.js acorn-walk/dist/walk.js cjs-module-lexer/lexer.js cjs-module-lexer/dist/lexer.js undici/undici-fetch.js; do
  [ -e "/usr/share/nodejs/$f" ] || { echo "missing /usr/share/nodejs/$f (libnode would abort)" >&2; exit 1; }
done

say "npm ci"
# The lock file lists every platform's optional packages (rollup's and esbuild's native builds), so
# npm ci accepts it on any machine; if it still refuses, stop here: an install that quietly differs
# from the lock is not reproducible.
if ! (cd "$root" && npm ci --no-audit --no-fund --loglevel=error); then
  echo "setup.sh: npm ci failed (see above); fix package-lock.json (npm install --package-lock-only) instead of installing around it" >&2
  exit 1
fi
say "build: WebAssembly kernel, TypeScript, bridge addon, runtime + host simulator"
(cd "$root" && npm run -s build:wasm && npm run -s build:ts && npm run -s build:addon >/dev/null \
  && CMAKE_ARGS="-DLIBNODE_ROOT=$libnode_root" npm run -s build:native)
say "done"
