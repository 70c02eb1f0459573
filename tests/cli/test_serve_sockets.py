"""`wenku serve`'s listening sockets: connections reach every web process, and a port
another server holds is refused before anything starts."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter

import psutil
import pytest
from bench.harness import free_port

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

CONNECTIONS = 16  # wrk's in bench/pages.py: all on one process there, before --reuse-port


def _answered(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/robots.txt")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _listening_sockets(process: psutil.Process, port: int) -> set[str]:
    """The listening sockets of ``port`` open in ``process``, by inode ("socket:[N]")."""
    return {
        os.readlink(f"/proc/{process.pid}/fd/{c.fd}")
        for c in process.net_connections(kind="tcp")
        if c.status == psutil.CONN_LISTEN and c.laddr.port == port
    }


def _burst(port: int, workers: list[psutil.Process]) -> Counter[int]:
    """Open CONNECTIONS connections at once, make a request on each, and count which web
    process holds each one (kept alive)."""
    connections = []
    try:
        for _ in range(CONNECTIONS):  # connected at once, waiting together to be accepted
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.connect()
            connections.append(connection)
        for connection in connections:
            connection.request("GET", "/robots.txt")
        for connection in connections:
            response = connection.getresponse()
            response.read()
            assert response.status == 200
        ours = {c.sock.getsockname()[1] for c in connections}
        held: Counter[int] = Counter()
        for worker in workers:
            for c in worker.net_connections(kind="tcp"):
                if c.status == psutil.CONN_ESTABLISHED and c.raddr and c.raddr.port in ours:
                    held[worker.pid] += 1
        return held
    finally:
        for connection in connections:
            connection.close()


def test_kept_alive_connections_are_spread_over_the_web_processes(child_env):
    """Bursts of kept-alive connections, as from a load balancer or wrk: with one socket
    shared by the processes, the process that woke first often accepted a whole burst
    and served it on one core under its GIL, the other idle (bench/pages.py: guests'
    pages at 601/s with the machine 64 % busy). Each process now listens on a socket of
    its own (SO_REUSEPORT) and the kernel spreads the connections among them."""
    port = free_port()
    env = {**child_env, "WENKU_WEB_PROCESSES": "2"}
    server = subprocess.Popen(
        [sys.executable, "-m", "wenku", "serve", "--no-worker", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not _answered(port):
            assert server.poll() is None and time.monotonic() < deadline, "serve did not answer"
            time.sleep(0.2)
        workers = [
            p
            for p in psutil.Process(server.pid).children(recursive=True)
            if "gunicorn" in " ".join(p.cmdline()) and p.parent().pid != server.pid
        ]
        assert len(workers) == 2
        sockets = [_listening_sockets(w, port) for w in workers]
        assert all(len(s) == 1 for s in sockets) and sockets[0] != sockets[1], sockets
        for _ in range(3):
            held = _burst(port, workers)
            assert sum(held.values()) == CONNECTIONS
            # 16 connections hashed over 2 sockets all land on one with odds of 1 in 32,768
            assert all(held[w.pid] >= 1 for w in workers), f"connections per process: {held}"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_a_port_another_server_listens_on_is_refused_before_anything_starts(child_env):
    """The web processes listen with SO_REUSEPORT, which would let a second server of the
    same user share a port with the first: serve checks the port first and says why."""
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # as a running Wenku
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "wenku", "serve", "--no-worker", "--port", str(port)],
            env=child_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Address already in use" in result.stderr
