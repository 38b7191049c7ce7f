"""Leads imported with ``crm import sales.leads`` on the host's import framework."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from crm_sales import scoring
from crm_sales.models import Lead

from crm_host.cli.main import cli as crm
from crm_host.domain.directory import create_user
from crm_host.sdk import AuditLog


@pytest.mark.hookspec("crm_register_importers")
def test_crm_import_sales_leads(committed_app, committed_db, tmp_path):
    with committed_db.session() as session:
        ann = create_user(
            session, username="imp-ann", password="password-1", departments=["sales"], role="agent"
        )
        bob = create_user(
            session, username="imp-bob", password="password-1", departments=["sales"], role="agent"
        )
        scoring.add_rule(
            session, {"field": "source", "operator": "equals", "value": "expo", "points": 20}
        )
        session.commit()
        owners = [ann.id, bob.id]
    source = tmp_path / "leads.csv"
    source.write_text(
        "name,company,email,source,department\n"
        "李雷,恒力,li@hengli.cn,expo,sales\n"
        ",无名公司,x@y.cn,web,sales\n"
        "韩梅梅,,han@example.cn,web,sales\n"
        "王芳,,wang@,web,\n",
        encoding="utf-8",
    )
    runner = committed_app.test_cli_runner()
    result = runner.invoke(crm, ["import", "sales.leads", str(source)])
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated, 0 unchanged, 2 rejected" in result.output
    rejects = (tmp_path / "leads.csv.rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rejects[1].startswith("3,name: Required.")
    assert rejects[2].startswith("5,email: Not an email address.")
    with committed_db.engine.connect() as connection:
        rows = connection.execute(
            sa.select(Lead.name, Lead.score, Lead.owner_id).order_by(Lead.id)
        ).all()
        assert rows == [("李雷", 20, owners[0]), ("韩梅梅", 0, owners[1])]
        entries = connection.execute(
            sa.select(AuditLog.row_count).where(AuditLog.object_type == "sales_lead")
        ).all()
        assert entries == [(2,)]  # one entry for the batch, not one per row
    again = runner.invoke(crm, ["import", "sales.leads", str(source), "--again"])
    assert "0 created, 0 updated, 2 unchanged, 2 rejected" in again.output
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,salary\nx,1\n", encoding="utf-8")
    refused = runner.invoke(crm, ["import", "sales.leads", str(wrong)])
    assert refused.exit_code != 0 and "unknown: salary" in refused.output
