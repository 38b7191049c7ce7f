"""``crm marketing …``: segments list / preview, RFM refresh and grid, campaigns list /
create / launch, and send."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from crm_marketing import campaigns, segments
from crm_marketing.models import Campaign

from crm_host.sdk import EmailMessage, utcnow


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


def test_a_campaign_drafted_and_sent_from_the_shell(cli, db, make_customer, segment, tmp_path):
    make_customer(code="S1", city="苏州", email="s1@example.com", consent=["email"])
    make_customer(code="S2", city="苏州", email="s2@example.com", consent=["email"])
    make_customer(code="S3", city="苏州", email="s3@example.com")  # no consent
    body = tmp_path / "body.txt"
    body.write_text("{{ name }}，您好：周末会员日。", encoding="utf-8")

    drafted = cli(
        "marketing", "campaigns", "create", "周末会员日", "--segment", "苏州",
        "--subject", "会员日", "--body", str(body),
    )  # fmt: skip
    assert drafted.exit_code == 0, drafted.output
    assert drafted.output.endswith("2 customers may be reached\n")
    campaign_id = db.scalar(sa.select(Campaign.id).where(Campaign.name == "周末会员日"))

    sent = cli("marketing", "send", str(campaign_id))
    assert sent.exit_code == 0, sent.output
    assert sent.output.strip() == f"campaign {campaign_id} sent: 2 sent, 0 duplicates skipped"
    assert db.scalar(sa.select(sa.func.count()).select_from(EmailMessage)) == 2
    again = cli("marketing", "send", str(campaign_id))
    assert again.exit_code != 0 and "is sent" in again.output

    bad = cli("marketing", "campaigns", "create", "x", "--segment", "nowhere", "--body", str(body))
    assert bad.exit_code != 0 and "no segment named 'nowhere'" in bad.output
    no_subject = cli(
        "marketing", "campaigns", "create", "y", "--segment", "苏州", "--body", str(body)
    )
    assert no_subject.exit_code != 0 and "subject" in no_subject.output
