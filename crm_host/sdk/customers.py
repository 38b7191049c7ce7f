"""The plugin SDK's customer services: customer records and their children, consent,
privacy, segments, importing and the analytics transaction sources.

Part of the SDK's stability promise (see :mod:`crm_host.sdk`): a name in ``__all__``
changes only by deprecation.
"""

from __future__ import annotations

from crm_host.core.scrubbing import scrub_json_column
from crm_host.domain.analytics import sources, transactions
from crm_host.domain.customers import children as customer_children
from crm_host.domain.customers import service as customer_service
from crm_host.domain.customers.consent import CHANNELS as CONSENT_CHANNELS
from crm_host.domain.customers.consent import current_consents, record_consent
from crm_host.domain.customers.merge import merge_customers
from crm_host.domain.customers.privacy import erase_customer, export_customer
from crm_host.domain.customers.rules import PHONE_NOISE
from crm_host.domain.customers.service import AUDITED_FIELDS
from crm_host.domain.importing.readers import ImportFileError, Record, detect_format, read_records
from crm_host.domain.importing.registry import ImporterRegistry
from crm_host.domain.importing.results import BatchResult, Reject
from crm_host.domain.segments import (
    NO_VALUE,
    OPERATORS,
    Build,
    Criterion,
    CriterionError,
    Grouped,
    compare,
    date_value,
    grouped_members,
    text_field,
    text_values,
    whole_days,
    window_value,
)

__all__ = [
    # Customers and their contacts and addresses (modules of service functions)
    "customer_service",
    "customer_children",
    "AUDITED_FIELDS",
    "PHONE_NOISE",
    "merge_customers",
    # Consent and privacy
    "CONSENT_CHANNELS",
    "current_consents",
    "record_consent",
    "erase_customer",
    "export_customer",
    "scrub_json_column",
    # Segments: criteria a plugin contributes and compiles
    "Build",
    "Criterion",
    "CriterionError",
    "Grouped",
    "NO_VALUE",
    "OPERATORS",
    "compare",
    "date_value",
    "grouped_members",
    "text_field",
    "text_values",
    "whole_days",
    "window_value",
    # Importing
    "ImporterRegistry",
    "ImportFileError",
    "Record",
    "detect_format",
    "read_records",
    "BatchResult",
    "Reject",
    # Analytics: the union of every plugin's transaction source
    "sources",
    "transactions",
]
