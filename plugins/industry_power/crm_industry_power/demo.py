"""Demo data: synthetic but realistic daily load shapes for the four customer categories.

- large industry: high and flat round the clock (three shifts), short dips at the
  shift changes (00:00, 08:00, 16:00), lower at weekends;
- commercial: low at night, a daytime plateau peaking early afternoon, lower at weekends;
- residential: a low night base, a morning peak (06:30–08:30) and a higher evening
  peak (18:00–22:00);
- agricultural: irrigation pumps in the growing season (April to September), run
  mostly at night on valley prices; almost nothing out of season.

Every value comes from a random generator seeded with the account and the day, so the
same demo is generated every time. Readings go through the normal import, so they are
validated and stored as any file's would be.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Customer, utcnow
from crm_host.sdk.customers import Record
from crm_industry_power import profiles, readings, tariffs
from crm_industry_power.models import Account, Tariff
from crm_industry_power.zones import company_timezone

SLOTS = 96  # quarter hours of a day (the demo days avoid daylight-saving changes)
TARIFF = "demo-tou"
#: Demo accounts: number → (category, voltage level, contracted kVA).
ACCOUNTS = {
    "DEMO-IND-1": ("large_industry", "10kV", 2000),
    "DEMO-IND-2": ("large_industry", "35kV", 8000),
    "DEMO-COM-1": ("commercial", "10kV", 630),
    "DEMO-COM-2": ("commercial", "0.4kV", 250),
    "DEMO-RES-1": ("residential", "0.22kV", 8),
    "DEMO-RES-2": ("residential", "0.22kV", 12),
    "DEMO-AGR-1": ("agricultural", "0.4kV", 100),
    "DEMO-AGR-2": ("agricultural", "10kV", 400),
}


def _industrial(hour: float, weekend: bool) -> float:
    level = 0.55 if weekend else 0.78
    # Half an hour of lower load while one shift hands over to the next.
    if any(change <= hour < change + 0.5 for change in (0, 8, 16)):
        level *= 0.7
    return level


def _commercial(hour: float, weekend: bool) -> float:
    if hour < 7 or hour >= 22:
        level = 0.12
    elif hour < 9:
        level = 0.12 + (hour - 7) / 2 * 0.45  # opening: lights, air conditioning
    elif hour < 12:
        level = 0.57
    elif hour < 16:
        level = 0.68  # the afternoon cooling peak
    elif hour < 21:
        level = 0.55
    else:
        level = 0.3
    return level * (0.8 if weekend else 1.0)


def _residential(hour: float, weekend: bool) -> float:
    if 6.5 <= hour < 8.5:
        return 0.35 if not weekend else 0.3
    if 18 <= hour < 22:
        return 0.6
    if 11 <= hour < 13:
        return 0.22 if weekend else 0.15
    if hour < 6 or hour >= 23:
        return 0.08
    return 0.14


def _agricultural(hour: float, month: int) -> float:
    # Irrigation season weight by month: the summer months water the most.
    season = {4: 0.4, 5: 0.7, 6: 0.9, 7: 1.0, 8: 1.0, 9: 0.6}.get(month, 0.0)
    night = hour >= 22 or hour < 6  # pumps run on valley prices
    return 0.03 + season * (0.8 if night else 0.15)


def shape(category: str, day: date, contracted_kva: float, rng: random.Random) -> list[float]:
    """A day's demand in kW per quarter hour for an account of ``category``."""
    weekend = day.weekday() >= 5
    values = []
    for slot in range(SLOTS):
        hour = slot / 4
        if category == "large_industry":
            level = _industrial(hour, weekend)
        elif category == "commercial":
            level = _commercial(hour, weekend)
        elif category == "residential":
            level = _residential(hour, weekend)
        elif category == "agricultural":
            level = _agricultural(hour, day.month)
        else:
            raise ValueError(f"category: unknown {category!r}")
        noise = 1 + rng.uniform(-0.04, 0.04)
        values.append(round(contracted_kva * level * noise, 3))
    return values


