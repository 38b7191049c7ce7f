"""``crm import sales.leads FILE``: leads from CSV, JSON Lines or XLSX on the host's framework.

The host reads the file, cuts it into batches, keeps the rejects with their line
numbers and resumes after a crash; this module turns one batch of records into
leads with the same rules as the API. Scoring rules are loaded once per batch and
the batch is audited as one entry. A row whose email already belongs to a lead is
left alone, so importing the same file twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import ValidationFailed, audit
from crm_host.sdk.customers import BatchResult, ImportFileError, Record, Reject
from crm_sales import assignment, leads, scoring
from crm_sales.models import Lead, LeadStatus

COLUMNS = ("name", "company", "email", "phone", "source", "campaign", "department")


class LeadImporter:
    """Creates leads from records with the columns of :data:`COLUMNS` (``name`` required)."""

    @staticmethod
    def check_header(session: Session, columns: Iterable[str]) -> None:
        """Refuse a file without ``name`` or with columns the importer does not know."""
        columns = list(columns)
        unknown = [c for c in columns if c not in COLUMNS]
        if "name" not in columns or unknown:
            raise ImportFileError(
                "lead files have the columns "
                + ", ".join(COLUMNS)
                + " (name required)"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
            )

    def __init__(self, session: Session) -> None:
        self.session = session

    def import_batch(self, session: Session, records: list[Record]) -> BatchResult:
        """Create the batch's leads; rows that break a rule become rejects."""
        result = BatchResult()
        rules = scoring.active_rules(session)
        emails = {
            str(r.values.get("email") or "").strip().lower()
            for r in records
            if not r.error and r.values.get("email")
        }
        known = (
            set(
                session.scalars(
                    sa.select(sa.func.lower(Lead.email)).where(
                        sa.func.lower(Lead.email).in_(emails)
                    )
                )
            )
            if emails
            else set()
        )
        for record in records:
            if record.error:
                result.rejects.append(Reject(record.line, record.error, record.raw))
                continue
            values: dict[str, Any] = {
                k: v for k, v in record.values.items() if k in COLUMNS and v not in (None, "")
            }
            email = str(values.get("email") or "").strip().lower()
            if email and email in known:
                result.unchanged += 1
                continue
            try:
                clean = leads.clean_fields(session, values)
            except ValidationFailed as error:
                reason = "; ".join(f"{f}: {' '.join(m)}" for f, m in error.details.items())
                result.rejects.append(Reject(record.line, reason or error.message, record.raw))
                continue
            lead = Lead(**clean, status=LeadStatus.NEW)
            lead.score = scoring.score(rules, lead)
            if lead.department_id is not None:
                lead.owner_id = assignment.next_owner(session, lead.department_id)
            session.add(lead)
            session.flush()
            result.created.append(lead.id)
            if email:
                known.add(email)
        if result.created:
            audit.record(
                session,
                "import",
                "sales_lead",
                None,
                after={"first_id": result.created[0], "last_id": result.created[-1]},
                plugin="sales",
                row_count=len(result.created),
            )
        return result
