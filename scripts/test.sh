#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through ctest.
# Exits non-zero on any failure.
#   ./scripts/test.sh            the default (RelWithDebInfo) build
#   ./scripts/test.sh asan       the AddressSanitizer + UBSan build
set -euo pipefail
export FWSEAL_PRESET=${1:-${FWSEAL_PRESET:-default}}
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
fwseal_setup
exec ctest --preset "$FWSEAL_PRESET" -j2 --timeout 1200
