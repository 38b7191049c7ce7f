"""Which field keys a backup's encrypted values need, and refusing a restore without them.

A backup keeps encrypted values as stored, so it can only be read with the keys that
wrote them. The manifest records the ids of those keys; before a restore changes
anything, every encrypted value of the archive is checked against the keys this
process has (by the Fernet token's signature, without decrypting), so a missing key
is named up front instead of failing every later read.
"""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from collections.abc import Iterable
from typing import Any

from crm_host.core.db import Base
from crm_host.core.sensitive import PREFIX, Encrypted, FieldCipher, FieldKeyError

#: How the manifest names a value no configured key (or no key at all) could identify.
UNIDENTIFIED = "?"


class MissingFieldKeys(Exception):
    """The backup holds values encrypted under keys this process does not have."""


def encrypted_columns() -> dict[str, list[str]]:
    """The encrypted columns of every model's table, by table name."""
    columns: dict[str, list[str]] = {}
    for table in Base.metadata.sorted_tables:
        names = [c.name for c in table.columns if isinstance(c.type, Encrypted)]
        if names:
            columns[table.name] = names
    return columns


class KeyCensus:
    """Counts, per key id, the encrypted values that pass through a backup."""

    def __init__(self, cipher: FieldCipher | None) -> None:
        self.cipher = cipher
        self.counts: Counter[str] = Counter()

    def add(self, values: Iterable[Any]) -> None:
        """Count the encrypted ones among ``values`` under the key that wrote each."""
        for value in values:
            if not isinstance(value, str) or not value.startswith(PREFIX):
                continue
            try:
                key_id = self.cipher.key_id_of(value) if self.cipher else None
            except FieldKeyError:
                key_id = None
            self.counts[key_id or UNIDENTIFIED] += 1

    def manifest(self) -> dict[str, Any]:
        """The manifest's ``field_keys`` entry: the key ids in use and how many values each."""
        return {
            "key_ids": sorted(k for k in self.counts if k != UNIDENTIFIED),
            "values": dict(sorted(self.counts.items())),
        }


def check_keys(
    archive: zipfile.ZipFile, manifest: dict[str, Any], cipher: FieldCipher | None
) -> None:
    """Raise :class:`MissingFieldKeys` naming the key ids the backup needs and ``cipher``
    lacks; reads every encrypted value of the archive, so it holds for backups whose
    manifest predates the record of key ids too."""
    census = KeyCensus(cipher)
    for table, columns in encrypted_columns().items():
        if table not in manifest.get("tables", {}):
            continue
        with archive.open(f"tables/{table}.jsonl") as lines:
            for line in lines:
                record = json.loads(line)
                census.add(record.get(column) for column in columns)
    unknown = census.counts.get(UNIDENTIFIED, 0)
    if not unknown:
        return
    recorded = (manifest.get("field_keys") or {}).get("key_ids") or []
    have = list(cipher.key_ids) if cipher else []
    missing = [k for k in recorded if k not in have]
    needed = (
        f"key id(s) {', '.join(missing)}"
        if missing
        else (
            f"key(s) {', '.join(recorded)} (the ids are configured, but not with the same keys)"
            if recorded
            else "keys that are not configured (the backup does not name them)"
        )
    )
    configured = f"CRM_FIELD_KEYS has {', '.join(have)}" if have else "CRM_FIELD_KEYS is not set"
    raise MissingFieldKeys(
        f"{unknown} encrypted value(s) of the backup need {needed}; {configured}. "
        "Add the key(s) the backup was made with to CRM_FIELD_KEYS, after the current one"
    )
