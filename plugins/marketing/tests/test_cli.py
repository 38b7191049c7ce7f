"""``crm marketing …``: segments list / preview, RFM refresh and grid, campaigns list / launch."""

from __future__ import annotations

import json

import pytest
from crm_marketing import campaigns, segments

from crm_host.db import utcnow


@pytest.mark.hookspec("crm_register_commands")
def test_segments_rfm_and_campaigns_from_the_shell(cli, db, make_customer, buy, run_jobs):
    first = make_customer(code="C1", city="苏州", email="c1@example.com", consent=["email"])
    make_customer(code="C2", city="南京")
    buy(first, "20.00", utcnow())
    segment = segments.create_segment(
        db, {"name": "苏州", "rules": {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}}
    )
    db.commit()
    assert cli("marketing", "segments", "list").output.splitlines() == [
        f"{segment.id}\trules\t1\t苏州"
    ]
    shown = cli("marketing", "segments", "preview", "苏州").output.splitlines()
    assert shown[0] == "1 customers" and shown[1].endswith("\tC1\t" + first.name)
    rules = json.dumps({"any": [{"field": "city", "op": "in", "value": ["苏州", "南京"]}]})
    assert cli("marketing", "segments", "preview", "--rules", rules).output.startswith(
        "2 customers"
    )
    bad = cli("marketing", "segments", "preview", "--rules", '{"all": [{"field": "x"}]}')
    assert bad.exit_code != 0 and "rules.all[0].field" in bad.output

    assert cli("marketing", "rfm", "refresh").output.strip() == "scored 1 customers (CNY)"
    grid = cli("marketing", "rfm", "grid").output.splitlines()
    assert grid[0] == "R\\F\t1\t2\t3\t4\t5" and grid[-1] == "1\t1\t0\t0\t0\t0"

    campaign = campaigns.create_campaign(
        db,
        {
            "name": "会员日",
            "channel": "email",
            "segment_id": segment.id,
            "subject": "会员日",
            "body": "{{ name }}",
        },
    )
    db.commit()
    launched = cli("marketing", "campaigns", "launch", str(campaign.id))
    assert launched.exit_code == 0 and "sending" in launched.output
    again = cli("marketing", "campaigns", "launch", str(campaign.id))
    assert again.exit_code != 0 and "launched already" in again.output
    run_jobs(names=[campaigns.SEND_JOB])
    assert cli("marketing", "campaigns", "list").output.splitlines() == [
        f"{campaign.id}\tsent\temail\t1\t会员日"
    ]
