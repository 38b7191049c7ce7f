"""The knowledge base: articles found by the words of a ticket's subject (Chinese by
character pairs), suggested on the new-ticket form, written by administrators."""

from __future__ import annotations

import pytest
from crm_service import kb

from crm_host.sdk import ValidationFailed


@pytest.fixture
def articles(db):
    """Three published articles and a draft."""
    rows = {
        "meter": kb.save_article(
            db,
            {
                "title": "电表不走字怎么办",
                "body": "先确认家中是否有电，再检查电表指示灯。",
                "category": "计量",
                "published": True,
            },
        ),
        "bill": kb.save_article(
            db,
            {
                "title": "电费账单说明",
                "body": "账单按抄表读数计算；电表读数有误可申请复核。",
                "category": "电费",
                "published": True,
            },
        ),
        "outage": kb.save_article(
            db,
            {
                "title": "Planned outage notices",
                "body": "Outages are announced three days ahead.",
                "category": "outage",
                "published": True,
            },
        ),
        "draft": kb.save_article(db, {"title": "电表更换流程（草稿）", "body": "待补充"}),
    }
    db.commit()
    return rows


def test_terms_split_chinese_into_pairs_and_other_text_into_words():
    assert kb.terms("电表不走 Meter, broken!") == ["电表", "表不", "不走", "meter", "broken"]
    assert kb.terms("电") == ["电"]
    assert kb.terms("  ") == []


def test_search_ranks_by_title_then_body_and_hides_drafts(db, articles):
    found = kb.search(db, "我家电表不走字了")
    # The meter article has 电表, 表不, 不走, 走字 in its title (4 × 2) and 电表 in its
    # body (1): 9. The bill article has 电表 only in its body: 1. The draft is hidden.
    assert [a.id for a in found] == [articles["meter"].id, articles["bill"].id]
    assert kb.search(db, "outage ahead")[0].id == articles["outage"].id
    assert kb.search(db, "电表", category="电费") == [articles["bill"]]
    with_drafts = kb.search(db, "电表更换", published_only=False)
    assert with_drafts[0].id == articles["draft"].id
    assert kb.search(db, "100%_") == []


def test_articles_are_checked(db):
    with pytest.raises(ValidationFailed) as error:
        kb.save_article(db, {"title": " ", "body": "", "published": "yes"})
    assert set(error.value.details) == {"title", "body", "published"}


def test_the_new_ticket_form_suggests_articles_as_the_subject_is_typed(
    db, articles, client_for, agent
):
    page = client_for(agent).get("/service/tickets/new")
    html = page.get_data(as_text=True)
    assert 'hx-get="/service/kb/suggest"' in html and 'id="kb-suggestions"' in html
    fragment = client_for(agent).get("/service/kb/suggest?subject=电表不走字")
    text = fragment.get_data(as_text=True)
    assert "电表不走字怎么办" in text and "<html" not in text
    assert "草稿" not in text
    assert (
        client_for(agent).get("/service/kb/suggest?subject=").get_data(as_text=True).strip() == ""
    )


def test_articles_through_the_api_and_the_console(db, articles, client_for, make_user, agent):
    reader = client_for(agent)
    listed = reader.get("/api/v1/service/kb-articles?q=电表读数")
    assert [a["title"] for a in listed.json][:1] == ["电费账单说明"]
    assert (
        reader.post("/api/v1/service/kb-articles", json={"title": "x", "body": "y"}).status_code
        == 403
    )
    admin = client_for(make_user("kb-admin", departments=["service"], role="manager", admin=True))
    made = admin.post(
        "/api/v1/service/kb-articles",
        json={
            "title": "停电报修流程",
            "body": "拨打热线后……",
            "category": "抢修",
            "published": True,
        },
    )
    assert made.status_code == 201, made.json
    bad = admin.patch(f"/api/v1/service/kb-articles/{made.json['id']}", json={"title": ""})
    assert bad.status_code == 422 and "title" in str(bad.json)
    hidden = admin.patch(
        f"/api/v1/service/kb-articles/{made.json['id']}", json={"published": False}
    )
    assert hidden.json["published"] is False
    assert reader.get("/api/v1/service/kb-articles?q=停电报修").json == []

    saved = admin.post(
        "/service/kb/new",
        data={
            "title": "抄表时间",
            "body": "每月 5 日抄表。",
            "category": "计量",
            "published": "on",
        },
    )
    assert saved.status_code == 302
    page = reader.get("/service/kb?q=抄表", headers={"Accept-Language": "zh-CN"})
    assert "抄表时间" in page.get_data(as_text=True) and "知识库" in page.get_data(as_text=True)
    kept = admin.post("/service/kb/new", data={"title": "只有标题", "body": ""})
    assert kept.status_code == 200 and 'value="只有标题"' in kept.get_data(as_text=True)
