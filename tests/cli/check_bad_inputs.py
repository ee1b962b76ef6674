#!/usr/bin/env python3
"""Bad input gets one clear line on stderr and exit status 2: never a crash,
a backtrace or silent success. Each case names what it feeds silica and a
fragment the message must contain (the file, line or address at fault).

    check_bad_inputs.py --silica build/silica --elf build/tests/programs/hello.elf
"""
import argparse
import os
import subprocess
import sys
import tempfile

CRASH_SIGNS = ("terminate called", "Aborted", "Segmentation", "core dumped", "Traceback")


def run(silica, args, tmp):
    # `silica run --no-progress ARGS`, or `silica replay ...` as given.
    cmd = [silica] + args if args[:1] == ["replay"] else [silica, "run", "--no-progress"] + args
    proc = subprocess.run(cmd, cwd=tmp,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--silica", required=True)
    ap.add_argument("--elf", required=True, help="a good RISC-V ELF to corrupt and reuse")
    args = ap.parse_args()
    silica = os.path.abspath(args.silica)
    elf = os.path.abspath(args.elf)
    with tempfile.TemporaryDirectory() as tmp:
        def write(name, data, mode="w"):
            path = os.path.join(tmp, name)
            with open(path, mode) as f:
                f.write(data)
            return path

        with open(elf, "rb") as f:
            good = f.read()
        truncated = write("truncated.elf", good[:200], "wb")
        garbage = write("garbage.elf", bytes(range(256)) * 4, "wb")
        overlap = write("overlap.platform", "\n".join([
            "component riscv_hart hart0 isa=rv64imac_zicsr_zifencei",
            "component memory ram size=1M",
            "component memory rom size=64K",
            "map ram 0x80000000 0x100000",
            "map rom 0x800f0000 0x10000",
            ""]))
        typo = write("typo.platform", "\n".join([
            "component riscv_hart hart0 isa=rv64imac_zicsr_zifencei",
            "component memory ram size=1M sise=2",
            "map ram 0x80000000 0x100000",
            ""]))
        unknown_isa = write("isa.platform", "\n".join([
            "component riscv_hart hart0 isa=rv64imacq",
            "component memory ram size=1M",
            "map ram 0x80000000 0x100000",
            ""]))
        small = write("small.platform", "\n".join([
            "component riscv_hart hart0 isa=rv64imac_zicsr_zifencei",
            "component memory ram size=4K",
            "map ram 0x90000000 0x1000",
            ""]))
        bad_dtb = write("bad.dtb", bytes(range(64)) * 2, "wb")
        big = os.path.join(tmp, "big.bin")  # sparse: larger than a 16 MiB RAM
        with open(big, "wb") as f:
            f.truncate(20 << 20)
        image = bytearray(4096)  # a Linux Image header claiming 100 MiB once running
        image[16:24] = (100 << 20).to_bytes(8, "little")
        image[48:56] = b"RISCV\0\0\0"
        image[56:60] = b"RSC\x05"
        image = write("Image", bytes(image), "wb")
        initrd = write("initrd.img", b"x" * 1024, "wb")
        cases = [
            ("missing ELF", ["nosuch.elf"], "nosuch.elf"),
            ("nothing to run", [], "nothing to run"),
            ("missing firmware", ["--bios", "nosuch.bin"], "nosuch.bin: cannot open"),
            ("missing kernel", ["--kernel", "nokernel"], "nokernel: cannot open"),
            ("empty initrd", ["--kernel", image, "--initrd", "/dev/null"], "/dev/null"),
            ("kernel larger than RAM", ["-m", "16M", "--kernel", big], "big.bin: 20971520 bytes"),
            ("Image over the initrd", ["--kernel", image, "--initrd", initrd],
             "initrd.img (0x84000000-0x840003ff) overlaps"),
            ("initrd without kernel", ["--initrd", initrd, elf], "--initrd needs --kernel"),
            ("program and firmware", ["--bios", image, elf], "give either a program or --bios"),
            ("bad dtb", ["--dtb", bad_dtb, elf], "bad.dtb: not a usable device tree blob"),
            ("unwritable dtb dump", ["--dump-dtb", "/nonexistent/dir/x.dtb"],
             "/nonexistent/dir/x.dtb: cannot write"),
            ("too many harts", ["--smp", "9", elf], "--smp"),
            ("ELF firmware for the wrong machine", ["--bios", "/bin/true"],
             "not a RISC-V executable"),
            ("truncated ELF", [truncated], "truncated.elf"),
            ("not an ELF", [garbage], "not an ELF"),
            ("x86-64 ELF", ["/bin/true"], "not a RISC-V executable"),
            ("unknown platform", ["--platform", "nope", elf], "unknown platform 'nope'"),
            ("overlapping ranges", ["--platform", overlap, elf], "overlap.platform:5"),
            ("unknown parameter", ["--platform", typo, elf], "typo.platform:2"),
            ("undescribed extension", ["--platform", unknown_isa, elf], "isa.platform:1"),
            ("ELF outside memory", ["--platform", small, elf], "not backed by memory"),
            ("bad option", ["--frobnicate", elf], "--frobnicate"),
            ("bad memory size", ["-m", "12Q", elf], "-m 12Q"),
            ("unknown core", ["--core", "quantum", elf], "quantum"),
            ("unknown trace symbol", ["--trace", "t.txt", "--trace-start", "no_such_symbol", elf],
             "no_such_symbol"),
            ("bad gdb port", ["--gdb", "70000", elf], "--gdb 70000"),
            ("missing disk image", ["--drive", "nosuch.img", elf], "drive 'nosuch.img'"),
            ("bad drive option", ["--drive", f"{initrd},bogus=1", elf], "unknown drive option"),
            ("param without value", ["--param", "memory", elf], "--param memory"),
            ("unknown param", ["--param", "frob=1", elf], "no parameter 'frob'"),
            ("zero hot runs", ["--dbt-hot", "0", elf], "--dbt-hot"),
            ("replay log with gdb", ["--trace", "r.replay", "--trace-format", "replay", "--gdb",
                                     "1234", elf], "cannot be used with --gdb"),
            ("replay of a missing log", ["replay", "nosuch.replay"],
             "nosuch.replay: cannot open trace"),
            ("replay of an ELF", ["replay", garbage], "not a silica replay log"),
        ]
        failed = 0
        for name, argv, fragment in cases:
            code, err = run(silica, argv, tmp)
            lines = [l for l in err.splitlines() if l.strip()]
            problems = []
            if code != 2:
                problems.append(f"exit status {code}, expected 2")
            if fragment not in err:
                problems.append(f"message lacks '{fragment}'")
            if any(sign in err for sign in CRASH_SIGNS):
                problems.append("crashed")
            if len(lines) != 1:
                problems.append(f"{len(lines)} lines on stderr, expected 1")
            if problems:
                failed += 1
                print(f"FAIL {name}: {'; '.join(problems)}\n  stderr: {err.strip()}")
            else:
                print(f"ok   {name}: {lines[0]}")
        print(f"{len(cases) - failed} passed, {failed} failed")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
