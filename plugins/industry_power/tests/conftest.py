"""Fixtures of the power pack's tests, on the host's ``crm_host.testing`` fixtures
(``make_customer``, ``make_user``, ``client_for`` and the database tiers come from there)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from crm_industry_power import profiles, readings, tariffs
from crm_industry_power.models import Account, Meter, Tariff

from crm_host.sdk import Customer, User

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 2)


def _hand_made_day() -> list[float]:
    kw = [100.0] * 28 + [200.0] * 4 + [400.0] * 12 + [300.0] * 28 + [500.0] * 12
    kw += [200.0] * 8 + [100.0] * 4
    kw[76] = 600.0  # 19:00–19:15, the day's maximum
    assert len(kw) == 96
    return kw


def _day_csv(meter: str, day: date, kw: list[float], *, unit: str = "kWh") -> str:
    lines = ["meter,timestamp,value"]
    for slot, demand in enumerate(kw):
        value = demand / 4 if unit == "kWh" else demand
        lines.append(f"{meter},{day.isoformat()} {slot // 4:02d}:{slot % 4 * 15:02d},{value}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def hand_made_day() -> list[float]:
    """96 quarter-hour demands (kW) of the hand-checked day (see test_loadcurve.py)."""
    return _hand_made_day()


@pytest.fixture
def day_csv() -> Callable[..., str]:
    """``day_csv(meter, day, kw, unit="kWh")``: a readings file of one meter's day,
    15-minute, timestamps in Shanghai time."""
    return _day_csv


@pytest.fixture
def tariff(db: sa.orm.Session) -> Tariff:
    """Large-industry TOU: peak 1.0, flat 0.6, valley 0.3 CNY/kWh; 30 CNY per kVA a month.

    Peak 08–11 and 18–21, valley 23–07, flat the rest.
    """
    row = tariffs.save_tariff(
        db,
        {
            "code": "ind-tou",
            "name": "大工业分时",
            "peak_price": "1.0",
            "flat_price": "0.6",
            "valley_price": "0.3",
            "capacity_price": "30",
            "periods": [
                {"period": "valley", "start": "00:00", "end": "07:00"},
                {"period": "peak", "start": "08:00", "end": "11:00"},
                {"period": "peak", "start": "18:00", "end": "21:00"},
                {"period": "valley", "start": "23:00", "end": "24:00"},
            ],
        },
    )
    db.commit()
    return row


@pytest.fixture
def make_account(
    db: sa.orm.Session, make_customer: Callable[..., Customer], tariff: Tariff
) -> Callable[..., Account]:
    """An account with one meter per number given: ``make_account("A1", meters=["M1"])``."""

    def make(
        number: str, *, meters: tuple[str, ...] = (), kva: str = "1000", **fields: Any
    ) -> Account:
        # The host's customer factory; accounts of the tests belong to organisations.
        customer_id = fields.pop("customer_id", None) or make_customer(kind="organization").id
        account = profiles.save_account(
            db,
            {
                "number": number,
                "customer_id": customer_id,
                "service_point": f"{number} 工业园区",
                "category": "large_industry",
                "voltage_level": "10kV",
                "contracted_kva": kva,
                "tariff": tariff.code,
                **fields,
            },
        )
        for meter in meters:
            profiles.save_meter(db, {"number": meter, "account_id": account.id})
        db.commit()
        return account

    return make


@pytest.fixture
def account(make_account: Callable[..., Account]) -> Account:
    """Account A1 (1,000 kVA, the TOU tariff) with meter M1."""
    return make_account("A1", meters=("M1",))


@pytest.fixture
def import_text(db: sa.orm.Session, tmp_path: Path) -> Callable[..., readings.ImportReport]:
    """Import CSV text: ``import_text(text, interval=15, unit="kWh", tz=SHANGHAI)``."""
    counter = iter(range(1_000_000))

    def run(text: str, *, interval: int = 15, unit: str = "kWh", tz: ZoneInfo = SHANGHAI):
        path = tmp_path / f"readings{next(counter)}.csv"
        path.write_text(text, encoding="utf-8")
        report = readings.import_file(db, path, interval=interval, unit=unit, tz=tz)
        db.commit()
        return report

    return run


@pytest.fixture
def power_user(make_user: Callable[..., User]) -> User:
    """A manager of Power Marketing: every power permission but ``manage``."""
    return make_user("power-zhang", departments=["power"])


@pytest.fixture
def api(client_for: Callable[[User], Any], power_user: User) -> Any:
    """An API client signed in as ``power_user``."""
    return client_for(power_user)


def meter_id(db: sa.orm.Session, number: str) -> int:
    """The id of meter ``number``."""
    return db.scalar(sa.select(Meter.id).where(Meter.number == number))


@pytest.fixture
def company_zone(app: Any, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest):
    """``company_zone("Europe/London")``: the company's timezone for the rest of the test
    (an application context is pushed, so readers outside a request see it)."""

    def set_zone(name: str) -> ZoneInfo:
        monkeypatch.setitem(app.config, "TIMEZONE", name)
        context = app.app_context()
        context.push()
        request.addfinalizer(context.pop)
        return ZoneInfo(name)

    return set_zone
