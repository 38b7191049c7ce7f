"""Schemas of the sales API (types and limits; the rules live in the services).

Named in the OpenAPI document with the plugin's prefix by the host (``SalesLead``).
One module per feature; every schema is re-exported here, so ``crm_sales.schemas.X``
names it wherever it is defined.
"""

from __future__ import annotations

from crm_sales.schemas.activities import ActivityIn, ActivityOut, ActivityPage, ActivityQuery
from crm_sales.schemas.assignment import AssignmentIn, AssignmentOut, CapacityIn, SellerLoadOut
from crm_sales.schemas.crosssell import RecommendationOut, RuleOut, RulesQuery
from crm_sales.schemas.leads import (
    LEAD_STATUSES,
    ConversionOut,
    ConvertIn,
    CustomerRef,
    LeadIn,
    LeadOut,
    LeadPage,
    LeadQuery,
    LeadStatusIn,
)
from crm_sales.schemas.orders import (
    OrderIn,
    OrderLineIn,
    OrderLineOut,
    OrderOut,
    OrderPage,
    OrderQuery,
    ProductIn,
    ProductOut,
)
from crm_sales.schemas.pipeline import (
    ForecastRowOut,
    FunnelStepOut,
    LostIn,
    OpportunityIn,
    OpportunityOut,
    OpportunityPage,
    OpportunityPatch,
    OpportunityQuery,
    PerformanceOut,
    StageChangeIn,
    StageChangeOut,
    StageFiguresOut,
    StageIn,
    StageOut,
    StagePatch,
)
from crm_sales.schemas.pricing import (
    CustomerPriceListIn,
    CustomerPriceListOut,
    PriceIn,
    PriceListBrief,
    PriceListIn,
    PriceListOut,
    PriceOut,
)
from crm_sales.schemas.quotes import (
    QUOTE_STATUSES,
    QuoteIn,
    QuoteLineIn,
    QuoteLineOut,
    QuoteOut,
    QuotePage,
    QuoteQuery,
    QuoteStatusIn,
)
from crm_sales.schemas.scoring import ScoringRuleIn, ScoringRuleOut

__all__ = [
    "LEAD_STATUSES",
    "QUOTE_STATUSES",
    "ActivityIn",
    "ActivityOut",
    "ActivityPage",
    "ActivityQuery",
    "AssignmentIn",
    "AssignmentOut",
    "CapacityIn",
    "ConversionOut",
    "ConvertIn",
    "CustomerPriceListIn",
    "CustomerPriceListOut",
    "CustomerRef",
    "ForecastRowOut",
    "FunnelStepOut",
    "LeadIn",
    "LeadOut",
    "LeadPage",
    "LeadQuery",
    "LeadStatusIn",
    "LostIn",
    "OpportunityIn",
    "OpportunityOut",
    "OpportunityPage",
    "OpportunityPatch",
    "OpportunityQuery",
    "OrderIn",
    "OrderLineIn",
    "OrderLineOut",
    "OrderOut",
    "OrderPage",
    "OrderQuery",
    "PerformanceOut",
    "PriceIn",
    "PriceListBrief",
    "PriceListIn",
    "PriceListOut",
    "PriceOut",
    "ProductIn",
    "ProductOut",
    "QuoteIn",
    "QuoteLineIn",
    "QuoteLineOut",
    "QuoteOut",
    "QuotePage",
    "QuoteQuery",
    "QuoteStatusIn",
    "RecommendationOut",
    "RuleOut",
    "RulesQuery",
    "ScoringRuleIn",
    "ScoringRuleOut",
    "SellerLoadOut",
    "StageChangeIn",
    "StageChangeOut",
    "StageFiguresOut",
    "StageIn",
    "StageOut",
    "StagePatch",
]
