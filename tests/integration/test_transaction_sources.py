"""The built-in plugins' transaction sources keep the contract the union builder checks."""

from __future__ import annotations

from crm_industry_power import bills
from crm_sales import orders

from crm_host.domain.analytics import source_problems


def test_the_built_in_sources_fit_the_contract():
    assert source_problems(orders.transaction_source()) == []
    assert source_problems(bills.transaction_source()) == []
