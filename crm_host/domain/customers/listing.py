"""The customer list query, shared by the API and the console."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm_host.core.models import Customer, Department, Tag, customer_departments, customer_tags
from crm_host.core.pagination import SortKey, integer_key, text_key, timestamp_key, where_equal
from crm_host.domain.customers.search import search_condition

#: The key of each sort order: its column, then the id that makes it unique.
SORT_KEYS: dict[str, tuple[SortKey, ...]] = {
    "name": (text_key(Customer.search_name), integer_key(Customer.id)),
    "code": (text_key(Customer.code), integer_key(Customer.id)),
    "created_at": (timestamp_key(Customer.created_at), integer_key(Customer.id)),
    "updated_at": (timestamp_key(Customer.updated_at), integer_key(Customer.id)),
}
#: Filters that compare a column of the customer with the value given.
EQUAL_FILTERS = ("kind", "lifecycle_stage", "tier", "city", "region", "owner_id")


def customer_query(
    args: dict[str, Any], dialect: str, *, exact_numbers: bool = False
) -> sa.Select[Any]:
    """Customers matching the list arguments (the API's ``CustomerQuery``), unsorted.

    ``q`` matches whole phone and ID numbers only with ``exact_numbers`` (see
    :func:`~crm_host.domain.customers.search.search_condition`).

    Departments and tags are loaded for the whole page in two queries, not two per row.
    """
    query = sa.select(Customer).options(
        selectinload(Customer.departments), selectinload(Customer.tags)
    )
    query = query.where(
        Customer.archived_at.is_not(None)
        if args.get("archived")
        else Customer.archived_at.is_(None)
    )
    if args.get("q"):
        query = query.where(search_condition(args["q"], dialect, exact_numbers=exact_numbers))
    query = where_equal(query, Customer, args, EQUAL_FILTERS)
    if args.get("tag"):
        query = query.where(
            Customer.id.in_(
                sa.select(customer_tags.c.customer_id)
                .join(Tag, Tag.id == customer_tags.c.tag_id)
                .where(Tag.name == args["tag"])
            )
        )
    if args.get("department"):
        query = query.where(
            Customer.id.in_(
                sa.select(customer_departments.c.customer_id)
                .join(Department, Department.id == customer_departments.c.department_id)
                .where(
                    sa.or_(
                        Department.code == args["department"],
                        Department.name == args["department"],
                    )
                )
            )
        )
    for condition in args.get("custom") or ():
        name, _, value = condition.partition(":")
        # JSON values compare as text on both databases: numbers and booleans too.
        query = query.where(Customer.custom[name].as_string() == value)
    return query
