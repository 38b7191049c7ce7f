"""Under gunicorn with two workers, a bounded loopback load on customer search has no errors."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from crm_host.customers import service
from crm_host.demo.data import generate_customers
from crm_host.directory import create_user
from crm_host.tokens import create_token

REQUESTS = 400
CLIENTS = 8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_customer_search_under_gunicorn(committed_app, committed_db, tmp_path):
    with committed_db.session() as session:
        session.info.update(committed_app.extensions["crm"].db.info)
        for item in generate_customers(300):
            service.create_customer(
                session,
                {
                    "code": item.code,
                    "name": item.name,
                    "kind": item.kind,
                    "city": item.city,
                    "email": item.email,
                },
            )
        user = create_user(session, username="loader", password="password-123", is_admin=True)
        _, secret = create_token(session, user, name="load")
    port = free_port()
    env = {
        **os.environ,
        "CRM_DATABASE_URL": committed_db.url.render_as_string(hide_password=False),
        "CRM_INSTANCE_PATH": str(tmp_path),
        "CRM_SECRET_KEY": "load",
        "CRM_WORKER_THREAD": "false",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
            "crm_host.wsgi:app",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, (
                server.stderr.read1().decode() if server.poll() else "not ready"
            )
            time.sleep(0.2)
        queries = ["王", "李", "C0000", "张伟", "example", "苏州", "Smith", "王芳"]
        headers = {"Authorization": f"Bearer {secret}"}

        def search(n: int) -> tuple[int, int]:
            response = requests.get(
                f"{base}/api/v1/customers",
                params={"q": queries[n % len(queries)], "limit": 20},
                headers=headers,
                timeout=30,
            )
            return response.status_code, len(response.json()["items"])

        with ThreadPoolExecutor(CLIENTS) as pool:
            results = list(pool.map(search, range(REQUESTS)))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    errors = [status for status, _ in results if status != 200]
    assert errors == []
    assert sum(count for _, count in results) > 0  # the searches found customers
