"""The ``wenku`` command: serve, worker, import, doctor, token, manage, demo, geo, reindex."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

COMMANDS = (
    "serve", "worker", "import", "doctor", "token", "manage", "demo", "geo", "reindex",
    "backup", "restore", "migrate-data",
)  # fmt: skip


def setup_django(data_dir: str | None) -> None:
    """Point Wenku at a data folder and start Django (settings are read here, once)."""
    if data_dir:
        os.environ["WENKU_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenku.settings")
    import django

    from wenku.config import ConfigError

    try:
        django.setup()
    except ConfigError as exc:
        sys.exit(f"wenku: configuration error: {exc}")


def build_parser() -> argparse.ArgumentParser:
    from wenku.cli import (
        backup,
        demo,
        doctor,
        geo,
        importer,
        manage,
        migrate_data,
        reindex,
        restore,
        serve,
        tokens,
        worker,
    )

    parser = argparse.ArgumentParser(prog="wenku", description="Wenku (文库) document library.")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands = (serve, worker, importer, doctor, tokens, manage, demo, geo, reindex)
    for module in (*commands, backup, restore, migrate_data):
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        command.add_argument(
            "--data", metavar="DIR", help="data folder (default: $WENKU_DATA_DIR or ./wenku-data)"
        )
        module.add_arguments(command)
        command.set_defaults(handler=module.handle, django=getattr(module, "DJANGO", True))
    return parser


def _version() -> str:
    from wenku import __version__

    return f"wenku {__version__}"


def take_data_option(argv: Sequence[str]) -> tuple[str | None, list[str]]:
    """``--data DIR`` (or ``--data=DIR``) wherever it stands — before the command, after
    it, or among a ``manage`` command's own arguments, where Django's parser would read
    it as an abbreviation of ``--database`` — and the arguments without it.
    The last one given wins; everything after a ``--`` is left alone."""
    data: str | None = None
    rest: list[str] = []
    items = list(argv)
    i = 0
    while i < len(items):
        item = items[i]
        if item == "--":
            rest.extend(items[i:])
            break
        if item == "--data":
            if i + 1 >= len(items):
                sys.exit("wenku: --data needs a folder: --data DIR")
            data = items[i + 1]
            i += 2
            continue
        if item.startswith("--data="):
            data = item.partition("=")[2]
        else:
            rest.append(item)
        i += 1
    return data, rest


def main(argv: Sequence[str] | None = None) -> None:
    data, rest = take_data_option(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(rest)
    if data is not None:
        args.data = data
    if args.django:  # a command that works without the database sets DJANGO = False
        setup_django(args.data)
    sys.exit(args.handler(args) or 0)