def day_values(account: str, category: str, day: date, contracted_kva: float) -> list[float]:
    """:func:`shape` with the generator seeded by account and day: always the same."""
    return shape(category, day, contracted_kva, random.Random(f"{account}:{day.isoformat()}"))


def _tariff(session: Session) -> Tariff:
    existing = session.scalar(sa.select(Tariff).where(Tariff.code == TARIFF))
    return existing or tariffs.save_tariff(
        session,
        {
            "code": TARIFF,
            "name": "示例分时电价",
            "peak_price": "1.05",
            "flat_price": "0.65",
            "valley_price": "0.30",
            "capacity_price": "30",
            "periods": [
                {"period": "valley", "start": "00:00", "end": "07:00"},
                {"period": "peak", "start": "08:00", "end": "11:00"},
                {"period": "peak", "start": "18:00", "end": "21:00"},
                {"period": "valley", "start": "23:00", "end": "24:00"},
            ],
        },
    )


def seed(session: Session, last: date, days: int, tz: ZoneInfo) -> readings.ImportReport | None:
    """Demo accounts on the first customers without power accounts, and ``days`` days of
    15-minute readings up to ``last``; safe to repeat (the import is an upsert).

    Returns the import's report, or ``None`` when there are no customers to attach to.
    """
    tariff = _tariff(session)
    existing = set(session.scalars(sa.select(Account.number).where(Account.number.in_(ACCOUNTS))))
    missing = [number for number in ACCOUNTS if number not in existing]
    free = list(
        session.scalars(
            sa.select(Customer.id)
            .where(~sa.exists().where(Account.customer_id == Customer.id))
            .order_by(Customer.id)
            .limit(len(missing))
        )
    )
    if len(free) < len(missing):
        return None
    for number, customer_id in zip(missing, free, strict=False):
        category, voltage, kva = ACCOUNTS[number]
        account = profiles.save_account(
            session,
            {
                "number": number,
                "customer_id": customer_id,
                "service_point": f"{number} 示例供电点",
                "category": category,
                "voltage_level": voltage,
                "contracted_kva": str(kva),
                "tariff": tariff.code,
                "key_customer": category == "large_industry",
            },
        )
        profiles.save_meter(session, {"number": f"{number}-M", "account_id": account.id})
    records = []
    line = 1
    for number, (category, _voltage, kva) in ACCOUNTS.items():
        for offset in range(days - 1, -1, -1):
            day = last - timedelta(days=offset)
            for slot, kw in enumerate(day_values(number, category, day, kva)):
                line += 1
                stamp = f"{day.isoformat()} {slot // 4:02d}:{slot % 4 * 15:02d}"
                kwh = Decimal(str(kw)) / 4  # kW over a quarter hour
                records.append(
                    Record(line, {"meter": f"{number}-M", "timestamp": stamp, "value": str(kwh)})
                )
    return readings.import_records(session, records, interval=15, unit="kWh", tz=tz)


#: Days of readings ``crm demo`` gives the demo accounts.
DEMO_DAYS = 30


def seed_demo_company(session: Session) -> list[str]:
    """The demo accounts and their last :data:`DEMO_DAYS` days of readings, for ``crm
    demo``; nothing when the company has power accounts already."""
    if session.scalar(sa.select(sa.func.count()).select_from(Account)):
        return []
    tz = company_timezone()
    yesterday = utcnow().astimezone(tz).date() - timedelta(days=1)
    result = seed(session, yesterday, DEMO_DAYS, tz)
    if result is None:
        return ["Power: no demo accounts (too few customers to attach them to)."]
    return [
        f"Power: {len(ACCOUNTS)} accounts with {DEMO_DAYS} days of 15-minute readings "
        f"({result.new} readings)."
    ]
