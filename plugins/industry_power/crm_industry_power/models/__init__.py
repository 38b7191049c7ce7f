"""The power pack's tables: tariffs with time-of-use periods, accounts (户号), meters,
interval readings packed per meter and day, bills, advice, equipment and faults.

One module per aggregate; everything is re-exported here, so
``crm_industry_power.models.Account`` names the same class as
``crm_industry_power.models.accounts.Account``. Every table starts with ``power_``.
Foreign keys point at host tables (customers, users) but no relationship is added
onto a host model.
"""

from __future__ import annotations

from crm_industry_power.models.accounts import (
    CAPACITY_CAPS,
    CATEGORIES,
    DISPLAY_UNITS,
    EQUIPMENT_KINDS,
    QUANTITIES,
    SERVICE_LEVELS,
    VOLTAGE_LEVELS,
    Account,
    Equipment,
    Meter,
    ServiceClass,
)
from crm_industry_power.models.advice import Advice
from crm_industry_power.models.bills import Bill
from crm_industry_power.models.columns import ENERGY, MONEY, PRICE
from crm_industry_power.models.faults import AREAS, FAULT_STATUSES, Fault, FaultStatus
from crm_industry_power.models.guarantees import (
    GUARANTEE_KINDS,
    GUARANTEE_UNITS,
    Guarantee,
    GuaranteeType,
)
from crm_industry_power.models.inspections import (
    INSPECTION_KINDS,
    INSPECTION_RESULTS,
    InspectionPlan,
    InspectionRecord,
)
from crm_industry_power.models.readings import ReadingDay
from crm_industry_power.models.tariffs import PERIODS, Tariff, TariffPeriod

__all__ = [
    "AREAS",
    "CAPACITY_CAPS",
    "CATEGORIES",
    "DISPLAY_UNITS",
    "ENERGY",
    "EQUIPMENT_KINDS",
    "FAULT_STATUSES",
    "GUARANTEE_KINDS",
    "GUARANTEE_UNITS",
    "INSPECTION_KINDS",
    "INSPECTION_RESULTS",
    "MONEY",
    "PERIODS",
    "PRICE",
    "QUANTITIES",
    "SERVICE_LEVELS",
    "VOLTAGE_LEVELS",
    "Account",
    "Advice",
    "Bill",
    "Equipment",
    "Fault",
    "FaultStatus",
    "Guarantee",
    "GuaranteeType",
    "InspectionPlan",
    "InspectionRecord",
    "Meter",
    "ReadingDay",
    "ServiceClass",
    "Tariff",
    "TariffPeriod",
]
