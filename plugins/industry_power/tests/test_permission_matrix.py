"""Every power API route answers every department × role as its permission promises."""

from __future__ import annotations

import io
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from crm_industry_power import faults, guarantees, inspections, profiles, readings, tariffs
from crm_industry_power.models import Tariff

from crm_host.sdk import User
from crm_host.sdk.customers import Record
from crm_host.sdk.customers import customer_service as customers
from crm_host.testing.matrix import ObjectRef, PermissionMatrix, api_routes, matrix_users

DAY = date(2026, 11, 2)


def _serial(session: sa.orm.Session) -> int:
    serial = session.info.setdefault("power_matrix_serial", [0])
    serial[0] += 1
    return serial[0]


def _tariff(session: sa.orm.Session) -> Tariff:
    row = session.scalar(sa.select(Tariff).where(Tariff.code == "mx-tou"))
    return row or tariffs.save_tariff(
        session,
        {
            "code": "mx-tou",
            "name": "矩阵电价",
            "peak_price": "1",
            "flat_price": "0.6",
            "valley_price": "0.3",
            "periods": [{"period": "peak", "start": "08:00", "end": "11:00"}],
        },
    )


def _account(session: sa.orm.Session) -> Any:
    n = _serial(session)
    customer = customers.create_customer(
        session, {"code": f"PMX{n:06d}", "name": f"电力矩阵{n}", "kind": "organization"}
    )
    account = profiles.save_account(
        session,
        {
            "number": f"PMX{n}",
            "customer_id": customer.id,
            "service_point": "矩阵园区",
            "category": "commercial",
            "voltage_level": "10kV",
            "contracted_kva": "500",
            "tariff": _tariff(session).code,
        },
    )
    profiles.save_meter(session, {"number": f"PMXM{n}", "account_id": account.id})
    # One reading, so a bill of November has something to price.
    readings.import_records(
        session,
        [Record(2, {"meter": f"PMXM{n}", "timestamp": "2026-11-02 10:00", "value": "12.5"})],
        interval=15,
        unit="kWh",
        tz=ZoneInfo("Asia/Shanghai"),
    )
    return account


