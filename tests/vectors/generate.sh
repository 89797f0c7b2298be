#!/bin/sh
# Rebuilds the conformance vectors: tests/vectors/{valid,invalid}/*.fwpkg, the
# trust files, vectors.json, and the rule/vector table at the end of
# docs/FORMAT.md. Run by hand after changing tests/vectors/gen/; the build
# never runs it. Commit what it writes.
#
#   tests/vectors/generate.sh [BUILD_DIR]     (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}

cmake --build "$build" --target fwseal-vectors-gen -- -j2
"$build/tests/fwseal-vectors-gen" "$here" "$root/docs/FORMAT.md"
