"""The RFM and lifetime-value lists page by customer id past page one, row for row."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from crm_marketing.models import CustomerValue, RfmScore

WHEN = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def _scores(db, customers) -> None:
    # Customer i (0-based) gets scores (i % 5 + 1, …) and spends 10·(i+1) yuan.
    for i, customer in enumerate(customers):
        db.add(
            RfmScore(
                customer_id=customer.id,
                last_purchase_at=WHEN,
                frequency=i + 1,
                monetary=Decimal(10 * (i + 1)),
                currency="CNY",
                r_score=i % 5 + 1,
                f_score=1,
                m_score=5 - i % 5,
                computed_at=WHEN,
            )
        )
        db.add(
            CustomerValue(
                customer_id=customer.id,
                currency="CNY",
                frequency=i,
                recency_weeks=float(i),
                age_weeks=10.0,
                average_spend=None,
                p_alive=0.5,
                expected_purchases=float(i) / 2,
                expected_value=None,
                churn_risk="high" if i % 2 else "low",
                computed_at=WHEN,
            )
        )
    db.commit()


def _all_pages(api, url: str) -> list[list[dict]]:
    pages, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = api.get(url, query_string=query)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_rfm_scores_page_past_page_one(api, db, make_customer):
    people = [make_customer() for _ in range(5)]
    _scores(db, people)
    ids = [c.id for c in people]
    pages = _all_pages(api, "/api/v1/marketing/rfm")
    # Five rows, two a page, by customer id descending: 2 + 2 + 1, nothing twice.
    assert [[row["customer_id"] for row in page] for page in pages] == [
        [ids[4], ids[3]],
        [ids[2], ids[1]],
        [ids[0]],
    ]
    # Row for row: customer 3 (index 2) has r=3, m=3 and spent 30 yuan over 3 purchases.
    third = pages[1][0]
    assert (third["r_score"], third["f_score"], third["m_score"]) == (3, 1, 3)
    assert third["frequency"] == 3 and Decimal(str(third["monetary"])) == Decimal("30")
    # A filter pages too: r_score 1 is customer index 0 alone.
    only = api.get("/api/v1/marketing/rfm", query_string={"r_score": 1, "limit": 1}).get_json()
    assert [r["customer_id"] for r in only["items"]] == [ids[0]] and only["next_cursor"] is None


def test_customer_values_page_past_page_one(api, db, make_customer):
    people = [make_customer() for _ in range(5)]
    _scores(db, people)
    ids = [c.id for c in people]
    pages = _all_pages(api, "/api/v1/marketing/value/customers")
    assert [[row["customer_id"] for row in page] for page in pages] == [
        [ids[4], ids[3]],
        [ids[2], ids[1]],
        [ids[0]],
    ]
    assert pages[1][1]["frequency"] == 1 and pages[1][1]["churn_risk"] == "high"
    # Churn risk "high" is indexes 1 and 3: one page of one, then the other.
    high = _all_pages_filtered(api, {"churn_risk": "high"})
    assert high == [ids[3], ids[1]]


def _all_pages_filtered(api, filters: dict) -> list[int]:
    seen, cursor = [], None
    while True:
        query = {"limit": 1, **filters, **({"cursor": cursor} if cursor else {})}
        body = api.get("/api/v1/marketing/value/customers", query_string=query).get_json()
        seen += [row["customer_id"] for row in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
