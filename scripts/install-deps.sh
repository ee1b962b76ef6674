#!/usr/bin/env bash
# Installs every Debian 12 package silica needs to build, test and benchmark.
# Safe to run again; skips apt when everything is already there.
set -euo pipefail

PACKAGES=(
  # build
  cmake ninja-build g++ python3 pkg-config
  # libraries (README.md says why each is here)
  libsystemc-dev libboost-graph-dev libgtest-dev libgmock-dev libcli11-dev libelf-dev libxbyak-dev
  # execution traces: zstd for the binary format, its Python reader, and
  # GraphViz to check (and look at) silica-trace's control-flow graphs
  libzstd-dev python3-zstandard graphviz
  # device trees: libfdt builds and checks the DTB, dtc shows it as text
  libfdt-dev device-tree-compiler
  # RISC-V guest programs and the reference simulator
  gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf
  qemu-system-misc
  # boot tests (tests/boot): the firmware and boot loader they boot, and
  # gpgv + the archive keyring that scripts/guest-image.py checks Release with
  opensbi u-boot-qemu gpgv debian-archive-keyring
  # the gdbstub's tests: a RISC-V-capable gdb for tests/gdb, and clang with
  # its libFuzzer runtime for tests/fuzz (g++ has no libFuzzer)
  gdb-multiarch clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "silica: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
