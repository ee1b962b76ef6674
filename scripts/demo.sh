#!/usr/bin/env bash
# The main job: install, build, and boot the default platform (virt).
#
#   scripts/demo.sh          the bundled demo program, which prints on the UART
#                            and exits through the SiFive test finisher
#   scripts/demo.sh linux    Debian's OpenSBI and riscv64 kernel with a busybox
#                            initramfs (fetched from the Debian archive by
#                            scripts/guest-image.py, ~113 MB once) to a shell on
#                            the console; `poweroff -f` ends it
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  "" | linux) ;;
  *)
    echo "usage: scripts/demo.sh [linux]" >&2
    exit 2
    ;;
esac
scripts/install-deps.sh
scripts/build.sh
if [ "${1:-}" = linux ]; then
  python3 scripts/guest-image.py --allow-stale-index build/guest
  exec build/silica run --stats -m 512M --smp 2 \
    --bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin \
    --kernel build/guest/Image --initrd build/guest/initramfs.cpio.gz \
    --drive build/guest/disk.img,snapshot=on --append "console=ttyS0 quiet"
fi
exec build/silica run --stats build/tests/programs/hello.elf
