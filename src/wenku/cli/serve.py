from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import time

from wenku.config import conf

NAME = "serve"
HELP = "Run Wenku: migrate the database, start the web server and a worker."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument(
        "--no-worker", action="store_true", help="do not start a worker beside the web server"
    )


def handle(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from wenku.cli.publicsite import bind_refusal
    from wenku.cli.supervise import Child, Supervisor
    from wenku.core import metrics
    from wenku.library.models import Document

    w = conf()
    refusal = bind_refusal(args.host, w)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    taken = port_taken(args.host, args.port)
    if taken:
        print(taken, file=sys.stderr)
        return 2
    call_command("migrate", interactive=False, verbosity=0)
    web = [
        sys.executable,
        "-m",
        "gunicorn",
        "wenku.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(w.web_processes),
        # A listening socket per process, among which the kernel spreads connections:
        # with one shared socket, the process that wakes first accepts them, and under a
        # burst of kept-alive connections one process (one core, under its GIL) took
        # every one while the other idled (docs/benchmarks.md, Pages, 2026-12-06 later).
        "--reuse-port",
        "--threads",
        str(w.web_threads),
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
        # gunicorn believes X-Forwarded-Proto from the same proxies as Wenku does.
        "--forwarded-allow-ips",
        ",".join(w.trusted_proxies),
        "--log-level",
        "warning",
    ]
    children = [Child("web", web, restart=False)]
    if not args.no_worker:
        children.append(Child("worker", [sys.executable, "-m", "wenku", "worker"], restart=True))
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host

    no_accounts = not get_user_model().objects.exists()
    no_documents = not Document.objects.exists()

    def announce() -> None:
        if _wait_for_port(host, args.port, seconds=60):
            print(f"Wenku is running at http://{host}:{args.port}/", flush=True)
            print(f"  data folder: {settings.DATA_DIR}", flush=True)
            if no_accounts:
                print(
                    "  no accounts yet: register on the site, or create an administrator with"
                    f" `wenku manage createsuperuser --data {settings.DATA_DIR}`",
                    flush=True,
                )
            if no_documents:
                print(
                    "  the library is empty: add sample documents with"
                    f" `wenku demo --data {settings.DATA_DIR}` (or `make demo`)",
                    flush=True,
                )
            print("  press Ctrl-C to stop", flush=True)

    logging.getLogger("wenku.serve").info(
        "serving on %s:%s with %s web processes × %s threads%s",
        args.host,
        args.port,
        w.web_processes,
        w.web_threads,
        "" if args.no_worker else " and a worker",
        extra={"data_dir": str(settings.DATA_DIR)},
    )
    env = {
        **os.environ,
        "WENKU_DATA_DIR": str(settings.DATA_DIR),
        # One folder of counts for the web processes and the worker: /metrics sums them.
        **metrics.prepare_folder(settings.DATA_DIR / "tmp" / "metrics"),
    }
    return Supervisor(children, env=env).run(on_started=announce)


def port_taken(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be served, or None. Checked before the web processes
    start: they listen with SO_REUSEPORT, so a second server of the same user would
    share the port with the first instead of failing."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            return f"wenku serve cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def _wait_for_port(host: str, port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False
