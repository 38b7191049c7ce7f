"""Deterministic benchmark data: a customers CSV of 15 columns."""

from __future__ import annotations

import csv
import random
from pathlib import Path

COLUMNS = [
    "code",
    "name",
    "kind",
    "email",
    "phone",
    "city",
    "region",
    "lifecycle_stage",
    "tier",
    "gender",
    "birth_date",
    "occupation",
    "education",
    "preferred_language",
    "tags",
]
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
_CITIES = [("苏州", "江苏"), ("杭州", "浙江"), ("成都", "四川"), ("广州", "广东"), ("北京", "北京")]


def customer_rows(count: int, seed: int = 13):
    """``count`` valid customer rows, the same for the same seed."""
    rng = random.Random(seed)
    for i in range(count):
        city, region = _CITIES[i % len(_CITIES)]
        name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))
        yield [
            f"B{i:08d}",
            name,
            "person",
            f"b{i}@example.cn",
            f"+86139{i:08d}",
            city,
            region,
            "customer",
            ("gold", "silver", "bronze", "")[i % 4],
            ("female", "male")[i % 2],
            f"{1950 + i % 50}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "engineer",
            "bachelor",
            "zh_Hans",
            ("vip", "", "new", "")[i % 4],
        ]


def write_customers_csv(path: Path, count: int) -> Path:
    """Write the benchmark CSV (UTF-8, header of API field names)."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(customer_rows(count))
    return path