def make_account(session: sa.orm.Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """An account with a meter and one reading."""
    return ObjectRef(_account(session).id)


def make_account_customer(
    session: sa.orm.Session, objects: dict[str, ObjectRef], user: User
) -> ObjectRef:
    """The customer of a new account (with a meter and one reading)."""
    return ObjectRef(_account(session).customer_id)


def make_meter(session: sa.orm.Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A meter of a new account."""
    return ObjectRef(_account(session).meters[0].id)


def make_tariff(session: sa.orm.Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A tariff of its own."""
    n = _serial(session)
    row = tariffs.save_tariff(
        session,
        {
            "code": f"mxt{n}",
            "name": f"电价{n}",
            "peak_price": 1,
            "flat_price": 1,
            "valley_price": 1,
        },
    )
    return ObjectRef(row.id)


def make_fault(session: sa.orm.Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A fault just reported at a new account (its arrival clock running)."""
    return ObjectRef(faults.report_fault(session, _account(session), {"description": "停电"}).id)


def make_plan(session: sa.orm.Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A monthly inspection plan of a new account's service point."""
    plan = inspections.save_plan(
        session,
        {"account_id": _account(session).id, "interval_days": 30, "next_due": DAY},
    )
    return ObjectRef(plan.id)


def _guarantee_type(session: sa.orm.Session) -> Any:
    n = _serial(session)
    return guarantees.save_type(
        session,
        {
            "code": f"mx_restore_{n}",
            "name": "矩阵复电承诺",
            "kind": "within",
            "target_value": 24,
            "target_unit": "hours",
            "credit_amount": "50",
        },
    )


def make_guarantee_type(
    session: sa.orm.Session, objects: dict[str, ObjectRef], user: User
) -> ObjectRef:
    """A restore-within-24-hours guarantee type."""
    return ObjectRef(_guarantee_type(session).id)


def make_guarantee(session: sa.orm.Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A guarantee just started for a new account (its clock running)."""
    kind = _guarantee_type(session)
    row = guarantees.start(session, {"type": kind.code, "account_id": _account(session).id})
    return ObjectRef(row.id)


POWER_FACTORIES = {
    "account_id": make_account,
    "customer_id": make_account_customer,
    "meter_id": make_meter,
    "tariff_id": make_tariff,
    "fault_id": make_fault,
    "plan_id": make_plan,
    "type_id": make_guarantee_type,
    "guarantee_id": make_guarantee,
}


def _payload(build):
    def payload(session: sa.orm.Session, objects: dict[str, ObjectRef], n: int) -> dict[str, Any]:
        return build(session, n)

    return payload


def _upload(session: sa.orm.Session, n: int) -> dict[str, Any]:
    meter = _account(session).meters[0].number
    body = f"meter,timestamp,value\n{meter},2026-11-02 00:00,1.5\n".encode()
    return {
        "__multipart__": {
            "interval": "15",
            "unit": "kWh",
            "file": (io.BytesIO(body), "readings.csv"),
        }
    }


def _new_account(session: sa.orm.Session, n: int) -> dict[str, Any]:
    customer = customers.create_customer(
        session, {"code": f"PMN{n:06d}", "name": f"新户{n}", "kind": "person"}
    )
    return {
        "number": f"PMN{n}",
        "customer_id": customer.id,
        "service_point": "新装",
        "category": "residential",
        "voltage_level": "0.22kV",
        "contracted_kva": "8",
    }


POWER_PAYLOADS = {
    ("power_api.Tariffs", "POST"): _payload(
        lambda s, n: {
            "code": f"mxp{n}",
            "name": f"新电价{n}",
            "peak_price": "1.1",
            "flat_price": "0.7",
            "valley_price": "0.3",
        }
    ),
    ("power_api.TariffResource", "PATCH"): _payload(lambda s, n: {"name": f"改名{n}"}),
    ("power_api.Accounts", "POST"): _payload(_new_account),
    ("power_api.AccountResource", "PATCH"): _payload(lambda s, n: {"service_point": f"{n}号"}),
    ("power_api.Meters", "POST"): _payload(
        lambda s, n: {"number": f"PMNM{n}", "account_id": _account(s).id}
    ),
    ("power_api.MeterResource", "PATCH"): _payload(lambda s, n: {"multiplier": "40"}),
    ("power_api.AccountEquipment", "POST"): _payload(
        lambda s, n: {"kind": "transformer", "name": "1#主变", "rated_kva": "500"}
    ),
    ("power_api.ReadingsImport", "POST"): _payload(_upload),
    ("power_api.LoadCurve", "GET"): _payload(lambda s, n: {"day": DAY.isoformat()}),
    # HTML: the same document and checks as the PDF, without typesetting one per role.
    ("power_api.CustomerReport", "GET"): _payload(
        lambda s, n: {"month": "2026-11", "format": "html"}
    ),
    ("power_api.Metrics", "GET"): _payload(
        lambda s, n: {"first": "2026-11-01", "last": "2026-11-30"}
    ),
    ("power_api.TypicalDay", "GET"): _payload(
        lambda s, n: {"first": "2026-11-01", "last": "2026-11-30"}
    ),
    ("power_api.DailyEnergy", "GET"): _payload(
        lambda s, n: {"first": "2026-11-01", "last": "2026-11-30"}
    ),
    ("power_api.AccountAdvice", "POST"): _payload(lambda s, n: {"last_day": DAY.isoformat()}),
    ("power_api.AccountBills", "POST"): _payload(lambda s, n: {"month": "2026-11"}),
    ("power_api.AccountFaults", "POST"): _payload(lambda s, n: {"description": "停电"}),
    ("power_api.InspectionPlans", "POST"): _payload(
        lambda s, n: {"account_id": _account(s).id, "interval_days": 30, "next_due": "2026-12-01"}
    ),
    ("power_api.InspectionPlanResource", "PATCH"): _payload(lambda s, n: {"interval_days": 60}),
    ("power_api.GuaranteeTypes", "POST"): _payload(
        lambda s, n: {
            "code": f"mx_new_{n}",
            "name": "账单查询答复",
            "kind": "within",
            "target_value": 3,
            "target_unit": "days",
            "credit_amount": "20",
        }
    ),
    ("power_api.GuaranteeTypeResource", "PATCH"): _payload(lambda s, n: {"credit_amount": "60"}),
    ("power_api.Guarantees", "POST"): _payload(
        lambda s, n: {"type": _guarantee_type(s).code, "account_id": _account(s).id}
    ),
    ("power_api.InspectionRecords", "POST"): _payload(
        lambda s, n: {"inspected_on": DAY.isoformat(), "result": "ok"}
    ),
}


def test_power_routes_answer_every_role_as_promised(app, db):
    routes = [r for r in api_routes(app) if r.plugin == "industry_power"]
    assert len(routes) >= 20
    users = matrix_users(db)
    findings = PermissionMatrix(
        app, db, users, POWER_FACTORIES, POWER_PAYLOADS, routes=routes
    ).run()
    assert "\n".join(map(str, findings)) == ""
