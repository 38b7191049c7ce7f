"""The hooks marketing publishes or collects: documented, tested, usable by another plugin."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from crm_marketing import campaigns, hookspecs, segments
from crm_marketing.rules import compile_rules

from crm_host.sdk import Customer, PluginError, hookimpl
from crm_host.sdk.customers import Criterion, compare
from crm_host.testing.contract import undocumented_hookspecs, untested_hookspecs


def test_every_marketing_hookspec_is_documented_and_tested():
    assert undocumented_hookspecs(hookspecs) == {}
    assert untested_hookspecs(hookspecs, [Path(__file__).parent]) == set()


class CodePrefix:
    """A plugin offering one criterion: the customer code starts with a text."""

    @hookimpl
    def crm_segment_criteria(self):
        def build(session, op, value):
            return (
                Customer.code.startswith(value) if op == "eq" else compare(Customer.code, op, value)
            )

        return [Criterion("code_prefix", "Code prefix", "text", build)]


class Duplicate:
    @hookimpl
    def crm_segment_criteria(self):
        return [Criterion("city", "City again", "text", lambda s, o, v: sa.true())]


@pytest.mark.hookspec("crm_segment_criteria")
def test_another_plugin_contributes_a_criterion(db, app, register, make_customer):
    make_customer(code="VIP-1")
    make_customer(code="STD-1")
    register(CodePrefix(), "fx_code_prefix")
    condition = compile_rules(db, {"all": [{"field": "code_prefix", "op": "eq", "value": "VIP"}]})
    assert [c.code for c in segments.sample(db, condition)] == ["VIP-1"]


def test_a_duplicate_criterion_is_refused_naming_both_plugins(db, app, register):
    register(Duplicate(), "fx_duplicate")
    with pytest.raises(
        PluginError, match="fx_duplicate: segment criterion city is offered by marketing"
    ):
        compile_rules(db, {"all": [{"field": "city", "op": "eq", "value": "x"}]})


class Listener:
    def __init__(self):
        self.seen = []

    @hookimpl
    def crm_marketing_campaign_sent(self, campaign_id):
        self.seen.append(campaign_id)


@pytest.mark.hookspec("crm_marketing_campaign_sent")
def test_a_finished_campaign_is_announced_after_commit(db, app, register, make_customer, run_jobs):
    listener = Listener()
    register(listener, "fx_listener")
    make_customer(city="苏州", email="l@example.com", consent=["email"])
    segment = segments.create_segment(
        db, {"name": "苏州", "rules": {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}}
    )
    campaign = campaigns.create_campaign(
        db,
        {"name": "通知", "channel": "email", "segment_id": segment.id, "subject": "s", "body": "b"},
    )
    campaigns.launch(db, campaign)
    db.commit()
    run_jobs()
    assert listener.seen == [campaign.id]
