"""A bounded loopback load on gunicorn: 50 clients reading and writing for a fixed time.

Zero errors, and no lost writes: every customer the server said it created is in
the database afterwards, with the change the server said it made, and nothing else.
"""

from __future__ import annotations

import os
import random
import time
from concurrent.futures import ThreadPoolExecutor

import requests
import sqlalchemy as sa

from crm_host.core.models import Customer
from crm_host.domain.directory import create_user
from crm_host.security.tokens import create_token
from crm_host.testing.servers import gunicorn

CLIENTS = 50
SECONDS = float(os.environ.get("CRM_LOAD_SECONDS", "30"))


def test_fifty_clients_read_and_write_without_errors_or_lost_writes(
    committed_app, committed_db, tmp_path
):
    with committed_db.session() as session:
        user = create_user(session, username="load", password="password-123", is_admin=True)
        _, secret = create_token(session, user, name="load")
    headers = {"Authorization": f"Bearer {secret}"}
    with gunicorn(committed_db.url, tmp_path, workers=2, threads=8) as base:

        def client(number: int) -> dict:
            rng = random.Random(number)
            http = requests.Session()
            http.headers.update(headers)
            seen = {"errors": [], "created": {}, "tiers": {}}
            deadline = time.monotonic() + SECONDS
            serial = 0
            while time.monotonic() < deadline:
                roll = rng.random()
                if roll < 0.3 or not seen["created"]:
                    serial += 1
                    code = f"L{number:02d}-{serial:05d}"
                    answer = http.post(
                        f"{base}/api/v1/customers",
                        timeout=60,
                        json={"code": code, "name": f"负载{number}", "kind": "person"},
                    )
                    if answer.status_code == 201:
                        seen["created"][code] = answer.json()["id"]
                elif roll < 0.45:
                    code, customer_id = rng.choice(list(seen["created"].items()))
                    tier = rng.choice(["gold", "silver", "bronze"])
                    answer = http.patch(
                        f"{base}/api/v1/customers/{customer_id}", timeout=60, json={"tier": tier}
                    )
                    if answer.status_code == 200:
                        seen["tiers"][code] = tier
                elif roll < 0.75:
                    answer = http.get(
                        f"{base}/api/v1/customers", params={"q": "负载", "limit": 20}, timeout=60
                    )
                else:
                    _, customer_id = rng.choice(list(seen["created"].items()))
                    answer = http.get(f"{base}/api/v1/customers/{customer_id}", timeout=60)
                if answer.status_code >= 300:
                    seen["errors"].append(
                        (answer.request.method, answer.status_code, answer.text[:200])
                    )
            return seen

        with ThreadPoolExecutor(CLIENTS) as pool:
            results = list(pool.map(client, range(CLIENTS)))

    errors = [e for r in results for e in r["errors"]]
    assert errors == []
    created = {code: cid for r in results for code, cid in r["created"].items()}
    tiers = {code: tier for r in results for code, tier in r["tiers"].items()}
    with committed_db.engine.connect() as connection:
        stored = dict(connection.execute(sa.select(Customer.code, Customer.tier)).all())
    assert set(stored) == set(created)  # none lost, none extra
    assert all(stored[code] == tier for code, tier in tiers.items())  # last writes kept
    assert len(created) > CLIENTS  # the load really wrote
