#!/usr/bin/env python3
"""silica's generated device tree against the one QEMU's virt machine dumps
(dumpdtb=), for two harts, 256 MiB and a command line: every property that
firmware and Linux read from the nodes both machines have must agree, with
phandles compared by the node they point to.

    check_dtb_vs_qemu.py --silica build/silica --qemu qemu-system-riscv64
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile


def parse_fdt(blob):
    """{path: {property: bytes}} and {phandle: path} from a DTB."""
    magic, _, off_struct, off_strings = struct.unpack(">IIII", blob[:16])
    assert magic == 0xD00DFEED, "not a DTB"
    nodes, phandles, stack = {}, {}, []
    pos = off_struct
    while True:
        (token,) = struct.unpack(">I", blob[pos:pos + 4])
        pos += 4
        if token == 1:  # FDT_BEGIN_NODE
            end = blob.index(b"\0", pos)
            name = blob[pos:end].decode()
            pos = (end + 4) & ~3
            stack.append(name)
            path = "/" + "/".join(stack[1:])
            nodes[path] = {}
        elif token == 2:  # FDT_END_NODE
            stack.pop()
        elif token == 3:  # FDT_PROP
            length, name_off = struct.unpack(">II", blob[pos:pos + 8])
            pos += 8
            value = blob[pos:pos + length]
            pos = (pos + length + 3) & ~3
            name = blob[off_strings + name_off:blob.index(b"\0", off_strings + name_off)].decode()
            path = "/" + "/".join(stack[1:])
            nodes[path][name] = value
            if name == "phandle":
                phandles[struct.unpack(">I", value)[0]] = path
        elif token == 4:  # FDT_NOP
            continue
        elif token == 9:  # FDT_END
            return nodes, phandles


def cells(value):
    return list(struct.unpack(">%dI" % (len(value) // 4), value))


class Tree:
    def __init__(self, blob):
        self.nodes, self.phandles = parse_fdt(blob)

    def prop(self, path, name):
        return self.nodes.get(path, {}).get(name)

    def ref(self, path, name):
        value = self.prop(path, name)
        return None if value is None else self.phandles.get(cells(value)[0])

    def interrupts_extended(self, path):
        """[(controller path, cause)]: every specifier here has one cell."""
        value = self.prop(path, "interrupts-extended")
        c = cells(value) if value else []
        return [(self.phandles.get(c[i]), c[i + 1]) for i in range(0, len(c), 2)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--silica", required=True)
    ap.add_argument("--qemu", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kernel = os.path.join(tmp, "kernel.bin")
        with open(kernel, "wb") as f:
            f.write(b"\0" * 64)
        ours, theirs = os.path.join(tmp, "silica.dtb"), os.path.join(tmp, "qemu.dtb")
        common = ["--smp", "2", "-m", "256M", "--append", "console=ttyS0 earlycon"]
        subprocess.run([args.silica, "run", "--no-progress", "--kernel", kernel,
                        "--dump-dtb", ours] + common, check=True, capture_output=True, timeout=60)
        subprocess.run([args.qemu, "-M", "virt,dumpdtb=" + theirs, "-display", "none",
                        "-bios", "none", "-kernel", kernel, "-smp", "2", "-m", "256M",
                        "-append", "console=ttyS0 earlycon"],
                       check=True, capture_output=True, timeout=60)
        s, q = Tree(open(ours, "rb").read()), Tree(open(theirs, "rb").read())

    checks = []  # (what, silica's, QEMU's)

    def same(path, *names):
        for name in names:
            checks.append((f"{path} {name}", s.prop(path, name), q.prop(path, name)))

    def same_ref(path, name):
        checks.append((f"{path} {name} ->", s.ref(path, name), q.ref(path, name)))

    same("/", "compatible", "model", "#address-cells", "#size-cells")
    same("/cpus", "timebase-frequency", "#address-cells", "#size-cells")
    for h in (0, 1):
        cpu = f"/cpus/cpu@{h}"
        same(cpu, "reg", "device_type", "compatible", "status")
        same(cpu + "/interrupt-controller", "compatible", "#interrupt-cells",
             "interrupt-controller")
        same_ref(f"/cpus/cpu-map/cluster0/core{h}", "cpu")
    same("/memory@80000000", "reg", "device_type")
    same("/soc", "compatible", "#address-cells", "#size-cells", "ranges")
    for node, names in [("/soc/serial@10000000", ["compatible", "reg", "clock-frequency",
                                                  "interrupts"]),
                        ("/soc/rtc@101000", ["compatible", "reg", "interrupts"]),
                        ("/soc/test@100000", ["compatible", "reg"]),
                        ("/soc/clint@2000000", ["compatible", "reg"]),
                        ("/soc/plic@c000000", ["compatible", "reg", "#interrupt-cells",
                                               "#address-cells", "interrupt-controller"]),
                        ("/poweroff", ["compatible", "offset", "value"]),
                        ("/reboot", ["compatible", "offset", "value"]),
                        ("/chosen", ["bootargs", "stdout-path"])]:
        same(node, *names)
    for node in ("/soc/serial@10000000", "/soc/rtc@101000"):
        same_ref(node, "interrupt-parent")
    for node in ("/poweroff", "/reboot"):
        same_ref(node, "regmap")
    for node in ("/soc/clint@2000000", "/soc/plic@c000000"):
        checks.append((f"{node} interrupts-extended", s.interrupts_extended(node),
                       q.interrupts_extended(node)))
    # A known difference: QEMU writes its source count (96), silica the
    # highest source id (95), because silica's PLIC faults on a source 96.
    ndev_s, ndev_q = s.prop("/soc/plic@c000000", "riscv,ndev"), q.prop("/soc/plic@c000000",
                                                                      "riscv,ndev")
    checks.append(("/soc/plic@c000000 riscv,ndev + 1", cells(ndev_s)[0] + 1 if ndev_s else None,
                   cells(ndev_q)[0] if ndev_q else None))

    failed = 0
    for what, mine, qemu in checks:
        if mine is None or mine != qemu:
            failed += 1
            print(f"FAIL {what}: silica {mine!r}, QEMU {qemu!r}")
    print(f"{len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
