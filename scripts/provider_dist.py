"""Release artifacts and filesystem mirrors for terraform-provider-portmap.

Used by scripts/release (subcommand `package`) and scripts/install-mirror
(subcommand `mirror`); Python 3.9+, standard library only (no `zip` binary).

Release layout (the Terraform Registry's conventions, as produced by
HashiCorp's provider scaffolding and GoReleaser configuration, see
https://developer.hashicorp.com/terraform/registry/providers/publishing):

  terraform-provider-portmap_<version>_<os>_<arch>.zip
      one file, the executable `terraform-provider-portmap_v<version>`
  terraform-provider-portmap_<version>_manifest.json
      the registry manifest (the release-asset name of the repository's
      `terraform-registry-manifest.json`): {"version": 1, "metadata":
      {"protocol_versions": ["5.0", "6.0"]}}; the registry reads the plugin
      protocol versions from it
      (https://developer.hashicorp.com/terraform/plugin/terraform-plugin-protocol)
  terraform-registry-manifest.json
      the same manifest under its source name
  terraform-provider-portmap_<version>_SHA256SUMS
      `<sha256 hex>  <file name>` for every zip and the manifest, the format
      of `shasum -a 256` / `sha256sum`
  terraform-provider-portmap_<version>_SHA256SUMS.sig
      with --sign-key KEY (scripts/release: PORTMAP_GPG_KEY): GnuPG's binary
      detached signature of SHA256SUMS, which both the Terraform Registry and
      the OpenTofu Registry require

Filesystem mirror layouts (Terraform CLI configuration, `provider_installation`,
https://developer.hashicorp.com/terraform/cli/config/config-file#filesystem_mirror):

  packed:   <dir>/<hostname>/<namespace>/<type>/terraform-provider-<type>_<version>_<os>_<arch>.zip
  unpacked: <dir>/<hostname>/<namespace>/<type>/<version>/<os>_<arch>/terraform-provider-<type>_v<version>

<hostname> is registry.terraform.io for Terraform and registry.opentofu.org
for OpenTofu (`--for terraform|opentofu|both`): the same source address
"portmap/portmap" means a different host in each tool.
"""

import argparse
import hashlib
import json
import os
import re
import select
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import zipfile

TYPE = "portmap"
NAME = "terraform-provider-" + TYPE
# The registry each host means by `source = "portmap/portmap"`: the same
# source address is registry.terraform.io/portmap/portmap in Terraform and
# registry.opentofu.org/portmap/portmap in OpenTofu.
HOSTNAMES = {
    "terraform": ["registry.terraform.io"],
    "opentofu": ["registry.opentofu.org"],
    "both": ["registry.terraform.io", "registry.opentofu.org"],
}
DEFAULT_NAMESPACE = "portmap"

# Fixed zip metadata, so the same binary always gives the same zip bytes and
# the same SHA256SUMS line: the earliest time a zip can hold, Unix
# permissions rwxr-xr-x on a regular file.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ZIP_MODE = stat.S_IFREG | 0o755

# go-plugin's handshake, as Terraform starts a provider (see
# provider/tfplugin/src/server/handshake.rs).
MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
PROBED_MAJORS = range(1, 10)

PLATFORM_RE = re.compile(r"^[a-z0-9]+_[a-z0-9]+$")


def say(msg):
    print(msg, file=sys.stderr)


