"""The plugin SDK's validation vocabulary: one rule per kind of value, for the domain
layer, and the marshmallow fields that call the same rules, for the API's schemas.

Domain modules import the rules (``from crm_host.sdk import validation as check``;
``check.text(value, "name", errors, max_length=200, required=True)``, then
``check.fail_if(errors, "the lead is not valid")``); schemas import the fields
(``validation.Text(200)``). A value a schema accepts, the domain accepts, and both
answer the same message when it is wrong.

Part of the SDK's stability promise (see :mod:`crm_host.sdk`): a name in ``__all__``
changes only by deprecation.
"""

from __future__ import annotations

from crm_host.domain.validation import (
    CENT,
    MAX_AMOUNT,
    MAX_ID,
    Errors,
    add_error,
    choice,
    currency,
    customer_ref,
    date,
    decimal,
    email,
    fail_if,
    money,
    phone,
    reference_id,
    text,
)
from crm_host.domain.validation_fields import (
    Choice,
    Currency,
    CustomerRef,
    Date,
    Decimal,
    Email,
    Money,
    Phone,
    Text,
)

__all__ = [
    # Rules for the domain layer, collecting into an errors dict keyed by field
    "Errors",
    "add_error",
    "fail_if",
    "text",
    "money",
    "currency",
    "decimal",
    "choice",
    "date",
    "reference_id",
    "customer_ref",
    "phone",
    "email",
    "CENT",
    "MAX_AMOUNT",
    "MAX_ID",
    # The same rules as marshmallow fields, for the API's schemas
    "Text",
    "Money",
    "Currency",
    "Decimal",
    "Choice",
    "Date",
    "CustomerRef",
    "Phone",
    "Email",
]
