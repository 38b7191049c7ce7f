"""power: tariffs with time-of-use periods, accounts, meters, packed interval readings,
bills, advice, equipment and faults

Revision ID: power0001
Revises:
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "power0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("power",)
# Customers and users exist since host0001; depending on nothing later lets the host
# branch move on independently of this one.
depends_on: str | Sequence[str] | None = "host0001"


def upgrade() -> None:
    op.create_table(
        "power_tariffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("peak_price", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("flat_price", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("valley_price", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("capacity_price", sa.Numeric(precision=12, scale=4), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_tariffs")),
        sa.UniqueConstraint("code", name=op.f("uq_power_tariffs_code")),
    )
    op.create_table(
        "power_tariff_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tariff_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("start_minute", sa.SmallInteger(), nullable=False),
        sa.Column("end_minute", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tariff_id"],
            ["power_tariffs.id"],
            name=op.f("fk_power_tariff_periods_tariff_id_power_tariffs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_tariff_periods")),
    )
    op.create_index(
        op.f("ix_power_tariff_periods_tariff_id"),
        "power_tariff_periods",
        ["tariff_id"],
        unique=False,
    )
    op.create_table(
        "power_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("service_point", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("voltage_level", sa.String(length=8), nullable=False),
        sa.Column("contracted_kva", sa.Numeric(precision=12, scale=1), nullable=False),
        sa.Column("tariff_id", sa.Integer(), nullable=True),
        sa.Column("key_customer", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_power_accounts_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tariff_id"],
            ["power_tariffs.id"],
            name=op.f("fk_power_accounts_tariff_id_power_tariffs"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_accounts")),
        sa.UniqueConstraint("number", name=op.f("uq_power_accounts_number")),
    )
    op.create_index(
        op.f("ix_power_accounts_customer_id"), "power_accounts", ["customer_id"], unique=False
    )
    op.create_index(
        op.f("ix_power_accounts_tariff_id"), "power_accounts", ["tariff_id"], unique=False
    )
    op.create_table(
        "power_advice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("monthly_saving", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["power_accounts.id"],
            name=op.f("fk_power_advice_account_id_power_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_advice")),
    )
    op.create_index(
        op.f("ix_power_advice_account_id"), "power_advice", ["account_id"], unique=False
    )
    op.create_table(
        "power_bills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("peak_kwh", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("flat_kwh", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("valley_kwh", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("energy_amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("capacity_amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["power_accounts.id"],
            name=op.f("fk_power_bills_account_id_power_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_power_bills_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_bills")),
        sa.UniqueConstraint("account_id", "month", name=op.f("uq_power_bills_account_id_month")),
    )
    op.create_index(op.f("ix_power_bills_account_id"), "power_bills", ["account_id"], unique=False)
    op.create_index(
        op.f("ix_power_bills_customer_id"), "power_bills", ["customer_id"], unique=False
    )
    op.create_table(
        "power_equipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=True),
        sa.Column("rated_kva", sa.Numeric(precision=12, scale=1), nullable=True),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["power_accounts.id"],
            name=op.f("fk_power_equipment_account_id_power_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_equipment")),
    )
    op.create_index(
        op.f("ix_power_equipment_account_id"), "power_equipment", ["account_id"], unique=False
    )
    op.create_table(
        "power_faults",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact_phone", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("reported_by_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["power_accounts.id"],
            name=op.f("fk_power_faults_account_id_power_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_power_faults_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"],
            ["users.id"],
            name=op.f("fk_power_faults_reported_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_faults")),
    )
    op.create_index(
        op.f("ix_power_faults_account_id"), "power_faults", ["account_id"], unique=False
    )
    op.create_index(
        op.f("ix_power_faults_customer_id"), "power_faults", ["customer_id"], unique=False
    )
    op.create_index(
        op.f("ix_power_faults_reported_by_id"), "power_faults", ["reported_by_id"], unique=False
    )
    op.create_table(
        "power_meters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("multiplier", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["power_accounts.id"],
            name=op.f("fk_power_meters_account_id_power_accounts"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_meters")),
        sa.UniqueConstraint("number", name=op.f("uq_power_meters_number")),
    )
    op.create_index(
        op.f("ix_power_meters_account_id"), "power_meters", ["account_id"], unique=False
    )
    op.create_table(
        "power_reading_days",
        sa.Column("meter_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("interval_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("values", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meter_id"],
            ["power_meters.id"],
            name=op.f("fk_power_reading_days_meter_id_power_meters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meter_id", "day", name=op.f("pk_power_reading_days")),
    )


def downgrade() -> None:
    op.drop_table("power_reading_days")
    op.drop_index(op.f("ix_power_meters_account_id"), table_name="power_meters")
    op.drop_table("power_meters")
    op.drop_index(op.f("ix_power_faults_reported_by_id"), table_name="power_faults")
    op.drop_index(op.f("ix_power_faults_customer_id"), table_name="power_faults")
    op.drop_index(op.f("ix_power_faults_account_id"), table_name="power_faults")
    op.drop_table("power_faults")
    op.drop_index(op.f("ix_power_equipment_account_id"), table_name="power_equipment")
    op.drop_table("power_equipment")
    op.drop_index(op.f("ix_power_bills_customer_id"), table_name="power_bills")
    op.drop_index(op.f("ix_power_bills_account_id"), table_name="power_bills")
    op.drop_table("power_bills")
    op.drop_index(op.f("ix_power_advice_account_id"), table_name="power_advice")
    op.drop_table("power_advice")
    op.drop_index(op.f("ix_power_accounts_tariff_id"), table_name="power_accounts")
    op.drop_index(op.f("ix_power_accounts_customer_id"), table_name="power_accounts")
    op.drop_table("power_accounts")
    op.drop_index(op.f("ix_power_tariff_periods_tariff_id"), table_name="power_tariff_periods")
    op.drop_table("power_tariff_periods")
    op.drop_table("power_tariffs")