def show(path):
    """A path for messages: relative to the current directory when inside it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def fail(msg):
    say(msg)
    sys.exit(1)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def zip_name(version, platform):
    return "%s_%s_%s.zip" % (NAME, version, platform)


def binary_name(version):
    return "%s_v%s" % (NAME, version)


def sums_name(version):
    return "%s_%s_SHA256SUMS" % (NAME, version)


def manifest_name(version):
    return "%s_%s_manifest.json" % (NAME, version)


def sig_name(version):
    return sums_name(version) + ".sig"


# --- protocol versions ----------------------------------------------------


def probe_protocol(binary, major, timeout=30.0):
    """Starts the binary the way Terraform does, offering only protocol
    `major`; returns True when it answers the handshake with that protocol,
    False when it refuses (no common protocol)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "PLUGIN_"))}
    env[MAGIC_COOKIE_KEY] = MAGIC_COOKIE_VALUE
    env["PLUGIN_PROTOCOL_VERSIONS"] = str(major)
    # Without TLS the plugin needs no client certificate; the handshake line
    # and the protocol negotiation are the same.
    env["TF_DISABLE_PLUGIN_TLS"] = "1"
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [binary], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, env=env
        )
        line = b""
        try:
            deadline = time.monotonic() + timeout
            while not line.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                ready, _, _ = select.select([proc.stdout], [], [], left)
                if not ready:
                    break
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                line += chunk
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            proc.stdout.close()
        if not line:
            return False
        # core-protocol|app-protocol|network|address|protocol[|server-cert]
        fields = line.decode("utf-8", "replace").strip().split("|")
        if len(fields) < 5 or fields[0] != "1":
            err.seek(0)
            fail(
                "release: unexpected handshake from %s: %r\n%s"
                % (binary, line, err.read().decode("utf-8", "replace"))
            )
        return fields[1] == str(major)


def served_protocols(binary):
    """The plugin protocol major versions the binary serves, asked of the
    binary itself: the handshake's list of supported versions is the one
    place that decides it."""
    return [m for m in PROBED_MAJORS if probe_protocol(binary, m)]


# --- package ----------------------------------------------------------------


def write_zip(binary, version, dest, compress):
    info = zipfile.ZipInfo(binary_name(version), date_time=ZIP_TIME)
    info.create_system = 3  # Unix, so the permissions below are honoured
    info.external_attr = ZIP_MODE << 16
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    tmp = dest + ".tmp"
    with zipfile.ZipFile(tmp, "w", compresslevel=9 if compress else None) as z:
        with open(binary, "rb") as src, z.open(info, "w") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(tmp, dest)


def cmd_package(args):
    version = args.version
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    pairs = []
    for spec in args.binary:
        platform, sep, path = spec.partition("=")
        if not sep or not PLATFORM_RE.match(platform):
            fail("release: --binary wants <os>_<arch>=<path>, got %r" % spec)
        if not os.path.isfile(path):
            fail("release: no binary at %s" % path)
        pairs.append((platform, os.path.abspath(path)))

    # The binary must say it is the version the archive is named after.
    probe_bin = None
    for platform, path in pairs:
        if platform != args.host_platform:
            continue
        got = subprocess.run([path, "--version"], capture_output=True, text=True).stdout.strip()
        if got != "%s %s" % (NAME, version):
            fail(
                "release: %s --version says %r, expected %r (a stale binary? rebuild it)"
                % (path, got, "%s %s" % (NAME, version))
            )
        probe_bin = probe_bin or path
    if probe_bin is None:
        fail(
            "release: none of the binaries runs on this machine (%s), so their plugin protocol "
            "versions cannot be read; include a %s build" % (args.host_platform, args.host_platform)
        )
    majors = served_protocols(probe_bin)
    if not majors:
        fail("release: %s answered no plugin protocol version 1-9 in the handshake" % probe_bin)

    for platform, path in pairs:
        dest = os.path.join(out, zip_name(version, platform))
        write_zip(path, version, dest, compress=not args.no_compress)
        say("release: %s" % show(dest))

    manifest = {"version": 1, "metadata": {"protocol_versions": ["%d.0" % m for m in majors]}}
    text = json.dumps(manifest, indent=2) + "\n"
    for name in (manifest_name(version), "terraform-registry-manifest.json"):
        with open(os.path.join(out, name), "w") as f:
            f.write(text)
    say("release: protocol_versions %s (from the handshake of %s)" % (
        manifest["metadata"]["protocol_versions"], show(probe_bin)))

    # Every zip of this version in the output directory (builds from other
    # machines may have been added) plus the manifest, sorted by name.
    prefix, suffix = "%s_%s_" % (NAME, version), ".zip"
    names = sorted(
        n for n in os.listdir(out)
        if n.startswith(prefix) and n.endswith(suffix)
        and PLATFORM_RE.match(n[len(prefix):-len(suffix)])
    )
    names.append(manifest_name(version))
    names.sort()
    with open(os.path.join(out, sums_name(version)), "w") as f:
        for n in names:
            f.write("%s  %s\n" % (sha256_file(os.path.join(out, n)), n))
    say("release: %s (%d files)" % (show(os.path.join(out, sums_name(version))), len(names)))

    # A signature of an earlier SHA256SUMS would not match the new one.
    sums = os.path.join(out, sums_name(version))
    sig = os.path.join(out, sig_name(version))
    if os.path.exists(sig):
        os.remove(sig)
    if args.sign_key:
        sign(sums, sig, args.sign_key)
    else:
        say("release: SHA256SUMS not signed (set PORTMAP_GPG_KEY to a GnuPG key id to sign it; "
            "both registries need %s)" % sig_name(version))


