from __future__ import annotations

import argparse
import os
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
    parser.add_argument(
        "--queues",
        default="",
        metavar="SPEC",
        help=(
            "queues to take jobs from, comma-separated (default: all). With a count per "
            "queue (ingest=2,ocr=1) each queue gets its own processes, as many as its count"
        ),
    )
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=0,
        metavar="PORT",
        help="serve these workers' Prometheus /metrics on PORT (for machines without a web node)",
    )


class SpecError(ValueError):
    pass


def parse_queues(spec: str, concurrency: int, known: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The worker processes to start, as the queues each one serves.

    ``""`` → ``concurrency`` processes serving every queue; ``"a,b"`` → ``concurrency``
    processes serving a and b; ``"a=2,b=1"`` → two processes for a, one for b (a queue
    named without a count gets one).
    """
    entries = [entry.strip() for entry in spec.split(",") if entry.strip()]
    if not entries:
        return [known] * concurrency
    counted = any("=" in entry for entry in entries)
    groups: list[tuple[str, ...]] = []
    names: list[str] = []
    for entry in entries:
        name, _, count = entry.partition("=")
        name = name.strip()
        if name not in known:
            raise SpecError(f"unknown queue {name!r} (queues: {', '.join(known)})")
        if not counted:
            names.append(name)
            continue
        try:
            n = int(count or 1)
        except ValueError:
            raise SpecError(f"not a number of processes: {entry!r}") from None
        if n < 1:
            raise SpecError(f"a queue needs at least one process: {entry!r}")
        groups += [(name,)] * n
    return groups or [tuple(names)] * concurrency


def handle(args: argparse.Namespace) -> int:
    from wenku.worker.runner import default_queues

    if args.concurrency < 1:
        print("wenku: --concurrency must be at least 1", file=sys.stderr)
        return 2
    try:
        groups = parse_queues(args.queues, args.concurrency, default_queues())
    except SpecError as exc:
        print(f"wenku: --queues: {exc}", file=sys.stderr)
        return 2
    if len(groups) == 1:
        return _run_one(groups[0], args.metrics_port)
    return _supervise(groups, args.metrics_port)


def _run_one(queues: tuple[str, ...], metrics_port: int) -> int:
    from wenku.core import metrics
    from wenku.publishing.worker import HOOKS
    from wenku.worker.runner import Worker

    if metrics_port:
        metrics.serve_http(metrics_port, os.environ.get(metrics.ENV))
    worker = Worker(poll_seconds=conf().worker_poll_seconds, hooks=HOOKS, queues=queues)
    worker.install_signal_handlers()
    worker.run()
    return 0


def _supervise(groups: list[tuple[str, ...]], metrics_port: int) -> int:
    import shutil

    from django.conf import settings

    from wenku.cli.supervise import Child, Supervisor
    from wenku.core import metrics

    env, folder = dict(os.environ), None
    if not env.get(metrics.ENV):  # under `wenku serve` its folder is already shared
        folder = settings.DATA_DIR / "tmp" / f"metrics-worker-{os.getpid()}"
        env.update(metrics.prepare_folder(folder))
    if metrics_port:
        metrics.serve_http(metrics_port, env[metrics.ENV])
    children = [
        Child(
            f"worker-{i + 1}",
            [sys.executable, "-m", "wenku", "worker", "--queues", ",".join(queues)],
            restart=True,
        )
        for i, queues in enumerate(groups)
    ]
    try:
        return Supervisor(children, env=env).run()
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
