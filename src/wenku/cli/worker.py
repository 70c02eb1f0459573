from __future__ import annotations

import argparse
import sys

from wenku.config import conf

NAME = "worker"
HELP = "Run background workers that ingest uploaded documents."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        metavar="N",
        help="worker processes to run (each with its own LibreOffice); default 1",
    )


def handle(args: argparse.Namespace) -> int:

    if args.concurrency < 1:
        print("wenku: --concurrency must be at least 1", file=sys.stderr)
        return 2
    if args.concurrency == 1:
        from wenku.publishing.worker import HOOKS
        from wenku.worker.runner import Worker

        worker = Worker(poll_seconds=conf().worker_poll_seconds, hooks=HOOKS)
        worker.install_signal_handlers()
        worker.run()
        return 0
    from wenku.cli.supervise import Child, Supervisor

    argv = [sys.executable, "-m", "wenku", "worker", "--concurrency", "1"]
    children = [Child(f"worker-{i + 1}", argv, restart=True) for i in range(args.concurrency)]
    return Supervisor(children).run()
