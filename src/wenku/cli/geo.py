"""``wenku geo``: install the ip2region data that places uploaders, and look addresses up.

The data is not in the repository: ``wenku geo update`` fetches the npm package
``dy-node-ip2region`` with npm (so the site's npm configuration — mirror, proxy —
applies; without npm, straight from the registry over HTTPS), checks the tarball's
SHA-512 against the integrity the registry published for that version (pinned here),
and installs its ``data/ip2region.db``.
It does nothing when the file is already there. Offline, ``--from`` installs from a
tarball copied by hand. Without data Wenku runs as before and shows no province.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

NAME = "geo"
HELP = "Install the ip2region data that shows uploaders' provinces, or look addresses up."
DJANGO = False  # works before the database exists (the Makefile runs it at install time)

PACKAGE = "dy-node-ip2region"
VERSION = "1.0.1"
# dist.integrity of dy-node-ip2region@1.0.1 as the npm registry publishes it.
INTEGRITY = (
    "sha512-umCgWXhY3TfZF1vVB8pKacqKV2F9TIlUH9kazxVnBm6sAz+gCWIy40ccWhHM9/"
    "HKyTo0IbDMdJ7fyUNs0BsoRA=="
)
REGISTRY = "https://registry.npmjs.org"
MEMBER = "package/data/ip2region.db"
MAX_MEMBER_BYTES = 64 * 1024 * 1024


class InstallError(RuntimeError):
    """The data could not be fetched or verified; the message says what to do."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="geo_command", required=True, metavar="ACTION")
    update = sub.add_parser("update", help="fetch and install the data if it is missing")
    update.add_argument("--force", action="store_true", help="fetch again even if present")
    update.add_argument(
        "--from",
        dest="tarball",
        metavar="TGZ",
        help=f"install from a downloaded {PACKAGE}-{VERSION}.tgz instead of fetching it",
    )
    update.add_argument("--to", metavar="FILE", help="install here instead of the default location")
    lookup = sub.add_parser("lookup", help="show where addresses are, as document pages do")
    lookup.add_argument("addresses", nargs="+", metavar="IP")


def handle(args: argparse.Namespace) -> int:
    if args.geo_command == "update":
        return _update(args)
    return _lookup(args)


def _configured() -> str:
    from wenku import config

    try:
        return ",".join(config.load().ip2region_db)
    except config.ConfigError as exc:
        raise SystemExit(f"wenku: configuration error: {exc}") from None


def _update(args: argparse.Namespace) -> int:
    from wenku.core import geo

    target = Path(args.to).expanduser() if args.to else geo.default_path()
    configured = _configured()
    if configured and not args.to:
        print(f"note: WENKU_IP2REGION_DB={configured} is set; Wenku reads that, not {target}")
    if not args.force:
        status = geo.Geo([target]).status[0]
        if status.ok:
            print(f"ip2region data present: {target} ({status.detail})")
            return 0
    try:
        detail = install(target, Path(args.tarball) if args.tarball else None)
    except InstallError as exc:
        print(f"wenku geo update: {exc}")
        print("Wenku works without it; pages show no province until the data is installed.")
        return 1
    print(f"ip2region data installed: {target} ({detail})")
    return 0


def install(target: Path, tarball: Path | None = None) -> str:
    """Fetch (unless given) and verify the package, and install its data file atomically."""
    from wenku.core import geo

    with tempfile.TemporaryDirectory(prefix="wenku-geo-") as tmp:
        if tarball is None:
            tarball = _npm_pack(Path(tmp))
        _verify(tarball)
        data = _extract(tarball)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.{os.getpid()}.part")
            partial.write_bytes(data)
        except OSError as exc:
            raise InstallError(
                f"cannot write {target} ({exc.strerror}); choose a writable place with "
                "--to FILE and set WENKU_IP2REGION_DB to it"
            ) from None
        try:
            reader = geo.open_reader(partial)
            detail = f"{reader.kind}, IPv{reader.family}, {reader.records:,} ranges"
        except (OSError, ValueError) as exc:
            partial.unlink(missing_ok=True)
            raise InstallError(f"the package's data file is not usable: {exc}") from None
        os.replace(partial, target)
    return detail


def _download(folder: Path) -> Path:
    """Without npm: the same tarball straight from the registry (its hash is checked after)."""
    import urllib.request

    url = f"{REGISTRY}/{PACKAGE}/-/{PACKAGE}-{VERSION}.tgz"
    path = folder / f"{PACKAGE}-{VERSION}.tgz"
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(path, "wb") as out:
            shutil.copyfileobj(response, out)
    except OSError as exc:
        raise InstallError(
            f"could not download {url} ({exc}); fetch it elsewhere and run "
            f"`wenku geo update --from {path.name}`"
        ) from None
    return path


def _npm_pack(folder: Path) -> Path:
    npm = shutil.which("npm")
    spec = f"{PACKAGE}@{VERSION}"
    if npm is None:
        return _download(folder)
    env = {
        **os.environ,
        "npm_config_update_notifier": "false",
        "npm_config_fund": "false",
        "npm_config_audit": "false",
    }
    try:
        result = subprocess.run(
            [npm, "pack", spec, "--json", "--pack-destination", str(folder)],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.TimeoutExpired:
        raise InstallError(f"`npm pack {spec}` did not finish in 5 minutes (offline?)") from None
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise InstallError(f"`npm pack {spec}` failed (offline?): {last}")
    try:
        filename = json.loads(result.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError):
        filename = f"{PACKAGE}-{VERSION}.tgz"
    path = folder / filename
    if not path.is_file():
        raise InstallError(f"`npm pack {spec}` did not leave {filename}")
    return path


def _verify(tarball: Path) -> None:
    algorithm, _, expected = INTEGRITY.partition("-")
    digest = hashlib.new(algorithm)
    try:
        with open(tarball, "rb") as fh:
            while chunk := fh.read(1024 * 1024):
                digest.update(chunk)
    except OSError as exc:
        raise InstallError(f"cannot read {tarball}: {exc.strerror}") from None
    actual = base64.b64encode(digest.digest()).decode()
    if actual != expected:
        raise InstallError(
            f"{tarball.name} is not {PACKAGE}@{VERSION}: its {algorithm} is {actual}, "
            f"the registry published {expected}"
        )


def _extract(tarball: Path) -> bytes:
    """Read the one data file out of the tarball (nothing else is unpacked)."""
    try:
        with tarfile.open(tarball, "r:gz") as archive:
            member = archive.getmember(MEMBER)
            if not member.isfile() or member.size > MAX_MEMBER_BYTES:
                raise InstallError(f"{MEMBER} in {tarball.name} is not a plain data file")
            stream = archive.extractfile(member)
            assert stream is not None
            return stream.read()
    except KeyError:
        raise InstallError(f"{tarball.name} has no {MEMBER}") from None
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise InstallError(f"cannot read {tarball.name}: {exc}") from None


def _lookup(args: argparse.Namespace) -> int:
    from wenku.core import geo

    found = geo.Geo(geo.configured_paths(_configured()))
    for status in found.status:
        print(f"data: {status.path} ({status.detail})")
    for address in args.addresses:
        print(f"{address}\t{found.province(address) or '-'}")
    return 0 if found.readers else 1
