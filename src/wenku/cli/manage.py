from __future__ import annotations

import argparse

NAME = "manage"
HELP = "Run a Django management command (migrate, createsuperuser, shell ...)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the command and its arguments")


def handle(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["wenku manage", *args.args])
    return 0
