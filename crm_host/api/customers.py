"""Customers, their contacts, addresses, tags and timeline under ``/api/v1/customers``."""

from __future__ import annotations

import io
from typing import Any

import sqlalchemy as sa
from flask import Response, send_file
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from crm_host.api.schemas import (
    AddressSchema,
    ConsentIn,
    ConsentOut,
    ConsentsOut,
    ContactSchema,
    CustomerDetail,
    CustomerIn,
    CustomerPage,
    CustomerQuery,
    DuplicateGroupOut,
    DuplicatesQuery,
    ExportQuery,
    MergeIn,
    PrivacyExportOut,
    TagsIn,
    TimelineIn,
    TimelineOut,
    TimelinePage,
    TimelineQuery,
)
from crm_host.core.host import get_host, read_only
from crm_host.core.models import Customer, Interaction
from crm_host.core.objects import check_object
from crm_host.core.objects.links import link_of, object_links
from crm_host.core.pagination import fetch_page, integer_key, timestamp_key
from crm_host.core.sensitive import REVEAL_PERMISSION, may_reveal
from crm_host.domain.customers import children, consent, dedupe, export, merge, privacy, service
from crm_host.domain.customers.listing import SORT_KEYS, customer_query
from crm_host.records import audit, timeline
from crm_host.security.permissions import authorize, require
from crm_host.web._etags import check_if_match, documents_etag, documents_if_match, send_etag
from crm_host.web.gate import enabled_plugins

blp = Blueprint("customers", __name__, description="Customers and what hangs off them")

