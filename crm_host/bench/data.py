"""Deterministic benchmark data: a customers CSV of 15 columns."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from crm_host.domain.customers.rules import FIELDS

COLUMNS = [*FIELDS, "tags"]
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
_CITIES = [("苏州", "江苏"), ("杭州", "浙江"), ("成都", "四川"), ("广州", "广东"), ("北京", "北京")]


def customer_rows(count: int, seed: int = 13):
    """``count`` valid customer rows as dicts keyed by :data:`COLUMNS`, the same for a seed."""
    rng = random.Random(seed)
    for i in range(count):
        city, region = _CITIES[i % len(_CITIES)]
        name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))
        yield {
            "code": f"B{i:08d}",
            "name": name,
            "kind": "person",
            "email": f"b{i}@example.cn",
            "phone": f"+86139{i:08d}",
            "lifecycle_stage": "customer",
            "tier": ("gold", "silver", "bronze", "")[i % 4],
            "gender": ("female", "male")[i % 2],
            "birth_date": f"{1950 + i % 50}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "occupation": "engineer",
            "education": "bachelor",
            "region": region,
            "city": city,
            "preferred_language": "zh_Hans",
            "tags": ("vip", "", "new", "")[i % 4],
        }


def write_customers_csv(path: Path, count: int) -> Path:
    """Write the benchmark CSV (UTF-8, header of API field names)."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(customer_rows(count))
    return path
