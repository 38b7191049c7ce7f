"""Message templates run in a bounded sandbox, and templates that break a bound are
refused when the campaign is saved, naming the field."""

from __future__ import annotations

import pytest
from crm_marketing import templates_engine
from crm_marketing.template_sandbox import MAX_OUTPUT
from jinja2.exceptions import SecurityError

from crm_host.sdk import ValidationFailed

CITY = {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}

#: Template → the bound its trial render breaks (words of the message).
BREAKERS = {
    "{{ 'a'*50000000 }}": "value longer than 100,000",
    "{{ 50000000*'ab' }}": "value longer than 100,000",
    "{{ [0]*50000000 }}": "value longer than 100,000",
    "{{ 10**10**10 }}": "too high a power",
    "{% for i in range(5000) %}{% endfor %}": "range longer than 1,000",
    "{% for a in range(200) %}{% for b in range(200) %}{% endfor %}{% endfor %}": (
        "more than 10,000 loop iterations"
    ),
    "{% for i in range(1000) %}{{ 'x'*200 }}{% endfor %}": "longer than 100,000 characters",
    "{% set a = 'x'*1000 %}{% set b = a~a~a~a~a~a~a~a~a~a %}{{ b~b~b~b~b~b~b~b~b~b~b }}": (
        "value longer than 100,000"
    ),
    "{% set a = 'x'*60000 %}{{ a + a }}": "value longer than 100,000",
    "{{ 'a'|center(50000000) }}": "width above 10,000",
    "{{ name.rjust(50000000) }}": "width above 10,000",
    "{{ '%50000000s' % name }}": "wider than 10,000",
    "{{ '{:>50000000}'.format(name) }}": "wider than 10,000",
    "{% set a = 'x'*10000 %}{{ a|replace('x', a) }}": "value longer than 100,000",
    "{% set a = 'x'*10000 %}{{ [a,a,a,a,a,a,a,a,a,a,a]|join }}": "value longer than 100,000",
    "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}": "calls itself too deeply",
    "{{ lipsum(1000) }}": "'lipsum' is undefined",
    # Each piece small, the whole large: a block set and a macro joining 1,000 copies.
    "{% set a = 'x'*1000 %}{% set b %}{% for i in range(1000) %}{{ a }}{% endfor %}{% endset %}": (
        "value longer than 100,000"
    ),
    "{% macro m(a) %}{% for i in range(1000) %}{{ a }}{% endfor %}{% endmacro %}"
    "{% set b = m('x'*1000) %}": "value longer than 100,000",
}


@pytest.mark.parametrize("template", list(BREAKERS))
def test_a_template_past_a_bound_is_refused_naming_the_field(template):
    with pytest.raises(ValidationFailed) as refused:
        templates_engine.check(template, "body")
    assert list(refused.value.details) == ["body"]
    assert BREAKERS[template] in refused.value.details["body"][0]


def test_ordinary_templates_render_as_before():
    text = (
        "{{ name }}，{% for i in range(3) %}{{ i }}{% endfor %} {{ 'ab' * 3 }} "
        "{{ '%05d' % 42 }} {{ name ~ city }} {{ [1, 2]|join(',') }} "
        "{{ range(3)|map('string')|join('-') }} {{ '{}/{}'.format(city, code) }} "
        "{{ track('https://example.cn/a') }}"
    )
    templates_engine.check(text, "body")
    rendered = templates_engine.render(text, {"name": "王芳", "city": "苏州", "code": "C1"})
    assert rendered == "王芳，012 ababab 00042 王芳苏州 1,2 0-1-2 苏州/C1 https://example.cn/a"


def test_a_bound_holds_at_send_time_for_a_recipient_the_sample_missed():
    # The trial render takes the other branch; a recipient named 张三 would get 200 KB.
    text = "{% if name == '张三' %}{{ 'a' * 200000 }}{% endif %}你好"
    templates_engine.check(text, "body")
    assert templates_engine.render(text, {"name": "王芳"}) == "你好"
    with pytest.raises(SecurityError, match="longer than 100,000"):
        templates_engine.render(text, {"name": "张三"})
    # The output ceiling: a name repeated just past it.
    long = "{% for i in range(1000) %}{{ name }}{% endfor %}"
    templates_engine.check(long, "body")  # 2 × 1,000 characters for 王芳
    with pytest.raises(SecurityError, match=f"longer than {MAX_OUTPUT:,} characters"):
        templates_engine.render(long, {"name": "x" * 101})


def test_the_api_refuses_such_a_campaign_naming_the_field(api, db):
    segment = api.post("/api/v1/marketing/segments", json={"name": "苏州", "rules": CITY}).json
    base = {"name": "春节", "channel": "email", "segment_id": segment["id"], "subject": "好"}
    body = api.post("/api/v1/marketing/campaigns", json={**base, "body": "{{ 'a'*50000000 }}"})
    assert body.status_code == 422 and list(body.json["errors"]) == ["body"]
    subject = api.post(
        "/api/v1/marketing/campaigns",
        json={**base, "subject": "{% for i in range(99999) %}{% endfor %}", "body": "hi"},
    )
    assert subject.status_code == 422 and list(subject.json["errors"]) == ["subject"]
    made = api.post("/api/v1/marketing/campaigns", json={**base, "body": "{{ name }}"})
    assert made.status_code == 201
    patched = api.patch(
        f"/api/v1/marketing/campaigns/{made.json['id']}", json={"body": "{{ 'a'*50000000 }}"}
    )
    assert patched.status_code == 422 and list(patched.json["errors"]) == ["body"]
