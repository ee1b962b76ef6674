#!/usr/bin/env python3
"""Build the Linux guest images silica's boot tests run: a kernel Image and an initramfs.

    scripts/guest-image.py OUTDIR            # OUTDIR/Image, initramfs.cpio.gz, disk.img, manifest.json
    scripts/guest-image.py --refresh OUTDIR  # fetch the archive's index again

Both come from Debian trixie's riscv64 packages, fetched by name the way apt
does it: dists/trixie/Release -> main/binary-riscv64/Packages.xz (SHA256
checked against Release, and Release's signature checked with gpgv when
gpgv and debian-archive-keyring are installed) -> each .deb (SHA256 checked
against the index).  linux-image-riscv64 is a metapackage; its Depends names
the real linux-image-<version>-riscv64 package.  The kernel comes out of
that package's /boot/vmlinux-<version>, which on riscv64 is the raw RISC-V
`Image` (with an EFI stub header), what QEMU's -kernel loads at the start of
RAM + 2 MiB behind the firmware; the script checks that instead of assuming
it.  The initramfs (cpio newc, gzip) is written here directly, so device
nodes need no root: static busybox, /dev/console, the virtio-mmio and
virtio-blk modules, and an /init described in INIT_SCRIPT.

Downloads are cached in $SILICA_GUEST_CACHE (default
~/.cache/silica/guest); with a warm cache a re-run does no network I/O, and
when OUTDIR already holds images built from the same packages by the same
version of this script nothing is rebuilt.  Standard library plus dpkg-deb.

If the mirror serves an index that does not match its Release file (a mirror
mid-sync or a stale proxy; apt reports "Hash Sum mismatch"), the script
tries apt's by-hash path and the other compressions, then stops with an
error, unless --allow-stale-index (or SILICA_GUEST_ALLOW_STALE_INDEX=1) says
to use the unmatched index anyway: each .deb is still checked against it,
a warning is printed, and manifest.json records index_verified: false.
"""
import argparse
import gzip
import hashlib
import io
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request

MIRROR = os.environ.get("SILICA_DEBIAN_MIRROR", "http://deb.debian.org/debian").rstrip("/")
SUITE = "trixie"
COMPONENT = "main"
ARCH = "riscv64"
KERNEL_META = "linux-image-riscv64"
BUSYBOX = "busybox-static"
# Loaded in this order by /init (dependencies first, found from each
# module's own modinfo): the disk the virtio-blk tests attach.
MODULES = ["virtio_mmio", "virtio_blk"]
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
NET_TIMEOUT = 60
MARKER = "silica-boot: shell ready"
DISK_TEXT = "silica-disk: hello from disk.img\n"

INIT_SCRIPT = r"""#!/bin/busybox sh
# silica guest /init.  Kernel command line switches (read from /proc/cmdline):
#   silica.test=poweroff  print the marker and the hart counts, then power off
#   silica.test=blk       the same, and first the first line of /dev/vda (disk.img)
#   (none)                print the marker and run a shell on the console
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /tmp
for m in $(cat /lib/modules/load-order); do
  insmod /lib/modules/$m.ko || echo "silica-boot: insmod $m failed"
done
mode=
for arg in $(cat /proc/cmdline); do
  case "$arg" in silica.test=*) mode=${arg#silica.test=} ;; esac
done
echo "@MARKER@"
echo "silica-boot: nproc=$(nproc) cpuinfo-harts=$(grep -c '^processor' /proc/cpuinfo)"
echo "silica-boot: block=$(ls /sys/block | tr '\n' ' ')"
case "$mode" in
  poweroff)
    echo "silica-boot: powering off"
    poweroff -f ;;
  blk)
    echo "silica-boot: vda says: $(head -n 1 /dev/vda)"
    echo "silica-boot: powering off"
    poweroff -f ;;
  "")
    exec setsid cttyhack sh ;;
  *)
    echo "silica-boot: unknown silica.test=$mode; starting a shell"
    exec setsid cttyhack sh ;;
esac
""".replace("@MARKER@", MARKER)


class GuestImageError(Exception):
    """A failure the user can act on; main() prints it as one message and exits 1."""


def log(msg):
    print(f"guest-image: {msg}", flush=True)


