"""Under gunicorn with two workers, a bounded loopback load on customer search has no errors."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from crm_host.demo.data import generate_customers
from crm_host.domain.customers import service
from crm_host.domain.directory import create_user
from crm_host.security.tokens import create_token
from crm_host.testing.servers import gunicorn

REQUESTS = 400
CLIENTS = 8


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
    queries = ["王", "李", "C0000", "张伟", "example", "苏州", "Smith", "王芳"]
    headers = {"Authorization": f"Bearer {secret}"}
    with gunicorn(committed_db.url, tmp_path) as base:

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
    assert [status for status, _ in results if status != 200] == []
    assert sum(count for _, count in results) > 0  # the searches found customers
