#!/usr/bin/env bash
# Builds the CMake targets (runtime, host simulator, native self-test, FreeSWITCH module where found).
# OAIR_ASAN=1 builds a separate AddressSanitizer tree in build-asan/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${OAIR_ASAN:-0}" = "1" ]; then dir=$root/build-asan; asan=ON; else dir=$root/build-native; asan=OFF; fi
mkdir -p "$(dirname "$dir")"
cmake -S "$root" -B "$dir" -DOAIR_ASAN=$asan ${CMAKE_ARGS:-} > "$dir.cmake.log" 2>&1 || { cat "$dir.cmake.log"; exit 1; }
grep -E 'libnode:|FreeSWITCH' "$dir.cmake.log" || true
cmake --build "$dir" -j"$(nproc)"
