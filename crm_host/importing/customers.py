"""Importing customers in batches: the API's rules, upsert on code, one audit entry a batch.

Rows are validated with :func:`crm_host.customers.rules.clean_customer` — the same
rules the API runs — then written with Core statements (an ORM object per row
would cost more than the rest of the import together). A second import of the same
file finds every row unchanged and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host import audit
from crm_host.customers.custom_fields import clean_custom, definitions
from crm_host.customers.rules import LINK_COLUMNS, RULES, clean_customer
from crm_host.customers.service import run_guards
from crm_host.db import utcnow
from crm_host.errors import ValidationFailed
from crm_host.host import host_of
from crm_host.importing.readers import ImportFileError, Record
from crm_host.importing.results import BatchResult, Reject
from crm_host.models import Customer, Department, Tag, customer_departments, customer_tags
from crm_host.sensitive import blind_id_number, blind_phone
from crm_host.text import normalize_name

LIST_SEPARATOR = ";"
#: Columns besides the rule-checked fields and ``custom.<name>``.
EXTRA_COLUMNS = LINK_COLUMNS
_CUSTOMERS = Customer.__table__


def check_header(session: Session, columns: Sequence[str]) -> None:
    """Refuse a file whose header names unknown columns or lacks the required ones."""
    custom = {f"custom.{name}" for name in definitions(session)}
    known = set(RULES) | set(EXTRA_COLUMNS) | custom
    columns = list(columns)
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ImportFileError(
            f"unknown column(s) {', '.join(unknown)}; the columns are the API's field names: "
            + ", ".join([*RULES, *EXTRA_COLUMNS, *sorted(custom)])
        )
    missing = [name for name, rule in RULES.items() if rule.required and name not in columns]
    if missing:
        raise ImportFileError(f"the header lacks required column(s) {', '.join(missing)}")


@dataclass
class _Row:
    line: int
    values: dict[str, Any]
    departments: set[str] | None
    tags: set[str] | None
    parent_code: str | None
    raw: list[str] | None


def _split(value: Any) -> set[str]:
    if isinstance(value, list):
        return {str(v).strip() for v in value if str(v).strip()}
    return {part.strip() for part in str(value or "").split(LIST_SEPARATOR) if part.strip()}


def _describe(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())


class CustomerImporter:
    """Validates and writes batches of customer records; keeps what spans batches."""

    @staticmethod
    def check_header(session: Session, columns: Sequence[str]) -> None:
        """Refuse a header with unknown or missing columns (see :func:`check_header`)."""
        check_header(session, columns)

    def __init__(self, session: Session) -> None:
        self.fields = definitions(session)
        self.departments = {d.code: d.id for d in session.scalars(sa.select(Department))}
        self.departments.update({d.name: d.id for d in session.scalars(sa.select(Department))})
        #: code → the line it was first seen on in this file.
        self.seen: dict[str, int] = {}
        custom = {f"custom.{name}" for name in self.fields}
        #: Field names a record may carry (JSON Lines records name their own fields).
        self.allowed = set(RULES) | set(EXTRA_COLUMNS) | custom

    def remember(self, records: Iterable[Record]) -> None:
        """Note the codes of records already imported (when resuming after a crash)."""
        for record in records:
            code = str(record.values.get("code") or "").strip()
            if code and not record.error and code not in self.seen:
                self.seen[code] = record.line

    def validate(
        self, session: Session, records: Sequence[Record]
    ) -> tuple[list[_Row], list[Reject]]:
        """Check every record with the API's rules; split into good rows and rejects.

        A ``parent_code`` must name a customer already in the database or on an
        earlier line of the file.
        """
        good: list[_Row] = []
        rejects: list[Reject] = []
        parent_codes = {
            str(r.values.get("parent_code") or "").strip() for r in records if not r.error
        } - {""}
        known_parents = set(
            session.scalars(sa.select(_CUSTOMERS.c.code).where(_CUSTOMERS.c.code.in_(parent_codes)))
        )
        for record in records:
            if record.error:
                rejects.append(Reject(record.line, record.error, record.raw))
                continue
            values = record.values
            unknown_fields = sorted(set(values) - self.allowed)
            if unknown_fields:
                rejects.append(
                    Reject(record.line, f"unknown field(s) {', '.join(unknown_fields)}", record.raw)
                )
                continue
            clean, errors = clean_customer(values)
            custom_values = {
                k.removeprefix("custom."): v for k, v in values.items() if k.startswith("custom.")
            }
            custom, custom_errors = clean_custom(self.fields, custom_values)
            errors.update(custom_errors)
            departments = _split(values["departments"]) if "departments" in values else None
            unknown = sorted((departments or set()) - set(self.departments))
            if unknown:
                errors["departments"] = [f"No department {', '.join(map(repr, unknown))}."]
            parent = str(values.get("parent_code") or "").strip() or None
            if parent and parent not in known_parents and parent not in self.seen:
                errors["parent_code"] = [
                    f"No customer with code {parent!r} in the database or earlier in the file."
                ]
            code = clean.get("code")
            if code and code in self.seen and not errors:
                errors["code"] = [f"Repeats the code of line {self.seen[code]}."]
            if errors:
                rejects.append(Reject(record.line, _describe(errors), record.raw))
                continue
            self.seen[code] = record.line
            clean["custom"] = custom
            tags = _split(values["tags"]) if "tags" in values else None
            good.append(_Row(record.line, clean, departments, tags, parent, record.raw))
        return good, rejects

    def write(self, session: Session, rows: list[_Row]) -> BatchResult:
        """Upsert the rows on code; unchanged rows are not touched."""
        result = BatchResult()
        if not rows:
            return result
        codes = [r.values["code"] for r in rows]
        existing = {
            row.code: row
            for row in session.execute(sa.select(_CUSTOMERS).where(_CUSTOMERS.c.code.in_(codes)))
        }
        parents = self._parents(session, rows)
        pending_parents: list[_Row] = []
        now = utcnow()
        inserts, updates = [], []
        for row in rows:
            values = dict(row.values)
            values["search_name"] = normalize_name(values["name"])
            # Core inserts skip the model's events: keep the blind indexes here.
            if "phone" in values:
                values["phone_blind"] = blind_phone(values["phone"])
            if "id_number" in values:
                values["id_number_blind"] = blind_id_number(values["id_number"])
            if row.parent_code is not None:
                values["parent_id"] = parents.get(row.parent_code)
                if values["parent_id"] is None:  # defined earlier in this same batch
                    pending_parents.append(row)
                    values.pop("parent_id")
            current = existing.get(values["code"])
            if current is None:
                inserts.append(
                    {
                        "lifecycle_stage": "prospect",
                        **values,
                        "preferences": {},
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            else:
                changed = {k: v for k, v in values.items() if getattr(current, k) != v}
                if changed:
                    updates.append((current.id, changed | {"updated_at": now}))
        if inserts:
            session.execute(_CUSTOMERS.insert(), inserts)
        for customer_id, changed in updates:
            session.execute(
                _CUSTOMERS.update().where(_CUSTOMERS.c.id == customer_id).values(changed)
            )
        ids = dict(
            session.execute(
                sa.select(_CUSTOMERS.c.code, _CUSTOMERS.c.id).where(_CUSTOMERS.c.code.in_(codes))
            ).all()
        )
        created = {v["code"] for v in inserts}
        links_changed = self._links(session, rows, ids)
        result.created = [ids[c] for c in codes if c in created]
        updated = {cid for cid, _ in updates} | (links_changed - set(result.created))
        result.updated = sorted(updated)
        result.unchanged = len(rows) - len(result.created) - len(result.updated)
        for row in pending_parents:
            session.execute(
                _CUSTOMERS.update()
                .where(_CUSTOMERS.c.id == ids[row.values["code"]])
                .values(parent_id=ids[row.parent_code])
            )
        return result

    def _parents(self, session: Session, rows: list[_Row]) -> dict[str, int]:
        wanted = {r.parent_code for r in rows if r.parent_code}
        if not wanted:
            return {}
        return dict(
            session.execute(
                sa.select(_CUSTOMERS.c.code, _CUSTOMERS.c.id).where(_CUSTOMERS.c.code.in_(wanted))
            ).all()
        )

    def _links(self, session: Session, rows: list[_Row], ids: dict[str, int]) -> set[int]:
        """Bring departments and tags in line with the file; returns customers whose links changed."""
        changed: set[int] = set()
        tag_names = set().union(*(r.tags for r in rows if r.tags))
        tag_ids = dict(
            session.execute(sa.select(Tag.name, Tag.id).where(Tag.name.in_(tag_names))).all()
        )
        new_tags = sorted(tag_names - set(tag_ids))
        if new_tags:
            session.execute(Tag.__table__.insert(), [{"name": n} for n in new_tags])
            tag_ids |= dict(
                session.execute(sa.select(Tag.name, Tag.id).where(Tag.name.in_(new_tags))).all()
            )
        for table, column, wanted_of, lookup in (
            (customer_departments, "department_id", lambda r: r.departments, self.departments),
            (customer_tags, "tag_id", lambda r: r.tags, tag_ids),
        ):
            rows_with = [r for r in rows if wanted_of(r) is not None]
            if not rows_with:
                continue
            customer_ids = [ids[r.values["code"]] for r in rows_with]
            current: dict[int, set[int]] = {cid: set() for cid in customer_ids}
            for cid, target in session.execute(
                sa.select(table.c.customer_id, table.c[column]).where(
                    table.c.customer_id.in_(customer_ids)
                )
            ):
                current[cid].add(target)
            add, remove = [], []
            for row in rows_with:
                cid = ids[row.values["code"]]
                want = {lookup[n] for n in wanted_of(row)}
                add += [{"customer_id": cid, column: t} for t in want - current[cid]]
                remove += [(cid, t) for t in current[cid] - want]
                if want != current[cid]:
                    changed.add(cid)
            if add:
                session.execute(table.insert(), add)
            for cid, target in remove:
                session.execute(
                    table.delete().where(table.c.customer_id == cid, table.c[column] == target)
                )
        return changed

    def import_batch(self, session: Session, records: Sequence[Record]) -> BatchResult:
        """Validate, write, let plugins' guards check, and audit one batch.

        A guard that vetoes the batch turns its rows into rejects naming the plugin;
        the other batches go on.
        """
        rows, rejects = self.validate(session, records)
        savepoint = session.begin_nested()
        try:
            result = self.write(session, rows)
            touched = result.created + result.updated
            # Guards get ORM objects; loading a batch of them is only worth it when a
            # plugin has a guard at all.
            if touched and host_of(session).plugins.implementations("crm_validate_customers"):
                customers = list(
                    session.scalars(sa.select(Customer).where(Customer.id.in_(touched)))
                )
                run_guards(session, customers)
            savepoint.commit()
        except ValidationFailed as error:
            savepoint.rollback()
            for row in rows:
                self.seen.pop(row.values["code"], None)
            result = BatchResult(rejects=[Reject(r.line, error.message, r.raw) for r in rows])
        result.rejects = rejects + result.rejects
        if result.created or result.updated:
            from crm_host.runtime import emit

            emit(session, "crm_customers_imported", customer_ids=result.created + result.updated)
            audit.record(
                session,
                "import",
                "customer",
                None,
                row_count=len(result.created) + len(result.updated),
                after={
                    "created": len(result.created),
                    "updated": len(result.updated),
                    "lines": [records[0].line, records[-1].line],
                },
            )
        return result
