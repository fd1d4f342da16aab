#!/usr/bin/env bash
# scripts/package-deb.sh (npm run package) — builds freeswitch-mod-openai-realtime_<version>_<arch>.deb
# with dpkg-deb: the module, the runtime bundle, a private libnode 18 with the JS files it loads
# (cmake/OairInstall.cmake), and the sample openai_realtime.conf.xml as a conffile (dpkg never
# overwrites an operator's edited copy). Depends only on Debian packages, found from what the
# binaries really link (dpkg -S on ldd's answers).
#
#   npm run package [-- --layout signalwire|source] [--out DIR] [--build-dir DIR] [--no-module]
#                      [--compression xz|gzip]   (xz, the default, is smaller; gzip is faster, for tests)
#                      [--no-ts-build]           (use dist/ as it is: tests, which must not rewrite it under
#                                                 other tests reading it)
#
#   --layout signalwire  (default) SignalWire's FreeSWITCH packages: /usr/lib/freeswitch/mod,
#                        /etc/freeswitch; bundle and private libnode in /usr/lib/mod_openai_realtime;
#                        Depends on libfreeswitch1.
#   --layout source      a FreeSWITCH built from source: the directories `pkg-config freeswitch` gives
#                        (e.g. /usr/local/freeswitch/...), bundle in <prefix>/share/mod_openai_realtime.
#   --no-module          without mod_openai_realtime.so (no FreeSWITCH headers needed): a test package
#                        named freeswitch-mod-openai-realtime-nomodule, to check the layout (CI has no
#                        FreeSWITCH). It cannot be loaded into FreeSWITCH.
#
# The module needs FreeSWITCH's development files (pkg-config freeswitch): set PKG_CONFIG_PATH for a
# source build (/usr/local/freeswitch/lib/pkgconfig) or install libfreeswitch-dev.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "npm run package: $*" >&2; exit 1; }

layout=signalwire
out=$root/out
build=
module=1
compression=xz
ts_build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --layout) layout=${2:-}; shift 2 ;;
    --out) out=${2:-}; shift 2 ;;
    --build-dir) build=${2:-}; shift 2 ;;
    --no-module) module=0; shift ;;
    --compression) compression=${2:-}; shift 2 ;;
    --no-ts-build) ts_build=0; shift ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (--layout signalwire|source, --out DIR, --build-dir DIR, --no-module, --compression xz|gzip)" ;;
  esac
done
case "$layout" in signalwire|source) ;; *) die "--layout must be signalwire or source, got '$layout'" ;; esac
case "$compression" in xz|gzip) ;; *) die "--compression must be xz or gzip, got '$compression'" ;; esac
command -v dpkg-deb >/dev/null || die "dpkg-deb not found (Debian's dpkg package)"
command -v cmake >/dev/null || die "cmake not found: run scripts/setup.sh first"

name=freeswitch-mod-openai-realtime
if [ "$module" = 1 ]; then
  pkg-config --exists freeswitch 2>/dev/null \
    || die "FreeSWITCH development files not found by pkg-config: set PKG_CONFIG_PATH=/usr/local/freeswitch/lib/pkgconfig (source build) or install libfreeswitch-dev; --no-module builds a layout-only test package"
else
  name=$name-nomodule
fi
version=$(node -p "require('$root/package.json').version")
arch=$(dpkg --print-architecture)
[ -n "$build" ] || build=$root/build-package/$layout$([ "$module" = 1 ] || echo -nomodule)
libnode_root=$(sed -n 's/^LIBNODE_ROOT:PATH=//p' "$root/build-native/CMakeCache.txt" 2>/dev/null || true)
[ -n "$libnode_root" ] || libnode_root=$root/.deps/libnode

# Directories per layout (cmake/OairLayout.cmake explains each).
if [ "$layout" = signalwire ]; then
  dirs=(-DOAIR_FS_MODULESDIR=/usr/lib/freeswitch/mod -DOAIR_FS_CONFDIR=/etc/freeswitch -DOAIR_BUNDLE_DIR=/usr/lib/mod_openai_realtime)
elif [ "$module" = 1 ]; then
  prefix=$(pkg-config --variable=prefix freeswitch)
  dirs=(-DOAIR_BUNDLE_DIR="$prefix/share/mod_openai_realtime")
