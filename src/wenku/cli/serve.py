from __future__ import annotations

import argparse
import sys

NAME = "serve"
HELP = "Run Wenku: migrate the database, start the web server and a worker."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--no-worker", action="store_true", help="do not start a worker beside the web server")


def handle(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command

    from wenku.cli.supervise import Child, Supervisor

    call_command("migrate", interactive=False, verbosity=0)
    w = settings.WENKU
    web = [
        sys.executable, "-m", "gunicorn", "wenku.wsgi:application",
        "--bind", f"{args.host}:{args.port}",
        "--worker-class", "gthread",
        "--workers", str(w["WENKU_WEB_PROCESSES"]),
        "--threads", str(w["WENKU_WEB_THREADS"]),
        "--timeout", "120",
        "--graceful-timeout", "10",
        "--forwarded-allow-ips", "127.0.0.1,::1",
        "--log-level", "warning",
    ]
    children = [Child("web", web, restart=False)]
    if not args.no_worker:
        children.append(Child("worker", [sys.executable, "-m", "wenku", "worker"], restart=True))
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"Wenku is running at http://{host}:{args.port}/", flush=True)
    print(f"  data folder: {settings.DATA_DIR}", flush=True)
    print("  press Ctrl-C to stop", flush=True)
    env = {"WENKU_DATA_DIR": str(settings.DATA_DIR)}
    import os

    return Supervisor(children, env={**os.environ, **env}).run()