EXPORT_TYPES = {
    "csv": "text/csv",
    "jsonl": "application/x-ndjson",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _user() -> Any:
    return current_user.user


def _editable(customer: Customer, permission: str = "host.customers.write") -> None:
    """Apply the record rule: own, department or all, by the customer's owner and departments."""
    authorize(
        get_host().session,
        _user(),
        permission,
        owner_id=customer.owner_id,
        department_ids=[d.id for d in customer.departments],
        check_record=True,
    )


@blp.route("")
class Customers(MethodView):
    @read_only
    @require("host.customers.read")
    @blp.arguments(CustomerQuery, location="query")
    @blp.response(200, CustomerPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List customers: search, filter, sort; keyset-paginated with ``cursor``."""
        query = customer_query(args, get_host().db.dialect, exact_numbers=may_reveal())
        sort = args["sort"]
        return fetch_page(
            get_host().session,
            query,
            keys=SORT_KEYS[sort.lstrip("-")],
            args=args,
            descending=sort.startswith("-"),
        )

    @require("host.customers.write")
    @blp.arguments(CustomerIn)
    @blp.response(201, CustomerDetail)
    def post(self, data: dict[str, Any]) -> Customer:
        """Create a customer."""
        session = get_host().session
        customer = service.create_customer(session, data, actor=_user())
        session.commit()
        return customer


@blp.route("/duplicates")
class Duplicates(MethodView):
    @require("host.customers.merge")
    @blp.arguments(DuplicatesQuery, location="query")
    @blp.response(200, DuplicateGroupOut(many=True))
    def get(self, args: dict[str, Any]) -> list[Any]:
        """Groups of likely duplicates sharing a normalised email, phone, code or name."""
        groups = dedupe.find_duplicates(get_host().session, args.get("by") or dedupe.KEYS)
        return groups[: args["limit"]]


@blp.route("/export")
class Export(MethodView):
    @require("host.customers.import")
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200, content_type="application/octet-stream")
    def get(self, args: dict[str, Any]) -> Response:
        """Download every customer as CSV, JSON Lines or XLSX (formula cells neutralised).

        Phone and ID numbers are masked as in the API; ``reveal=true`` gives them in
        full, needs ``host.customers.reveal`` and is audited as a revealed export.
        """
        fmt = args["format"]
        buffer = io.BytesIO()
        export.export(
            get_host().session,
            buffer,
            fmt,
            reveal=args["reveal"],
            include_archived=args["archived"],
        )
        get_host().session.commit()
        buffer.seek(0)
        return send_file(
            buffer, mimetype=EXPORT_TYPES[fmt], as_attachment=True, download_name=f"customers.{fmt}"
        )


@blp.route("/<id:customer_id>")
class CustomerResource(MethodView):
    @read_only
    @require("host.customers.read")
    @blp.response(200, CustomerDetail)
    @documents_etag(blp)
    def get(self, customer_id: int) -> Customer:
        """A customer with contacts and addresses; ``ETag`` names its version."""
        return send_etag(service.get_customer(get_host().session, customer_id))

    @require("host.customers.write", record=True)
    @blp.arguments(CustomerIn(partial=True))
    @blp.response(200, CustomerDetail)
    @documents_if_match(blp)
    def patch(self, data: dict[str, Any], customer_id: int) -> Customer:
        """Change some fields of a customer (``If-Match``: the ETag of your last read)."""
        session = get_host().session
        customer = service.get_customer(session, customer_id)
        _editable(customer)
        check_if_match(customer)
        service.update_customer(session, customer, data, actor=_user())
        session.commit()
        return send_etag(customer)

    @require("host.customers.delete", record=True)
    @blp.response(204)
    @documents_if_match(blp, None)
    def delete(self, customer_id: int) -> None:
        """Archive a customer (kept, with everything that refers to it; hidden from lists).

        ``If-Match`` as for PATCH."""
        session = get_host().session
        customer = service.get_customer(session, customer_id)
        _editable(customer, "host.customers.delete")
        check_if_match(customer)
        service.archive_customer(session, customer, actor=_user())
        session.commit()


@blp.route("/<id:customer_id>/merge")
class CustomerMerge(MethodView):
    @require("host.customers.merge")
    @blp.arguments(MergeIn)
    @blp.response(200, CustomerDetail)
    def post(self, data: dict[str, Any], customer_id: int) -> Customer:
        """Merge another customer into this one (this one survives; the other is deleted
        after its contacts, addresses, tags, timeline and every plugin's rows moved)."""
        session = get_host().session
        survivor = merge.merge_by_id(session, customer_id, data["merged_id"], actor=_user())
        session.commit()
        return survivor


@blp.route("/<id:customer_id>/consents")
class CustomerConsents(MethodView):
    @require("host.customers.read")
    @blp.response(200, ConsentsOut)
    def get(self, customer_id: int) -> dict[str, Any]:
        """Consent in force per channel, and the whole history, newest first."""
        session = get_host().session
        service.get_customer(session, customer_id)
        return {
            "current": consent.current_consents(session, customer_id),
            "history": consent.consent_history(session, customer_id),
        }

    @require("host.customers.write", record=True)
    @blp.arguments(ConsentIn)
    @blp.response(201, ConsentOut)
    def post(self, data: dict[str, Any], customer_id: int) -> Any:
        """Record a consent decision (granted or withdrawn) for a channel."""
        session = get_host().session
        customer = service.get_customer(session, customer_id)
        _editable(customer)
        row = consent.record_consent(session, customer, actor=_user(), **data)
        session.commit()
        return row


@blp.route("/<id:customer_id>/privacy-export")
class PrivacyExport(MethodView):
    @require("host.customers.privacy")
    @blp.response(200, PrivacyExportOut)
    def get(self, customer_id: int) -> dict[str, Any]:
        """Everything held about the customer, by the host and every installed plugin.

        Unmasked (it is the person's own data, handed to them), so it also needs
        ``host.customers.reveal``.
        """
        session = get_host().session
        authorize(session, _user(), REVEAL_PERMISSION)
        data = privacy.export_customer(session, customer_id)
        audit.record(session, "privacy-export", "customer", customer_id, actor=_user())
        session.commit()
        return data


@blp.route("/<id:customer_id>/erase")
class Erase(MethodView):
    @require("host.customers.privacy")
    @blp.response(200, CustomerDetail)
    def post(self, customer_id: int) -> Customer:
        """Erase the customer's personal data everywhere (pseudonymisation; idempotent)."""
        session = get_host().session
        customer = privacy.erase_customer(
            session, service.get_customer(session, customer_id), actor=_user()
        )
        session.commit()
        return customer


@blp.route("/<id:customer_id>/tags")
class CustomerTags(MethodView):
    @require("host.customers.write", record=True)
    @blp.arguments(TagsIn)
    @blp.response(200, CustomerDetail)
    @documents_if_match(blp)
    def put(self, data: dict[str, Any], customer_id: int) -> Customer:
        """Replace the customer's tags (new tags are created; ``If-Match`` as for PATCH)."""
        session = get_host().session
        customer = service.get_customer(session, customer_id)
        _editable(customer)
        check_if_match(customer)
        service.set_tags(session, customer, data["tags"], actor=_user())
        session.commit()
        return send_etag(customer)


def _child_routes(kind: str, plural: str, schema: type) -> None:
    """Register list/create and change/delete routes for contacts or addresses."""

    class Collection(MethodView):
        @require("host.customers.read")
        @blp.response(200, schema(many=True))
        def get(self, customer_id: int) -> list[Any]:
            customer = service.get_customer(get_host().session, customer_id)
            return getattr(customer, plural)

        @require("host.customers.write", record=True)
        @blp.arguments(schema)
        @blp.response(201, schema)
        def post(self, data: dict[str, Any], customer_id: int) -> Any:
            session = get_host().session
            customer = service.get_customer(session, customer_id)
            _editable(customer)
            obj = children.add_child(session, kind, customer, data, actor=_user())
            session.commit()
            return obj

    class Item(MethodView):
        @require("host.customers.write", record=True)
        @blp.arguments(schema(partial=True))
        @blp.response(200, schema)
        def patch(self, data: dict[str, Any], customer_id: int, **ids: int) -> Any:
            (item_id,) = ids.values()
            session = get_host().session
            customer = service.get_customer(session, customer_id)
            _editable(customer)
            obj = children.get_child(session, kind, customer, item_id)
            children.update_child(session, kind, obj, data, actor=_user())
            session.commit()
            return obj

        @require("host.customers.write", record=True)
        @blp.response(204)
        def delete(self, customer_id: int, **ids: int) -> None:
            (item_id,) = ids.values()
            session = get_host().session
            customer = service.get_customer(session, customer_id)
            _editable(customer)
            children.remove_child(
                session, kind, children.get_child(session, kind, customer, item_id)
            )
            session.commit()

    Collection.get.__doc__ = f"The customer's {plural}."
    Collection.post.__doc__ = f"Add a {kind} to the customer."
    Item.patch.__doc__ = f"Change a {kind} of the customer."
    Item.delete.__doc__ = f"Remove a {kind} of the customer."
    Collection.__name__ = plural.title()
    Item.__name__ = kind.title()
    blp.route(f"/<id:customer_id>/{plural}")(Collection)
    blp.route(f"/<id:customer_id>/{plural}/<id:{kind}_id>")(Item)


_child_routes("contact", "contacts", ContactSchema)
_child_routes("address", "addresses", AddressSchema)


def _with_objects(session: Any, entries: list[Interaction]) -> list[dict[str, Any]]:
    """The entries with the object each is about, linked only where the user may read it."""
    links = object_links(session, _user(), [(e.object_type, e.object_id) for e in entries])
    fields = [name for name in TimelineOut._declared_fields if name != "object"]
    return [
        {
            **{name: getattr(e, name) for name in fields},
            "object": link_of(links, e.object_type, e.object_id),
        }
        for e in entries
    ]


@blp.route("/<id:customer_id>/timeline")
class Timeline(MethodView):
    @require("host.customers.read")
    @blp.arguments(TimelineQuery, location="query")
    @blp.response(200, TimelinePage)
    def get(self, args: dict[str, Any], customer_id: int) -> dict[str, Any]:
        """The customer's timeline, newest first: host entries and those of the plugins
        the user's departments have."""
        session = get_host().session
        check_object(session, _user(), "customer", customer_id)
        query = sa.select(Interaction).where(
            Interaction.customer_id == customer_id, timeline.visible_to(enabled_plugins(_user()))
        )
        page = fetch_page(
            session,
            query,
            keys=[timestamp_key(Interaction.occurred_at), integer_key(Interaction.id)],
            args=args,
            descending=True,
        )
        page["items"] = _with_objects(session, page["items"])
        return page

    @require("host.customers.write", record=True)
    @blp.arguments(TimelineIn)
    @blp.response(201, TimelineOut)
    def post(self, data: dict[str, Any], customer_id: int) -> dict[str, Any]:
        """Record a touchpoint (a call, a visit, a note) on the customer's timeline; it
        takes the customer's write rule, as a change of the customer does."""
        session = get_host().session
        entry = timeline.write_entry(session, _user(), customer_id, **data)
        session.commit()
        return _with_objects(session, [entry])[0]
