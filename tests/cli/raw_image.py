"""Assembles a small bare-metal RISC-V program into a raw binary image, as
--bios/--kernel take them: the check_*.py scripts here share it."""
import os
import subprocess


def assemble(gcc, objcopy, source, name, tmp, text_address=0x80000000, defines=()):
    """Writes `source` to tmp/name.S, links it at text_address and returns the
    path of the raw binary (tmp/name.bin)."""
    src = os.path.join(tmp, name + ".S")
    elf = os.path.join(tmp, name + ".elf")
    binary = os.path.join(tmp, name + ".bin")
    with open(src, "w") as f:
        f.write(source)
    subprocess.run([gcc, "-march=rv64imac_zicsr", "-mabi=lp64", "-nostdlib", "-nostartfiles",
                    f"-Wl,-Ttext={text_address:#x}", "-o", elf, src] + list(defines), check=True)
    subprocess.run([objcopy, "-O", "binary", elf, binary], check=True)
    return binary
