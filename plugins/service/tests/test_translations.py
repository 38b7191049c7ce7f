"""Every string the service pages show has a Simplified Chinese translation."""

from __future__ import annotations

from pathlib import Path

import crm_service
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from crm_service import tickets

PACKAGE = Path(crm_service.__file__).parent
CATALOGUE = PACKAGE / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"


def shown_strings() -> set[str]:
    found: set[str] = set()
    for template in (PACKAGE / "templates").rglob("*.html"):
        for _line, message, _comments, _context in extract_from_file(
            "jinja2.ext:babel_extract", template, keywords={"_": None}
        ):
            found.add(message)
    for module in PACKAGE.rglob("*.py"):
        for _line, message, _comments, _context in extract_from_file(
            "python", module, keywords={"_l": None}
        ):
            found.add(message)
    return found


def test_every_shown_string_is_translated():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="zh_Hans")
    translated = {m.id: m.string for m in catalogue if m.id and m.string}
    shown = shown_strings()
    assert len(shown) > 40
    assert sorted(shown - set(translated)) == []
    assert sorted(set(translated) - shown) == []


def test_the_queue_speaks_chinese(client_for, agent, db, customer):
    tickets.open_ticket(db, customer_id=customer.id, ticket_type="inquiry", subject="查电费")
    db.commit()
    page = client_for(agent).get("/service/", headers={"Accept-Language": "zh-CN"})
    html = page.get_data(as_text=True)
    assert "工单队列" in html and "领取" in html and "普通" in html