def sign(sums, sig, key):
    """Writes GnuPG's binary detached signature of SHA256SUMS, the format
    both registries read, and checks it verifies. gpg reads the key from
    its usual home (GNUPGHOME or ~/.gnupg) and asks for a passphrase the
    usual way (gpg-agent)."""
    if shutil.which("gpg") is None:
        fail("release: PORTMAP_GPG_KEY is set but gpg is not installed (Debian: apt-get install gnupg)")
    r = subprocess.run(
        ["gpg", "--batch", "--yes", "--local-user", key, "--detach-sign", "--output", sig, sums],
        capture_output=True, text=True,
    )
    if r.returncode != 0:
        fail("release: gpg could not sign with key %r:\n%s" % (key, r.stderr))
    r = subprocess.run(["gpg", "--batch", "--verify", sig, sums], capture_output=True, text=True)
    if r.returncode != 0:
        fail("release: the signature does not verify:\n%s" % r.stderr)
    say("release: %s (signed with key %s)" % (show(sig), key))


# --- mirror -----------------------------------------------------------------


def read_sums(path):
    sums = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            digest, _, name = line.partition("  ")
            sums[name] = digest
    return sums


def pick_version(dist, wanted):
    pat = re.compile("^" + re.escape(NAME) + r"_(.+)_SHA256SUMS$")
    found = sorted(m.group(1) for m in map(pat.match, os.listdir(dist)) if m)
    if wanted:
        if wanted not in found:
            fail("install-mirror: no %s in %s (found: %s); run scripts/release first"
                 % (sums_name(wanted), dist, ", ".join(found) or "none"))
        return wanted
    if len(found) == 1:
        return found[0]
    if not found:
        fail("install-mirror: no %s_<version>_SHA256SUMS in %s; run scripts/release first" % (NAME, dist))
    fail("install-mirror: %s holds versions %s; choose one with --version" % (dist, ", ".join(found)))


def hcl_string(s):
    s = s.replace("\\", "\\\\").replace('"', '\\"')
    return '"%s"' % s.replace("${", "$${").replace("%{", "%%{")


def cli_config(path, addresses):
    listed = ", ".join(hcl_string(a) for a in addresses)
    return (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        "    path    = %s\n"
        "    include = [%s]\n"
        "  }\n"
        "  direct {\n"
        "    exclude = [%s]\n"
        "  }\n"
        "}\n"
    ) % (hcl_string(path), listed, listed)


