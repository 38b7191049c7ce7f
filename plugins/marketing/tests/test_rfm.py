"""RFM scores computed in SQL over the transaction union, checked against hand-worked figures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from crm_marketing import rfm
from crm_marketing.models import RfmScore

from crm_host.sdk import enqueue, utcnow
from crm_host.testing.tables import Job


def test_quintiles_of_ten_buyers_match_the_hand_worked_table(db, make_customer, buy):
    """Ten buyers ranked by last purchase, count and spend; equal figures share a rank.

    score = min(5, 1 + (rank - 1) * 5 // 9), rank ascending (ties take the lowest).

    customer  last(days ago)  purchases  spend  rank R/F/M   R  F  M
    c0        100             1           10    1  1  1      1  1  1
    c1         90             1           20    2  1  2      1  1  1
    c2         80             1           30    3  1  3      2  1  2
    c3         70             2           40    4  4  4      2  2  2
    c4         60             2           50    5  4  5      3  2  3
    c5         50             2           60    6  4  6      3  2  3
    c6         40             2           70    7  4  7      4  2  4
    c7         30             3           80    8  8  8      4  4  4
    c8         20             3           90    9  8  9      5  4  5
    c9         10             3          100   10  8 10      5  4  5
    """
    now = utcnow()
    people = [make_customer() for _ in range(10)]
    purchases = [1, 1, 1, 2, 2, 2, 2, 3, 3, 3]
    for i, customer in enumerate(people):
        last = now - timedelta(days=100 - 10 * i)
        total = Decimal(10 * (i + 1))
        count = purchases[i]
        # One yuan for each earlier purchase, the rest on the last (latest) one.
        shares = [Decimal(1)] * (count - 1) + [total - (count - 1)]
        for n, share in enumerate(shares):
            buy(customer, f"{share:.2f}", last - timedelta(days=count - 1 - n))
    # A euro order is not added to yuan.
    buy(people[0], "5000.00", now, currency="EUR")

    assert rfm.refresh(db) == 10
    db.commit()
    got = {i: db.get(RfmScore, c.id) for i, c in enumerate(people)}
    assert [got[i].r_score for i in range(10)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [got[i].f_score for i in range(10)] == [1, 1, 1, 2, 2, 2, 2, 4, 4, 4]
    assert [got[i].m_score for i in range(10)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert got[0].frequency == 1 and got[0].monetary == Decimal("10.00")
    assert got[9].frequency == 3 and got[9].monetary == Decimal("100.00")
    assert got[9].code == "545"
    assert rfm.grid(db)[(5, 4)] == 2 and rfm.grid(db)[(1, 1)] == 2


def test_the_refresh_job_rebuilds_the_table(db, make_customer, buy, run_jobs):
    one, two = make_customer(), make_customer()
    buy(one, "10.00", utcnow() - timedelta(days=5))
    rfm.refresh(db)
    db.commit()
    assert db.get(RfmScore, two.id) is None
    buy(two, "99.00", utcnow())
    job_id = enqueue(db, rfm.JOB, {"currency": "CNY"})
    db.commit()
    run_jobs(names=[rfm.JOB])
    assert db.get(Job, job_id).status == "done"
    db.expire_all()
    # One purchase each: equal frequency, equal score.
    assert db.get(RfmScore, two.id).code == "515"
    assert db.get(RfmScore, one.id).code == "111"


def test_rfm_scores_feed_segments(db, make_customer, buy):
    from crm_marketing import segments
    from crm_marketing.rules import compile_rules

    low, high = make_customer(code="LOW"), make_customer(code="HIGH")
    buy(low, "1.00", utcnow() - timedelta(days=300))
    buy(high, "900.00", utcnow())
    rfm.refresh(db)
    condition = compile_rules(db, {"all": [{"field": "rfm_monetary", "op": "gte", "value": 3}]})
    assert [c.code for c in segments.sample(db, condition)] == ["HIGH"]