def cache_dir():
    """Where downloads live between runs (and between build directories)."""
    if os.environ.get("SILICA_GUEST_CACHE"):
        return os.environ["SILICA_GUEST_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "silica", "guest")


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download(url, dest):
    """Fetch url into dest (atomically, via dest.part); network errors become GuestImageError."""
    log(f"fetching {url}")
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    part = dest + ".part"
    try:
        with urllib.request.urlopen(url, timeout=NET_TIMEOUT) as r, open(part, "wb") as f:
            shutil.copyfileobj(r, f, 1 << 20)
    except urllib.error.HTTPError as e:
        raise GuestImageError(f"{url}: HTTP {e.code} {e.reason}") from e
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise GuestImageError(
            f"cannot fetch {url}: {reason}\n"
            f"  the Debian archive must be reachable for the first run (later runs use "
            f"the cache in {cache_dir()}); set SILICA_DEBIAN_MIRROR to use another mirror") from e
    os.replace(part, dest)


def parse_release_hashes(text):
    """Release's SHA256 section as {path: (sha256, size)}."""
    hashes, in_sha = {}, False
    for line in text.splitlines():
        if not line.startswith(" "):
            in_sha = line.startswith("SHA256:")
            continue
        if in_sha:
            sha, size, path = line.split()
            hashes[path] = (sha, int(size))
    return hashes


def release_field(text, name):
    m = re.search(rf"^{name}: (.*)$", text, re.M)
    return m.group(1) if m else "?"


def signed_text(inrelease):
    """The Release text inside InRelease, its signature checked with gpgv where possible.

    Why optional: the hash chain below needs only the text, and a machine
    without gpgv or the keyring can still build the images.  Why InRelease
    and not Release + Release.gpg: apt prefers it, and the two separate files
    can be fetched at different moments of a mirror's sync.
    """
    if not shutil.which("gpgv") or not os.path.exists(KEYRING):
        text = open(inrelease, encoding="utf-8").read()
        m = re.search(r"-----BEGIN PGP SIGNED MESSAGE-----\n(?:.+\n)*\n(.*?)\n-----BEGIN PGP SIGNATURE",
                      text, re.S)
        if not m:
            raise GuestImageError(f"{inrelease}: not a clearsigned Release file")
        return m.group(1), "signature not checked (no gpgv or debian-archive-keyring)"
    p = subprocess.run(["gpgv", "--keyring", KEYRING, "--output", "-", inrelease],
                       capture_output=True)
    if p.returncode != 0:
        raise GuestImageError(f"InRelease signature check failed (gpgv):\n"
                              f"{p.stderr.decode(errors='replace').strip()}")
    return p.stdout.decode("utf-8"), "signature good (gpgv, debian-archive-keyring)"


def load_release(dists, refresh):
    """InRelease (cached unless refresh): its SHA256 table."""
    inrelease = os.path.join(dists, "InRelease")
    if refresh or not os.path.exists(inrelease):
        download(f"{MIRROR}/dists/{SUITE}/InRelease", inrelease)
    else:
        log(f"using cached {inrelease}")
    text, verdict = signed_text(inrelease)
    log(f"Release: Debian {release_field(text, 'Version')} ({SUITE}), "
        f"{release_field(text, 'Date')}; {verdict}")
    return parse_release_hashes(text)


def decompress_index(path):
    data = open(path, "rb").read()
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".gz"):
        return gzip.decompress(data)
    return data