def cmd_mirror(args):
    dist = os.path.abspath(args.dist)
    if not os.path.isdir(dist):
        fail("install-mirror: no %s; run scripts/release first" % dist)
    version = pick_version(dist, args.version)
    sums = read_sums(os.path.join(dist, sums_name(version)))
    zre = re.compile("^" + re.escape(NAME + "_" + version + "_") + r"([a-z0-9]+_[a-z0-9]+)\.zip$")
    zips = sorted((m.group(1), n) for n, m in ((n, zre.match(n)) for n in sums) if m)
    if not zips:
        fail("install-mirror: %s lists no zip" % sums_name(version))
    for platform, name in zips:
        path = os.path.join(dist, name)
        if not os.path.isfile(path):
            fail("install-mirror: %s is listed in %s but missing" % (name, sums_name(version)))
        if sha256_file(path) != sums[name]:
            fail("install-mirror: %s does not match its SHA256SUMS line" % name)

    if args.hostname and args.host:
        fail("install-mirror: --hostname and --for do not mix")
    hostnames = [args.hostname] if args.hostname else HOSTNAMES[args.host or "terraform"]
    for what, value in [("--hostname", h) for h in hostnames] + [("--namespace", args.namespace)]:
        if not re.match(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$", value):
            fail("install-mirror: %s %r: use lower-case letters, digits, '-' and '.'" % (what, value))
    mirror = os.path.abspath(args.mirror)
    for hostname in hostnames:
        lay_out(os.path.join(mirror, hostname, args.namespace, TYPE), dist, version, zips, args.layout)
    addresses = ["%s/%s/%s" % (h, args.namespace, TYPE) for h in hostnames]
    say("install-mirror: %s %s (%s layout, %s) in %s"
        % (" and ".join(addresses), version, args.layout, ", ".join(p for p, _ in zips), mirror))
    say("install-mirror: the CLI configuration to use (save it, point TF_CLI_CONFIG_FILE at it or "
        "merge it into ~/.terraformrc for Terraform, ~/.tofurc for OpenTofu), printed on stdout:")
    sys.stdout.write(cli_config(mirror, addresses))


def lay_out(pkg_dir, dist, version, zips, layout):
    """Copies (packed) or unzips (unpacked) every zip into one provider's
    directory of the mirror."""
    os.makedirs(pkg_dir, exist_ok=True)
    for platform, name in zips:
        if layout == "packed":
            dest = os.path.join(pkg_dir, name)
            shutil.copyfile(os.path.join(dist, name), dest + ".tmp")
            os.replace(dest + ".tmp", dest)
        else:
            dest = os.path.join(pkg_dir, version, platform)
            shutil.rmtree(dest, ignore_errors=True)
            os.makedirs(dest)
            with zipfile.ZipFile(os.path.join(dist, name)) as z:
                for info in z.infolist():
                    target = os.path.join(dest, os.path.basename(info.filename))
                    with z.open(info) as src, open(target, "wb") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
                    os.chmod(target, (info.external_attr >> 16) & 0o777 or 0o755)
        say("install-mirror: %s" % dest)


def main():
    p = argparse.ArgumentParser(prog="provider_dist.py")
    sub = p.add_subparsers(dest="cmd", required=True)

    pk = sub.add_parser("package", help="zips, manifest and SHA256SUMS from built binaries")
    pk.add_argument("--version", required=True)
    pk.add_argument("--out", required=True)
    pk.add_argument("--host-platform", required=True)
    pk.add_argument("--binary", action="append", required=True, metavar="OS_ARCH=PATH")
    pk.add_argument("--no-compress", action="store_true")
    pk.add_argument("--sign-key", help="GnuPG key id to sign SHA256SUMS with")
    pk.set_defaults(func=cmd_package)

    mi = sub.add_parser("mirror", help="lay out a filesystem mirror from release artifacts")
    mi.add_argument("mirror")
    mi.add_argument("--dist", required=True)
    mi.add_argument("--version")
    mi.add_argument("--layout", choices=["packed", "unpacked"], default="packed")
    mi.add_argument("--for", dest="host", choices=sorted(HOSTNAMES))
    mi.add_argument("--hostname")
    mi.add_argument("--namespace", default=DEFAULT_NAMESPACE)
    mi.set_defaults(func=cmd_mirror)

    args = p.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
