"""A test of the ETag / If-Match contract, the same for every versioned object.

A plugin that makes an object versioned proves its routes honour the contract with
one call per write route::

    assert_if_match_protocol(
        client, app, f"/api/v1/sales/leads/{lead.id}",
        write=("PATCH", f"/api/v1/sales/leads/{lead.id}"),
        bodies=[{"name": "A"}, {"name": "B"}, {"name": "C"}],
    )

It asserts, against the object's own GET: an ``ETag`` is sent; a stale tag, a weak
tag and a tag of another version are refused with 412 and a JSON message and
change nothing; the current tag is accepted and the answer carries the new ETag,
the one GET gives afterwards; no ``If-Match`` is accepted, or refused with 428
when ``REQUIRE_IF_MATCH`` is on; ``*`` is accepted.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

ETAG = re.compile(r'^"(\d+)\.(\d+)"$')


def read_etag(client: FlaskClient, read_url: str) -> tuple[str, Any]:
    """GET ``read_url``: its ETag (checked to be a strong version tag) and its JSON body."""
    response = client.get(read_url)
    assert response.status_code == 200, response.json
    etag = response.headers.get("ETag")
    assert etag is not None and ETAG.match(etag), f"no version ETag on GET {read_url}: {etag!r}"
    return etag, response.json


def _send(client: FlaskClient, write: tuple[str, str], body: Any, if_match: str | None) -> Any:
    method, url = write
    headers = {} if if_match is None else {"If-Match": if_match}
    return client.open(url, method=method, json=body, headers=headers)


def assert_if_match_protocol(
    client: FlaskClient,
    app: Flask,
    read_url: str,
    *,
    write: tuple[str, str],
    bodies: list[Any],
    ok: int = 200,
) -> str:
    """Check the If-Match contract of one write route (see the module docstring).

    ``bodies`` holds two or three writes, each valid after the one before
    (transitions may need different bodies): the first goes with the current tag,
    the second without ``If-Match``, a third with ``*``. ``ok`` is the write's
    success status. Returns the ETag the record has at the end.
    """
    assert len(bodies) in (2, 3), "two or three successive writes are needed"
    etag, before = read_etag(client, read_url)
    object_id, version = ETAG.match(etag).groups()  # type: ignore[union-attr]
    for stale in (f'"{object_id}.{int(version) - 1}"', f"W/{etag}", '"other"'):
        refused = _send(client, write, bodies[0], stale)
        assert refused.status_code == 412, (
            f"If-Match {stale}: expected 412, got {refused.status_code} {refused.json}"
        )
        assert refused.is_json and refused.json["message"], refused.data
        assert read_etag(client, read_url) == (etag, before), f"{stale} changed the record"

    accepted = _send(client, write, bodies[0], f'"nope", {etag}')
    assert accepted.status_code == ok, accepted.json
    new_etag, _ = read_etag(client, read_url)
    assert new_etag != etag, "the write did not raise the version"
    if ok != 204:
        assert accepted.headers.get("ETag") == new_etag

    previous = app.config.get("REQUIRE_IF_MATCH")
    app.config["REQUIRE_IF_MATCH"] = True
    try:
        required = _send(client, write, bodies[1], None)
    finally:
        app.config["REQUIRE_IF_MATCH"] = previous
    assert required.status_code == 428, required.json
    assert required.is_json and "If-Match" in required.json["message"]
    assert read_etag(client, read_url)[0] == new_etag, "a refused write changed the record"

    assert _send(client, write, bodies[1], None).status_code == ok
    after_plain, _ = read_etag(client, read_url)
    assert after_plain != new_etag
    if len(bodies) == 2:
        return after_plain
    assert _send(client, write, bodies[2], "*").status_code == ok
    final, _ = read_etag(client, read_url)
    assert final != after_plain
    return final


def assert_delete_if_match(
    client: FlaskClient, app: Flask, read_url: str, delete_url: str, *, gone: int = 404
) -> None:
    """DELETE honours If-Match: stale → 412 (nothing deleted), 428 when required, then
    the current tag deletes (``gone`` is what the GET answers afterwards; an archived
    record may still answer 200)."""
    etag, before = read_etag(client, read_url)
    object_id, version = ETAG.match(etag).groups()  # type: ignore[union-attr]
    stale = client.delete(delete_url, headers={"If-Match": f'"{object_id}.{int(version) - 1}"'})
    assert stale.status_code == 412 and stale.json["message"], stale.json
    assert read_etag(client, read_url) == (etag, before)
    previous = app.config.get("REQUIRE_IF_MATCH")
    app.config["REQUIRE_IF_MATCH"] = True
    try:
        assert client.delete(delete_url).status_code == 428
    finally:
        app.config["REQUIRE_IF_MATCH"] = previous
    assert read_etag(client, read_url) == (etag, before)
    assert client.delete(delete_url, headers={"If-Match": etag}).status_code == 204
    assert client.get(read_url).status_code == gone
