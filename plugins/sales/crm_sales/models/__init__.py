"""The sales plugin's tables: leads, pipeline stages, opportunities and their stage history,
products, orders with lines, price lists, quotes, activities, lead-scoring rules and
how leads are assigned.

Every table starts with ``sales_``. Foreign keys point at host tables (customers,
users, departments) but no relationship is added onto a host model. One module per
aggregate; every model is re-exported here, so ``crm_sales.models.X`` names it
wherever it is defined (and importing this package maps them all).
"""

from __future__ import annotations

from crm_sales.models.activities import Activity, ActivityKind
from crm_sales.models.assignment import (
    AssignmentCursor,
    AssignmentMethod,
    AssignmentRule,
    SalesCapacity,
)
from crm_sales.models.common import MONEY
from crm_sales.models.leads import Lead, LeadStatus, ScoringRule
from crm_sales.models.orders import Order, OrderLine, Product
from crm_sales.models.pipeline import Opportunity, OpportunityStatus, Stage, StageChange
from crm_sales.models.pricing import CustomerPriceList, PriceList, PriceListItem
from crm_sales.models.quotes import Quote, QuoteLine, QuoteStatus

__all__ = [
    "MONEY",
    "Activity",
    "ActivityKind",
    "AssignmentCursor",
    "AssignmentMethod",
    "AssignmentRule",
    "CustomerPriceList",
    "Lead",
    "LeadStatus",
    "Opportunity",
    "OpportunityStatus",
    "Order",
    "OrderLine",
    "PriceList",
    "PriceListItem",
    "Product",
    "Quote",
    "QuoteLine",
    "QuoteStatus",
    "SalesCapacity",
    "ScoringRule",
    "Stage",
    "StageChange",
]
