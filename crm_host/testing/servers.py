"""Real servers for tests: gunicorn on a free loopback port, on a test database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
import sqlalchemy as sa


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(
    url: sa.URL,
    instance: Path,
    *,
    workers: int = 2,
    threads: int = 4,
    app: str = "crm_host.wsgi:app",
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Serve ``app`` (the host by default) on ``url``'s database; yields the base URL once ready.

    ``app`` must answer ``GET /readyz`` with 200 once it can serve; ``env`` adds
    environment variables for it.
    """
    port = free_port()
    environment = {
        **os.environ,
        "CRM_DATABASE_URL": url.render_as_string(hide_password=False),
        "CRM_INSTANCE_PATH": str(instance),
        "CRM_SECRET_KEY": "test-server",
        "CRM_WORKER_THREAD": "false",
        **(env or {}),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            app,
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {server.stderr.read().decode()[-2000:]}")
            try:
                if requests.get(f"{base}/readyz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                # Not listening yet, or listening while the workers still boot: the
                # socket takes the connection before any worker is ready to answer.
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not become ready in 60 s")
            time.sleep(0.2)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