def load_index(dists, release_hashes, refresh, allow_stale):
    """The Packages index, checked against Release; returns (text, verified).

    Tries what apt tries: the plain path, then by-hash, for each compression.
    A cached index that still matches Release is used without network I/O.
    """
    rel = f"{COMPONENT}/binary-{ARCH}/Packages"
    candidates = [(rel + s, os.path.join(dists, (rel + s).replace("/", "_")))
                  for s in (".xz", ".gz", "") if rel + s in release_hashes]
    stale = os.path.join(dists, (rel + ".xz").replace("/", "_"))
    if not refresh:
        for path, local in candidates:
            if os.path.exists(local) and sha256_file(local) == release_hashes[path][0]:
                log(f"using cached {path} (SHA256 matches Release)")
                return decompress_index(local).decode("utf-8"), True
        if allow_stale and os.path.exists(stale):
            return use_stale(stale)
    problems = []
    for path, local in candidates:
        want, size = release_hashes[path]
        urls = [f"{MIRROR}/dists/{SUITE}/{path}",
                f"{MIRROR}/dists/{SUITE}/{COMPONENT}/binary-{ARCH}/by-hash/SHA256/{want}"]
        for url in urls:
            try:
                download(url, local)
            except GuestImageError as e:
                problems.append(str(e).splitlines()[0])
                continue
            got = sha256_file(local)
            if got == want:
                log(f"{path}: SHA256 matches Release ({want[:16]}...)")
                return decompress_index(local).decode("utf-8"), True
            problems.append(f"{url}: SHA256 {got} ({os.path.getsize(local)} bytes), "
                            f"Release says {want} ({size} bytes)")
    if allow_stale and os.path.exists(stale):
        return use_stale(stale)
    raise GuestImageError(
        "the mirror's package index does not match its Release file "
        "(apt calls this 'Hash Sum mismatch': a mirror mid-sync or a stale proxy):\n  "
        + "\n  ".join(problems)
        + "\n  try again later, set SILICA_DEBIAN_MIRROR to another mirror, or pass "
          "--allow-stale-index to use the index unverified")


def use_stale(path):
    """The index at path, unverified: what --allow-stale-index asks for, said loudly."""
    log(f"WARNING: the index does not match Release (mirror mid-sync or stale); "
        f"using {path} unverified, as --allow-stale-index asks; "
        f"each .deb is still checked against it")
    return decompress_index(path).decode("utf-8"), False


def parse_packages(text):
    """{package name: stanza fields} from a Packages index (first stanza of each name)."""
    packages = {}
    for stanza in text.split("\n\n"):
        fields, key = {}, None
        for line in stanza.splitlines():
            if line.startswith((" ", "\t")) and key:
                fields[key] += "\n" + line.strip()
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if "Package" in fields:
            packages.setdefault(fields["Package"], fields)
    return packages


def lookup(packages, name):
    if name not in packages:
        raise GuestImageError(f"package {name} is not in {SUITE}/{COMPONENT}/binary-{ARCH}")
    return packages[name]


def resolve_kernel(packages):
    """linux-image-riscv64 -> the linux-image-<ver>-riscv64 package its Depends names."""
    meta = lookup(packages, KERNEL_META)
    for dep in meta.get("Depends", "").split(","):
        name = dep.split("|")[0].strip().split(" ")[0]
        if name.startswith("linux-image-") and name != KERNEL_META:
            log(f"{KERNEL_META} {meta['Version']} depends on {name}")
            return lookup(packages, name)
    raise GuestImageError(f"{KERNEL_META}: no linux-image-* in Depends: {meta.get('Depends')!r}")


def fetch_deb(pkg, debs):
    """The package's .deb in the cache, its SHA256 checked against the index."""
    want = pkg["SHA256"]
    local = os.path.join(debs, os.path.basename(pkg["Filename"]))
    if os.path.exists(local) and sha256_file(local) == want:
        log(f"using cached {os.path.basename(local)}")
        return local
    download(f"{MIRROR}/{pkg['Filename']}", local)
    got = sha256_file(local)
    if got != want:
        os.unlink(local)
        raise GuestImageError(f"{pkg['Filename']}: SHA256 {got}, the index says {want}")
    log(f"{os.path.basename(local)}: {int(pkg['Size']) / 1e6:.1f} MB, SHA256 matches the index")
    return local


def deb_members(deb, wanted):
    """{member name: bytes} for the data.tar members that wanted(name) accepts (via dpkg-deb)."""
    p = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
    found = {}
    with tarfile.open(fileobj=p.stdout, mode="r|") as tar:
        for member in tar:
            name = member.name[2:] if member.name.startswith("./") else member.name
            if member.isfile() and wanted(name):
                found[name] = tar.extractfile(member).read()
    p.stdout.close()
    if p.wait() != 0:
        raise GuestImageError(f"dpkg-deb --fsys-tarfile {deb} failed")
    return found


