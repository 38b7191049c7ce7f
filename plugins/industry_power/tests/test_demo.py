"""Demo load shapes: each category looks like its kind of customer, the same every time."""

from __future__ import annotations

import random
from datetime import date

import sqlalchemy as sa
from crm_industry_power import demo
from crm_industry_power.models import Account, ReadingDay

WEEKDAY = date(2026, 11, 18)  # a Wednesday
SUNDAY = date(2026, 11, 22)


def _hours(values: list[float], first: float, last: float) -> list[float]:
    return values[int(first * 4) : int(last * 4)]


def test_industry_is_flat_and_high_with_shift_changes():
    kw = demo.day_values("I", "large_industry", WEEKDAY, 1000)
    load_factor = sum(kw) / len(kw) / max(kw)
    assert load_factor > 0.85
    assert min(kw) > 0.5 * 1000
    # The handover at 08:00 dips below the hour before it.
    assert max(_hours(kw, 8, 8.5)) < min(_hours(kw, 7, 8))
    assert sum(demo.day_values("I", "large_industry", SUNDAY, 1000)) < 0.8 * sum(kw)


def test_commerce_peaks_in_the_day():
    kw = demo.day_values("C", "commercial", WEEKDAY, 1000)
    peak_slot = kw.index(max(kw))
    assert 12 * 4 <= peak_slot < 16 * 4
    assert max(_hours(kw, 0, 6)) < 0.3 * max(kw)


def test_households_peak_in_the_morning_and_more_in_the_evening():
    kw = demo.day_values("R", "residential", WEEKDAY, 10)
    night = max(_hours(kw, 1, 5))
    morning, evening = max(_hours(kw, 6.5, 8.5)), max(_hours(kw, 18, 22))
    assert morning > 3 * night and evening > morning
    assert min(_hours(kw, 9.5, 11)) < 0.6 * morning  # the trough between the peaks


def test_farms_irrigate_in_summer_nights():
    july = demo.day_values("A", "agricultural", date(2026, 7, 15), 100)
    january = demo.day_values("A", "agricultural", date(2026, 1, 15), 100)
    assert sum(july) > 5 * sum(january)
    assert sum(_hours(july, 0, 6)) > 3 * sum(_hours(july, 10, 16))


def test_the_same_account_and_day_give_the_same_values():
    assert demo.day_values("X", "commercial", WEEKDAY, 630) == demo.day_values(
        "X", "commercial", WEEKDAY, 630
    )
    assert demo.day_values("X", "commercial", WEEKDAY, 630) != demo.day_values(
        "Y", "commercial", WEEKDAY, 630
    )
    assert len(demo.shape("residential", WEEKDAY, 8, random.Random(1))) == 96


def test_crm_power_demo_seeds_accounts_and_readings_once(cli, db, make_customer):
    for _ in range(len(demo.ACCOUNTS)):
        make_customer()
    first = cli("power", "demo", "--days", "2", "--last-day", "2026-11-20")
    assert first.exit_code == 0, first.output
    readings = 2 * 96 * len(demo.ACCOUNTS)
    assert f"{readings} new, 0 changed, 0 unchanged" in first.output
    again = cli("power", "demo", "--days", "2", "--last-day", "2026-11-20")
    assert f"0 new, 0 changed, {readings} unchanged" in again.output
    categories = db.scalars(sa.select(Account.category).where(Account.number.like("DEMO-%")))
    assert sorted(set(categories)) == [
        "agricultural",
        "commercial",
        "large_industry",
        "residential",
    ]
    assert db.scalar(sa.select(sa.func.count()).select_from(ReadingDay)) == 2 * len(demo.ACCOUNTS)
