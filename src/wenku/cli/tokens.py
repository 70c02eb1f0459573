from __future__ import annotations

import argparse

NAME = "token"
HELP = "Create an API token for a user (printed once; send it as 'Authorization: Bearer …')."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("username")
    parser.add_argument("--name", default="cli", help="a label for the token")


def handle(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model

    from wenku.accounts.models import ApiToken

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        print(f"wenku: no user named {args.username!r}")
        return 2
    _, raw = ApiToken.issue(user, args.name)
    print(raw)
    return 0