def kernel_image(data, name):
    """Check vmlinux is what -kernel needs (a raw RISC-V Image); returns (bytes, description)."""
    if data[:4] == b"\x7fELF":
        raise GuestImageError(f"{name} is an ELF file, not the raw Image this script expects")
    if data[:2] == b"\x1f\x8b":
        data, packed = gzip.decompress(data), "gzip-compressed "
    else:
        packed = ""
    if data[0x38:0x3c] != b"RSC\x05":
        raise GuestImageError(f"{name}: no RISC-V Image header (magic RSC\\x05 at 0x38)")
    text_offset = int.from_bytes(data[8:16], "little")
    image_size = int.from_bytes(data[16:24], "little")
    stub = ", EFI stub (PE 'MZ' header)" if data[:2] == b"MZ" else ""
    return data, (f"{packed}raw RISC-V Image{stub}, text_offset 0x{text_offset:x}, "
                  f"image_size {image_size / 2**20:.1f} MiB")


def module_depends(ko):
    m = re.search(rb"\0depends=([^\0]*)\0", ko)
    return [d.decode() for d in m.group(1).split(b",") if d] if m else []


def modules_in_load_order(files, version):
    """{module: .ko bytes} in an order where each follows its dependencies."""
    by_name = {}
    prefix = f"usr/lib/modules/{version}/"
    for path, data in files.items():
        if path.startswith(prefix) and path.endswith(".ko.xz"):
            by_name[os.path.basename(path)[:-6].replace("-", "_")] = data
    loaded = {}

    def visit(name):
        if name in loaded:
            return
        if name not in by_name:
            raise GuestImageError(f"module {name} is not in the kernel package")
        ko = lzma.decompress(by_name[name])
        for dep in module_depends(ko):
            visit(dep.replace("-", "_"))
        loaded[name] = ko

    for name in MODULES:
        visit(name)
    return loaded


