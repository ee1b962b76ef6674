#!/usr/bin/env bash
# The main job: install, build, and boot the default platform (virt) with the
# bundled demo program, which prints on the UART and exits through the
# SiFive test finisher.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/silica run --stats build/tests/programs/hello.elf