else
  dirs=(-DOAIR_FS_MODULESDIR=/usr/local/freeswitch/mod -DOAIR_FS_CONFDIR=/usr/local/freeswitch/conf
        -DOAIR_BUNDLE_DIR=/usr/local/freeswitch/share/mod_openai_realtime)
fi

if [ "$ts_build" = 1 ]; then
  echo "[package] TypeScript build"
  (cd "$root" && npm run -s build:ts)
fi
[ -f "$root/dist/main.js" ] || die "dist/main.js missing: npm run build:ts first"
echo "[package] cmake ($layout layout$([ "$module" = 1 ] || echo ', no module')) in $build"
rm -rf "$build"
mkdir -p "$(dirname "$build")"
cmake_env=()
# Without the module, FreeSWITCH must not be found even if it is installed here.
[ "$module" = 1 ] || cmake_env=(env PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=/nonexistent)
"${cmake_env[@]}" cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIBNODE_ROOT="$libnode_root" \
  -DOAIR_PRIVATE_LIBNODE=ON -DOAIR_CONFIG_SAMPLE=ON "${dirs[@]}" >"$build.cmake.log" 2>&1 \
  || { cat "$build.cmake.log" >&2; die "cmake configure failed"; }
if [ "$module" = 1 ]; then
  grep -q 'building mod_openai_realtime.so' "$build.cmake.log" || die "cmake did not find FreeSWITCH (see $build.cmake.log)"
  nice cmake --build "$build" -j"$(nproc)" --target mod_openai_realtime >/dev/null
fi

stage=$build/stage
rm -rf "$stage"
DESTDIR=$stage cmake --install "$build" >/dev/null
modfile=$(find "$stage" -name mod_openai_realtime.so -print -quit)
[ -z "$modfile" ] || strip --strip-unneeded "$modfile"

# Depends: the Debian package of every library the binaries link directly (their NEEDED entries,
# resolved by ldd) from the system: not the private libnode, not libfreeswitch (FreeSWITCH's own).
needed_paths() {
  local sonames
  sonames=$(readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  ldd "$1" | awk -v list="$sonames" 'BEGIN { n = split(list, s, "\n"); for (i = 1; i <= n; i++) want[s[i]] = 1 }
    /=>/ && ($1 in want) && $3 ~ /^\// { print $3 }'
}
deps=()
for bin in $modfile $(find "$stage" -name libnode.so.108); do
  while read -r lib; do
    case "$lib" in "$stage"/*|*libfreeswitch*|"") continue ;; esac
    owner=
    for p in "$lib" "$(readlink -f "$lib")" "/usr${lib#/usr}" "${lib/#\/lib/\/usr\/lib}"; do
      owner=$(dpkg -S "$p" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$owner" ] && break
    done
    [ -n "$owner" ] || die "no Debian package owns $lib (needed by $(basename "$bin"))"
    deps+=("$owner")
  done < <(needed_paths "$bin")
done
depends=$(printf '%s\n' "${deps[@]}" | sort -u | paste -sd, | sed 's/,/, /g')
[ "$layout" = signalwire ] && [ "$module" = 1 ] && depends="$depends, libfreeswitch1"

conffile=$(cd "$stage" && find . -path '*/autoload_configs/openai_realtime.conf.xml' | sed 's|^\.||')
mkdir -p "$stage/DEBIAN"
echo "$conffile" > "$stage/DEBIAN/conffiles"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: $name
Version: $version
Architecture: $arch
Section: comm
Priority: optional
Maintainer: mod_openai_realtime maintainers <mod-openai-realtime@localhost>
Depends: $depends
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Description: FreeSWITCH <-> OpenAI Realtime bridge (mod_openai_realtime)
 A FreeSWITCH module that streams calls to the OpenAI Realtime API: uuid_openai_audio_stream and
 uuid_openai_s2s, barge-in, tools, profiles. Ships its own libnode 18 (the runtime it embeds)
 and the JavaScript files libnode loads, so the host's Node.js, if any, is left alone.
 Layout: $layout$([ "$module" = 1 ] || printf '\n .\n Test package built without mod_openai_realtime.so (--no-module): not loadable.')
CONTROL

mkdir -p "$out"
deb=$out/${name}_${version}_${arch}.deb
dpkg-deb --root-owner-group -Z"$compression" --build "$stage" "$deb" >/dev/null
echo "[package] $deb"
echo "[package] module: ${modfile#"$stage"}; config (conffile): $conffile"
echo "[package] Depends: $depends"
