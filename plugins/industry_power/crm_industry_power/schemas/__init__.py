"""Schemas of the power API (types and limits; the rules live in the services), one
module per feature; every schema is re-exported here.

Named in the OpenAPI document with the plugin's prefix by the host (``PowerAccount…``).
"""

from __future__ import annotations

from crm_industry_power.schemas.accounts import (
    AccountIn,
    AccountOut,
    AccountQuery,
    EquipmentIn,
    EquipmentOut,
    MeterIn,
    MeterOut,
    MeterQuery,
    ServiceClassOut,
)
from crm_industry_power.schemas.advice import AdviceOut, AdviceQuery, AdviceRefreshIn
from crm_industry_power.schemas.bills import BillIn, BillOut, ReportQuery
from crm_industry_power.schemas.faults import ArrivalOut, FaultIn, FaultOut, FaultQuery
from crm_industry_power.schemas.guarantees import (
    GuaranteeIn,
    GuaranteeOut,
    GuaranteeQuery,
    GuaranteeTypeIn,
    GuaranteeTypeOut,
)
from crm_industry_power.schemas.inspections import (
    InspectionPlanIn,
    InspectionPlanOut,
    InspectionPlanQuery,
    InspectionRecordIn,
    InspectionRecordOut,
)
from crm_industry_power.schemas.readings import (
    DayQuery,
    DayTotalOut,
    ImportReportOut,
    LoadCurveOut,
    MetricsOut,
    PointOut,
    ProblemOut,
    RangeQuery,
    ReadingsFileIn,
    ReadingsImportIn,
    SummaryOut,
    TypicalDayOut,
)
from crm_industry_power.schemas.tariffs import PeriodIn, PeriodOut, TariffIn, TariffOut

__all__ = [
    "AccountIn",
    "AccountOut",
    "AccountQuery",
    "AdviceOut",
    "AdviceQuery",
    "AdviceRefreshIn",
    "ArrivalOut",
    "BillIn",
    "BillOut",
    "DayQuery",
    "DayTotalOut",
    "EquipmentIn",
    "EquipmentOut",
    "FaultIn",
    "FaultOut",
    "FaultQuery",
    "GuaranteeIn",
    "GuaranteeOut",
    "GuaranteeQuery",
    "GuaranteeTypeIn",
    "GuaranteeTypeOut",
    "ImportReportOut",
    "InspectionPlanIn",
    "InspectionPlanOut",
    "InspectionPlanQuery",
    "InspectionRecordIn",
    "InspectionRecordOut",
    "LoadCurveOut",
    "MeterIn",
    "MeterOut",
    "MeterQuery",
    "MetricsOut",
    "PeriodIn",
    "PeriodOut",
    "PointOut",
    "ProblemOut",
    "RangeQuery",
    "ReadingsFileIn",
    "ReadingsImportIn",
    "ReportQuery",
    "ServiceClassOut",
    "SummaryOut",
    "TariffIn",
    "TariffOut",
    "TypicalDayOut",
]
