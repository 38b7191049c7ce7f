"""Importing customers in batches: the API's rules, upsert on code, one audit entry a batch.

Rows are validated with :func:`crm_host.domain.customers.rules.clean_customers` — the
API's rules, a column at a time — then new customers are written in bulk
(:mod:`crm_host.domain.importing.bulk`: ``COPY`` on PostgreSQL) and changed ones with Core
statements; an ORM object per row would cost more than the rest of the import
together. A second import of the same file finds every row unchanged: nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.db import utcnow
from crm_host.core.errors import ValidationFailed
from crm_host.core.host import host_of
from crm_host.core.models import Customer, Department, Tag, customer_departments, customer_tags
from crm_host.core.sensitive import blind, blind_id_number, blind_phone
from crm_host.core.text import normalize_name, normalize_phone
from crm_host.core.versioning import bump_version
from crm_host.domain.customers.custom_fields import clean_custom, definitions
from crm_host.domain.customers.rules import FIELDS, RULES, clean_customers
from crm_host.domain.customers.service import run_guards
from crm_host.domain.importing import bulk
from crm_host.domain.importing.customer_rows import (
    EXTRA_COLUMNS,
    Layout,
    Row,
    check_header,
    describe,
    split_list,
    split_once,
)
from crm_host.domain.importing.readers import Record
from crm_host.domain.importing.results import BatchResult, Reject
from crm_host.records import audit

_CUSTOMERS = Customer.__table__
_STAGE = FIELDS.index("lifecycle_stage")
#: What a new customer's row holds, in this order, when written in bulk.
_INSERTED = (
    *FIELDS,
    "search_name",
    "phone_blind",
    "id_number_blind",
    "parent_id",
    "preferences",
    "custom",
    "created_at",
    "updated_at",
)


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
        self._layouts: dict[tuple[str, ...], Layout] = {}
        # Without a required custom field, a row naming none has nothing to check.
        self._custom_required = any(f.required for f in self.fields.values())

    def remember(self, records: Iterable[Record]) -> None:
        """Note the codes of records already imported (when resuming after a crash)."""
        for record in records:
            code = str(record.values.get("code") or "").strip()
            if code and not record.error and code not in self.seen:
                self.seen[code] = record.line

    def _layout(self, values: dict[str, Any]) -> Layout:
        # Every record of a CSV file has the same keys: look at them once.
        keys = tuple(values)
        layout = self._layouts.get(keys)
        if layout is None:
            layout = self._layouts[keys] = Layout(
                unknown=sorted(set(keys) - self.allowed),
                custom=[k for k in keys if k.startswith("custom.")],
            )
        return layout

    def validate(
        self, session: Session, records: Sequence[Record]
    ) -> tuple[list[Row], list[Reject]]:
        """Check every record with the API's rules; split into good rows and rejects.

        A ``parent_code`` must name a customer already in the database or on an
        earlier line of the file.
        """
        good: list[Row] = []
        rejects: list[Reject] = []
        readable = [r for r in records if not r.error and not self._layout(r.values).unknown]
        parent_codes = {str(r.values.get("parent_code") or "").strip() for r in readable} - {""}
        known_parents = (
            set(
                session.scalars(
                    sa.select(_CUSTOMERS.c.code).where(
                        bulk.matching(session, _CUSTOMERS.c.code, parent_codes)
                    )
                )
            )
            if parent_codes
            else set()
        )
        checked = iter(clean_customers([r.values for r in readable]))
        # Department and tag lists repeat from row to row: split each text once.
        departments_of: dict[Any, tuple[set[str], list[str]]] = {}
        tags_of: dict[Any, set[str]] = {}
        for record in records:
            if record.error:
                rejects.append(Reject(record.line, record.error, record.raw))
                continue
            values = record.values
            layout = self._layout(values)
            if layout.unknown:
                rejects.append(
                    Reject(record.line, f"unknown field(s) {', '.join(layout.unknown)}", record.raw)
                )
                continue
            clean, errors = next(checked)
            if layout.custom or self._custom_required:
                custom_values = {k.removeprefix("custom."): values[k] for k in layout.custom}
                custom, custom_errors = clean_custom(self.fields, custom_values)
                errors.update(custom_errors)
            else:
                custom = {}
            departments = None
            if "departments" in values:
                departments, unknown = self._departments(values["departments"], departments_of)
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
                rejects.append(Reject(record.line, describe(errors, values), record.raw))
                continue
            self.seen[code] = record.line
            clean["custom"] = custom
            tags = None
            if "tags" in values:
                tags = split_once(values["tags"], tags_of)
            good.append(Row(record.line, clean, departments, tags, parent, record.raw))
        return good, rejects

    def _departments(
        self, value: Any, memo: dict[Any, tuple[set[str], list[str]]]
    ) -> tuple[set[str], list[str]]:
        """The departments a cell names, and those of them that do not exist."""
        if isinstance(value, str) and value in memo:
            return memo[value]
        names = split_list(value)
        found = (names, sorted(names - set(self.departments)))
        if isinstance(value, str):
            memo[value] = found
        return found

    def write(self, session: Session, rows: list[Row]) -> BatchResult:
        """Upsert the rows on code; unchanged rows are not touched."""
        result = BatchResult()
        if not rows:
            return result
        bulk.make_room(session)
        codes = [r.values["code"] for r in rows]
        existing = {
            row.code: row
            for row in session.execute(
                sa.select(_CUSTOMERS).where(bulk.matching(session, _CUSTOMERS.c.code, codes))
            )
        }
        parents = self._parents(session, rows)
        pending_parents: list[Row] = []
        now = utcnow()
        inserts: list[list[Any]] = []
        created: list[str] = []
        updates = []
        for row in rows:
            values = row.values
            parent_id = None
            if row.parent_code is not None:
                parent_id = parents.get(row.parent_code)
                if parent_id is None:  # defined earlier in this same batch
                    pending_parents.append(row)
            current = existing.get(values["code"])
            if current is None:
                created.append(values["code"])
                inserts.append(self._new(values, parent_id, now))
                continue
            values = dict(values)
            values["search_name"] = normalize_name(values["name"])
            # Core statements skip the model's events: keep the blind indexes here.
            if "phone" in values:
                values["phone_blind"] = blind_phone(values["phone"])
            if "id_number" in values:
                values["id_number_blind"] = blind_id_number(values["id_number"])
            if row.parent_code is not None and parent_id is not None:
                values["parent_id"] = parent_id
            changed = {k: v for k, v in values.items() if getattr(current, k) != v}
            if changed:
                updates.append((current.id, changed | {"updated_at": now}))
        bulk.insert_rows(session, _CUSTOMERS, _INSERTED, inserts)
        for customer_id, changed in updates:
            session.execute(
                _CUSTOMERS.update()
                .where(_CUSTOMERS.c.id == customer_id)
                .values({**changed, **bump_version(_CUSTOMERS)})
            )
        ids = {code: row.id for code, row in existing.items()}
        if created:
            ids.update(
                session.execute(
                    sa.select(_CUSTOMERS.c.code, _CUSTOMERS.c.id).where(
                        bulk.matching(session, _CUSTOMERS.c.code, created)
                    )
                ).all()
            )
        links_changed = self._links(session, rows, ids, set(created))
        links_only = links_changed - {cid for cid, _ in updates} - set(ids[c] for c in created)
        if links_only:
            # Tags or departments changed, the row itself not: the record still did.
            session.execute(
                _CUSTOMERS.update()
                .where(bulk.matching(session, _CUSTOMERS.c.id, sorted(links_only)))
                .values(bump_version(_CUSTOMERS))
            )
        result.created = [ids[c] for c in created]
        updated = {cid for cid, _ in updates} | (links_changed - set(result.created))
        result.updated = sorted(updated)
        result.unchanged = len(rows) - len(result.created) - len(result.updated)
        for row in pending_parents:
            session.execute(
                _CUSTOMERS.update()
                .where(_CUSTOMERS.c.id == ids[row.values["code"]])
                .values(parent_id=ids[row.parent_code], **bump_version(_CUSTOMERS))
            )
        return result

    @staticmethod
    def _new(values: dict[str, Any], parent_id: int | None, now: datetime) -> list[Any]:
        """A new customer's row, in the order of :data:`_INSERTED`.

        What the file leaves out gets what a Core insert would give it: nothing, or
        the column's default (``prospect``, no preferences).
        """
        phone = values.get("phone")
        id_number = values.get("id_number")
        row = [
            *map(values.get, FIELDS),
            normalize_name(values["name"]),
            # Bulk writes skip the model's events: keep the blind indexes here
            # (blind_phone's own body, without its per-call import).
            blind(normalize_phone(phone)) if phone else None,
            blind_id_number(id_number) if id_number else None,
            parent_id,
            {},
            values["custom"],
            now,
            now,
        ]
        if "lifecycle_stage" not in values:
            row[_STAGE] = "prospect"
        return row

    def _parents(self, session: Session, rows: list[Row]) -> dict[str, int]:
        wanted = {r.parent_code for r in rows if r.parent_code}
        if not wanted:
            return {}
        return dict(
            session.execute(
                sa.select(_CUSTOMERS.c.code, _CUSTOMERS.c.id).where(
                    bulk.matching(session, _CUSTOMERS.c.code, wanted)
                )
            ).all()
        )

    def _links(
        self, session: Session, rows: list[Row], ids: dict[str, int], created: set[str]
    ) -> set[int]:
        """Bring departments and tags in line with the file; returns customers whose links changed.

        Customers created by this batch have no links yet: only the others' are read.
        """
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
            add: list[tuple[int, int]] = []
            remove: list[dict[str, int]] = []
            older = [r for r in rows_with if r.values["code"] not in created]
            current: dict[int, set[int]] = {ids[r.values["code"]]: set() for r in older}
            if current:
                for cid, target in session.execute(
                    sa.select(table.c.customer_id, table.c[column]).where(
                        bulk.matching(session, table.c.customer_id, current)
                    )
                ):
                    current[cid].add(target)
            for row in rows_with:
                cid = ids[row.values["code"]]
                have = current.get(cid)
                if have is None:
                    # New in this batch: it gets what the file names (a department by
                    # code and by name once), and counts as created, not as changed.
                    add += [(cid, t) for t in {lookup[n] for n in wanted_of(row)}]
                    continue
                want = {lookup[n] for n in wanted_of(row)}
                if want != have:
                    add += [(cid, t) for t in want - have]
                    remove += [{"customer": cid, "target": t} for t in have - want]
                    changed.add(cid)
            bulk.insert_rows(session, table, ("customer_id", column), add)
            if remove:
                session.execute(
                    table.delete().where(
                        table.c.customer_id == sa.bindparam("customer"),
                        table.c[column] == sa.bindparam("target"),
                    ),
                    remove,
                )
        return changed

    def import_batch(self, session: Session, records: Sequence[Record]) -> BatchResult:
        """Validate, write, let plugins' guards check, and audit one batch.

        A guard that vetoes the batch turns its rows into rejects naming the plugin;
        the other batches go on.
        """
        with bulk.collecting_later():
            rows, rejects = self.validate(session, records)
        savepoint = session.begin_nested()
        try:
            with bulk.collecting_later():
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
            from crm_host.runtime.facade import emit

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