class Cpio:
    """A cpio 'newc' archive built in memory: what the kernel unpacks as initramfs."""

    def __init__(self):
        self.out = io.BytesIO()
        self.ino = 1

    def _entry(self, name, mode, data=b"", rdev=(0, 0), nlink=1):
        fields = [self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1],
                  len(name) + 1, 0]
        self.ino += 1
        self.out.write(b"070701" + b"".join(b"%08X" % v for v in fields))
        self.out.write(name.encode() + b"\0")
        self._pad()
        self.out.write(data)
        self._pad()

    def _pad(self):
        self.out.write(b"\0" * (-self.out.tell() % 4))

    def dir(self, name):
        self._entry(name, 0o040755, nlink=2)

    def file(self, name, data, perm=0o644):
        self._entry(name, 0o100000 | perm, data)

    def symlink(self, name, target):
        self._entry(name, 0o120777, target.encode())

    def chardev(self, name, major, minor, perm=0o600):
        self._entry(name, 0o020000 | perm, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        return self.out.getvalue()


def build_initramfs(busybox, modules):
    """gzip'd cpio: busybox, /init, /dev/console (the kernel opens it before devtmpfs), modules."""
    cpio = Cpio()
    for d in ["bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "proc", "sys", "tmp", "root",
              "etc", "lib", "lib/modules"]:
        cpio.dir(d)
    cpio.chardev("dev/console", 5, 1)
    cpio.chardev("dev/null", 1, 3, 0o666)
    cpio.file("bin/busybox", busybox, 0o755)
    cpio.symlink("bin/sh", "busybox")
    cpio.file("init", INIT_SCRIPT.encode(), 0o755)
    for name, ko in modules.items():
        cpio.file(f"lib/modules/{name}.ko", ko)
    cpio.file("lib/modules/load-order", "".join(f"{n}\n" for n in modules).encode())
    return gzip.compress(cpio.finish(), compresslevel=9, mtime=0)


def disk_image():
    """A 1 MiB raw disk whose first line silica.test=blk prints: the virtio-blk tests' disk."""
    return DISK_TEXT.encode().ljust(1 << 20, b"\0")


def recipe_id():
    """This script's own hash: outputs built by another version of it are rebuilt."""
    return sha256_file(os.path.abspath(__file__))


def up_to_date(outdir, kernel_pkg, busybox_pkg):
    """True when OUTDIR holds images from these exact .debs, built by this script."""
    try:
        with open(os.path.join(outdir, "manifest.json")) as f:
            m = json.load(f)
    except (OSError, ValueError):
        return False
    return (m.get("recipe") == recipe_id()
            and m.get("kernel", {}).get("deb_sha256") == kernel_pkg["SHA256"]
            and m.get("busybox", {}).get("deb_sha256") == busybox_pkg["SHA256"]
            and all(os.path.exists(os.path.join(outdir, f))
                    for f in ("Image", "initramfs.cpio.gz", "disk.img")))


def write_file(path, data):
    with open(path + ".part", "wb") as f:
        f.write(data)
    os.replace(path + ".part", path)


def build(outdir, refresh, allow_stale):
    cache = cache_dir()
    dists = os.path.join(cache, "dists", SUITE)
    log(f"cache {cache}, mirror {MIRROR}")
    release_hashes = load_release(dists, refresh)
    index_text, verified = load_index(dists, release_hashes, refresh, allow_stale)
    packages = parse_packages(index_text)
    kernel_pkg = resolve_kernel(packages)
    busybox_pkg = lookup(packages, BUSYBOX)
    log(f"kernel: {kernel_pkg['Package']} {kernel_pkg['Version']}; "
        f"busybox: {BUSYBOX} {busybox_pkg['Version']}")
    if up_to_date(outdir, kernel_pkg, busybox_pkg):
        log(f"{outdir}: Image and initramfs.cpio.gz are up to date")
        return
    debs = os.path.join(cache, "debs")
    kernel_deb = fetch_deb(kernel_pkg, debs)
    busybox_deb = fetch_deb(busybox_pkg, debs)

    version = kernel_pkg["Package"][len("linux-image-"):]
    # Every module (compressed, ~100 MB): which ones MODULES need is only
    # known from their modinfo, and the package has no modules.dep.
    files = deb_members(kernel_deb, lambda n: n == f"boot/vmlinux-{version}"
                        or (n.startswith(f"usr/lib/modules/{version}/") and n.endswith(".ko.xz")))
    vmlinux = f"boot/vmlinux-{version}"
    if vmlinux not in files:
        raise GuestImageError(f"{kernel_deb}: no /{vmlinux}")
    image, kind = kernel_image(files[vmlinux], vmlinux)
    log(f"/{vmlinux}: {kind}")
    modules = modules_in_load_order(files, version)
    busybox = deb_members(busybox_deb, lambda n: n == "usr/bin/busybox").get("usr/bin/busybox")
    if busybox is None:
        raise GuestImageError(f"{busybox_deb}: no /usr/bin/busybox")
    initramfs = build_initramfs(busybox, modules)

    os.makedirs(outdir, exist_ok=True)
    write_file(os.path.join(outdir, "Image"), image)
    write_file(os.path.join(outdir, "initramfs.cpio.gz"), initramfs)
    write_file(os.path.join(outdir, "disk.img"), disk_image())
    manifest = {
        "recipe": recipe_id(),
        "suite": SUITE,
        "index_verified": verified,
        "kernel": {"package": kernel_pkg["Package"], "version": kernel_pkg["Version"],
                   "deb_sha256": kernel_pkg["SHA256"], "image": kind,
                   "image_bytes": len(image)},
        "busybox": {"package": BUSYBOX, "version": busybox_pkg["Version"],
                    "deb_sha256": busybox_pkg["SHA256"]},
        "initramfs": {"bytes": len(initramfs), "modules": list(modules), "marker": MARKER},
    }
    write_file(os.path.join(outdir, "manifest.json"),
               (json.dumps(manifest, indent=2) + "\n").encode())
    log(f"wrote {outdir}/Image ({len(image) / 2**20:.1f} MiB), "
        f"{outdir}/initramfs.cpio.gz ({len(initramfs) / 2**20:.2f} MiB; busybox, "
        f"modules {', '.join(modules)}), disk.img (1 MiB), manifest.json")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", help="where Image, initramfs.cpio.gz and manifest.json go")
    ap.add_argument("--refresh", action="store_true",
                    help="fetch Release and the index again instead of using the cache")
    ap.add_argument("--allow-stale-index", action="store_true",
                    default=os.environ.get("SILICA_GUEST_ALLOW_STALE_INDEX") == "1",
                    help="use an index that does not match Release (warns; .debs still checked)")
    args = ap.parse_args()
    try:
        build(os.path.abspath(args.outdir), args.refresh, args.allow_stale_index)
    except GuestImageError as e:
        print(f"guest-image: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
