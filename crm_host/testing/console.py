"""Console testing: a live server, a Chromium browser driven by Playwright, a crawler.

Browser tests need Debian's ``chromium`` (a browser download does not work
everywhere): set ``CRM_CHROMIUM`` to another executable if needed. Without a
browser they skip — unless ``CRM_REQUIRE_BROWSER`` is set (CI sets it), where a
skipped browser test would hide a broken console, so they fail instead.
Screenshots of every browser test are kept in ``CRM_SCREENSHOTS`` (default
``artifacts/screenshots``).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

DEFAULT_SCREENSHOTS = "artifacts/screenshots"


@pytest.fixture
def live_server(committed_app: Flask) -> Iterator[str]:
    """The ``committed_db`` tier's app served on a loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, committed_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="crm-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def embedded_server(committed_app: Flask) -> Iterator[str]:
    """The app served by ``crm serve``'s own server (waitress) on a loopback port.

    ``live_server`` runs Werkzeug's server; this one shows what waitress does differently
    (it buffers bodies, and has its own rules for headers and forwarded addresses).
    """
    from crm_host.web.embedded import create_server

    server = create_server(committed_app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, name="crm-embedded-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


def chromium_path() -> str | None:
    """The Chromium executable browser tests drive, if there is one."""
    return (
        os.environ.get("CRM_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Chromium launched once for the test session."""
    path = chromium_path()
    if path is None:
        message = "browser tests need chromium (apt-get install chromium) or CRM_CHROMIUM"
        if os.environ.get("CRM_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium: Any, live_server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser tab on the live server (English); a screenshot is kept after the test."""
    context = chromium.new_context(
        base_url=live_server, locale="en-GB", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        folder = Path(os.environ.get("CRM_SCREENSHOTS", DEFAULT_SCREENSHOTS))
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        try:
            page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        finally:
            context.close()


def sign_in(page: Any, username: str, password: str) -> None:
    """Sign in through the console's form and wait for the dashboard."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


# --- the crawler -------------------------------------------------------------------


@dataclass
class Form:
    """A form found on a page: where it posts and its fields with their default values."""

    page: str
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.url, a["href"]))
        elif tag == "form":
            self._form = Form(
                page=self.url,
                action=urljoin(self.url, a.get("action") or self.url),
                method=(a.get("method") or "get").lower(),
            )
            self.forms.append(self._form)
        elif self._form is not None and tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind == "file":
                self._form.files.append(a["name"])
            elif kind == "checkbox":
                if "checked" in a:
                    self._form.fields[a["name"]] = a.get("value") or "on"
            elif kind != "submit" or a["name"] not in self._form.fields:
                self._form.fields.setdefault(a["name"], a.get("value", ""))
        elif self._form is not None and tag == "button" and a.get("name"):
            self._form.choices.setdefault(a["name"], []).append(a.get("value", ""))
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form.choices[self._select] = []
        elif self._form is not None and tag == "option" and self._select:
            self._form.choices[self._select].append(a.get("value", ""))
            if "selected" in a or self._select not in self._form.fields:
                self._form.fields[self._select] = a.get("value", "")
        elif self._form is not None and tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form.fields[a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data


def parse_page(url: str, html: str) -> tuple[list[str], list[Form]]:
    """The links and forms of a page."""
    parser = _PageParser(url)
    parser.feed(html)
    return parser.links, parser.forms


#: Values that break every rule a field can have: too long, wrong type, hostile.
INVALID_VALUES = ("", "x" * 5000, "99999999999999999999", "<script>alert(1)</script>\x00")


@dataclass
class CrawlReport:
    """What a crawl saw: pages opened, forms submitted, and answers of 500 or more."""

    pages: list[str] = field(default_factory=list)
    submissions: int = 0
    failures: list[str] = field(default_factory=list)


def crawl(
    client: FlaskClient,
    start: str = "/",
    *,
    max_pages: int = 150,
    skip: Callable[[str], bool] = lambda path: False,
) -> CrawlReport:
    """Follow every same-site link from ``start`` and submit every form found, once with
    its own values and once per invalid value in each field; report 5xx answers.

    Sign-out forms are left alone so the crawl stays signed in.
    """
    report = CrawlReport()
    queue, seen = [start], {start}
    forms: list[Form] = []
    while queue and len(report.pages) < max_pages:
        path = queue.pop(0)
        response = client.get(path)
        report.pages.append(path)
        if response.status_code >= 500:
            report.failures.append(f"GET {path} → {response.status_code}")
            continue
        if response.mimetype != "text/html":
            continue
        links, found = parse_page(f"http://localhost{path}", response.get_data(as_text=True))
        forms.extend(found)
        for link in links:
            parts = urlsplit(link)
            if parts.netloc not in ("", "localhost") or parts.path.startswith("/static/"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen and not skip(target):
                seen.add(target)
                queue.append(target)
    done: set[tuple[str, str, tuple[str, ...]]] = set()
    for form in forms:
        action = urlsplit(form.action)
        target = action.path + (f"?{action.query}" if action.query else "")
        signature = (form.method, action.path, tuple(sorted(form.fields)))
        if signature in done or action.path.endswith("/logout") or skip(target):
            continue
        done.add(signature)
        for data in _variants(form):
            if form.method == "post":
                response = client.post(target, data=data)
            else:
                response = client.get(action.path, query_string=data)
            report.submissions += 1
            if response.status_code >= 500:
                report.failures.append(
                    f"{form.method.upper()} {target} (form of {urlsplit(form.page).path}) with {data!r} → {response.status_code}"
                )
    return report


def _variants(form: Form) -> Iterator[dict[str, Any]]:
    yield {
        **form.fields,
        **{
            name: values[0]
            for name, values in form.choices.items()
            if values and name not in form.fields
        },
    }
    for name in form.fields:
        if name == "csrf_token":
            continue
        for value in INVALID_VALUES:
            yield {**form.fields, name: value}


def make_committed_user(
    database: Any,
    username: str,
    *,
    departments: list[str] | tuple[str, ...] = (),
    role: str | None = "manager",
    admin: bool = False,
    password: str = "correct horse battery",
) -> int:
    """Create a user on the ``committed_db`` tier (for browsers and servers); returns its id."""
    from crm_host.domain.directory import create_user

    with database.session() as session:
        user = create_user(
            session,
            username=username,
            password=password,
            name=username.title(),
            departments=departments,
            is_admin=admin,
            role=role,
        )
        session.commit()
        return user.id
