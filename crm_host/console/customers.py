"""Customers in the console: the list, create and edit, the 360° view, merge, export."""

from __future__ import annotations

import io
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from crm_host.api.schemas import AddressSchema, ContactSchema, CustomerQuery
from crm_host.console._access import page
from crm_host.console._versions import CONFLICT_STATUS, stale_form
from crm_host.console.forms import customer_data, field_errors, form_values, keep_masked, split_list
from crm_host.console.labels import choices
from crm_host.core.errors import CrmError, ValidationFailed
from crm_host.core.host import get_host
from crm_host.core.models import (
    Customer,
    CustomerKind,
    Department,
    Interaction,
    LifecycleStage,
    User,
)
from crm_host.core.objects.links import link_of, object_links
from crm_host.core.pagination import fetch_page
from crm_host.core.sensitive import may_reveal
from crm_host.domain.customers import children, export, merge, service
from crm_host.domain.customers.custom_fields import definitions
from crm_host.domain.customers.listing import SORT_KEYS, customer_query
from crm_host.domain.customers.rules import GENDERS, LANGUAGES
from crm_host.records import timeline
from crm_host.security.permissions import authorize
from crm_host.web._scoped import panels_for
from crm_host.web.gate import enabled_plugins

bp = Blueprint("customer_pages", __name__, url_prefix="/customers")

PAGE_SIZE = 25
TIMELINE_SIZE = 50
EXPORT_TYPES = {
    "csv": "text/csv",
    "jsonl": "application/x-ndjson",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _choices() -> dict[str, Any]:
    return {
        "kinds": choices(CustomerKind),
        "stages": choices(LifecycleStage),
        "genders": choices(GENDERS),
        "languages": choices(LANGUAGES),
        "sorts": choices(s for key in sorted(SORT_KEYS) for s in (key, f"-{key}")),
    }


def _customer(customer_id: int, permission: str = "host.customers.read") -> Customer:
    """The customer ``customer_id``; for a permission other than reading, the record
    rule is applied to it here (the views that pass one say ``record=True``)."""
    customer = service.get_customer(get_host().session, customer_id)
    if permission != "host.customers.read":
        authorize(
            get_host().session,
            current_user.user,
            permission,
            owner_id=customer.owner_id,
            department_ids=[d.id for d in customer.departments],
            check_record=True,
        )
    return customer


@bp.route("")
@page("host.customers.read")
def index() -> str:
    """The customer list: search, filters, sort and keyset pages."""
    raw = {k: v for k, v in request.args.items() if v != ""}
    raw.setdefault("limit", str(PAGE_SIZE))
    errors: dict[str, list[str]] = {}
    try:
        args = CustomerQuery().load(raw, unknown=ma.EXCLUDE)
    except ma.ValidationError as error:
        errors = {
            k: list(v) if isinstance(v, list) else [str(v)] for k, v in error.messages.items()
        }  # type: ignore[union-attr]
        args = CustomerQuery().load({"limit": str(PAGE_SIZE)})
    session = get_host().session
    try:
        result = fetch_page(
            session,
            customer_query(args, get_host().db.dialect, exact_numbers=may_reveal()),
            keys=SORT_KEYS[args["sort"].lstrip("-")],
            args=args,
            descending=args["sort"].startswith("-"),
        )
    except CrmError as error:  # a cursor edited by hand
        errors.update(field_errors(error.details))
        result = {"items": [], "next_cursor": None}
    departments = list(session.scalars(sa.select(Department).order_by(Department.name)))
    return render_template(
        "crm/customers/list.html",
        customers=result["items"],
        next_cursor=result["next_cursor"],
        filters={k: v for k, v in raw.items() if k not in ("cursor", "limit")},
        errors=errors,
        department_choices=[(d.code, d.name) for d in departments],
        **_choices(),
    )


@bp.route("/new", methods=["GET", "POST"])
@page("host.customers.write")
def create() -> str | Response:
    """Create a customer; refused fields are shown next to their input."""
    session = get_host().session
    fields = list(definitions(session).values())
    values: dict[str, Any] = {"kind": "person", "lifecycle_stage": "lead"}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            customer = service.create_customer(
                session, customer_data(request.form, fields), actor=current_user.user
            )
            session.commit()
        except CrmError as error:
            session.rollback()
            errors = field_errors(error.details) or {"": [error.message]}
        else:
            flash(_("Customer %(code)s created.", code=customer.code), "success")
            return redirect(url_for("customer_pages.view", customer_id=customer.id))
    return render_template(
        "crm/customers/form.html",
        customer=None,
        values=values,
        errors=errors,
        custom_fields=fields,
        **_choices(),
    )


@bp.route("/<id:customer_id>/edit", methods=["GET", "POST"])
@page("host.customers.write", record=True)
def edit(customer_id: int) -> str | Response:
    """Change a customer; the same rules and messages as creation."""
    session = get_host().session
    customer = _customer(customer_id, "host.customers.write")
    fields = list(definitions(session).values())
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "GET":
        values = form_values(customer)
    elif stale := stale_form(customer, request.form):
        # Saved by someone else since this form was filled: keep what was typed.
        values, errors, status = request.form.to_dict(), {"": [stale]}, CONFLICT_STATUS
    else:
        values = request.form.to_dict()
        try:
            data = keep_masked(customer, customer_data(request.form, fields))
            service.update_customer(session, customer, data, actor=current_user.user)
            session.commit()
        except CrmError as error:
            session.rollback()
            errors = field_errors(error.details) or {"": [error.message]}
        else:
            flash(_("Customer %(code)s saved.", code=customer.code), "success")
            return redirect(url_for("customer_pages.view", customer_id=customer.id))
    return render_template(
        "crm/customers/form.html",
        customer=customer,
        values=values,
        errors=errors,
        custom_fields=fields,
        **_choices(),
    ), status  # type: ignore[return-value]


@bp.route("/<id:customer_id>")
@page("host.customers.read")
def view(customer_id: int) -> str:
    """The 360° view: profile, contacts, addresses, tags, custom fields, timeline, panels."""
    return _render_view(_customer(customer_id))


def _render_view(customer: Customer, **forms: Any) -> str:
    session = get_host().session
    user = current_user.user
    entries = list(
        session.scalars(
            sa.select(Interaction)
            .where(Interaction.customer_id == customer.id)
            .where(timeline.visible_to(enabled_plugins(user)))
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
            .limit(TIMELINE_SIZE)
        )
    )
    authors = {
        u.id: u
        for u in session.scalars(
            sa.select(User).where(User.id.in_({e.author_id for e in entries if e.author_id}))
        )
    }
    # Each entry links to its object, where the registry lets this user read it.
    links = object_links(session, user, [(e.object_type, e.object_id) for e in entries])
    return render_template(
        "crm/customers/view.html",
        customer=customer,
        entries=entries,
        authors=authors,
        links=links,
        link_of=link_of,
        custom_fields=list(definitions(session).values()),
        panels=panels_for(customer, user),
        channels=timeline.CHANNELS,
        forms=forms,
    )


def _add_child(customer_id: int, kind: str, schema: ma.Schema) -> str | Response:
    session = get_host().session
    customer = _customer(customer_id, "host.customers.write")
    try:
        data = schema.load(
            {k: v for k, v in request.form.items() if k != "csrf_token" and v != ""},
            unknown=ma.RAISE,
        )
    except ma.ValidationError as error:
        errors = {k: [str(m) for m in v] for k, v in error.messages.items()}  # type: ignore[union-attr]
        return _render_view(
            customer, **{kind: {"values": request.form.to_dict(), "errors": errors}}
        ), 422  # type: ignore[return-value]
    children.add_child(session, kind, customer, data, actor=current_user.user)
    session.commit()
    flash(_("Saved."), "success")
    return redirect(
        url_for(
            "customer_pages.view",
            customer_id=customer.id,
            _anchor="contacts" if kind == "contact" else "addresses",
        )
    )


@bp.route("/<id:customer_id>/contacts", methods=["POST"])
@page("host.customers.write", record=True)
def add_contact(customer_id: int) -> str | Response:
    """Add a contact person to a customer."""
    return _add_child(customer_id, "contact", ContactSchema())


@bp.route("/<id:customer_id>/addresses", methods=["POST"])
@page("host.customers.write", record=True)
def add_address(customer_id: int) -> str | Response:
    """Add an address to a customer."""
    return _add_child(customer_id, "address", AddressSchema())


@bp.route("/<id:customer_id>/notes", methods=["POST"])
@page("host.customers.write")
def add_note(customer_id: int) -> str | Response:
    """Write a touchpoint on the customer's timeline."""
    session = get_host().session
    customer = _customer(customer_id)
    try:
        timeline.write_entry(
            session,
            current_user.user,
            customer.id,
            channel=request.form.get("channel", "note"),
            subject=request.form.get("subject", ""),
            body=request.form.get("body") or None,
        )
        session.commit()
    except ValidationFailed as error:
        session.rollback()
        return _render_view(
            customer, note={"values": request.form.to_dict(), "errors": field_errors(error.details)}
        ), 422  # type: ignore[return-value]
    flash(_("Saved."), "success")
    return redirect(url_for("customer_pages.view", customer_id=customer.id, _anchor="timeline"))


@bp.route("/<id:customer_id>/tags", methods=["POST"])
@page("host.customers.write", record=True)
def set_tags(customer_id: int) -> str | Response:
    """Replace the customer's tags."""
    session = get_host().session
    customer = _customer(customer_id, "host.customers.write")
    try:
        service.set_tags(
            session, customer, split_list(request.form.get("tags", "")), actor=current_user.user
        )
        session.commit()
    except CrmError as error:
        session.rollback()
        return _render_view(
            customer, tags={"values": request.form.to_dict(), "errors": field_errors(error.details)}
        ), 422  # type: ignore[return-value]
    flash(_("Saved."), "success")
    return redirect(url_for("customer_pages.view", customer_id=customer.id))


@bp.route("/<id:customer_id>/archive", methods=["POST"])
@page("host.customers.delete", record=True)
def archive(customer_id: int) -> Response:
    """Archive a customer (kept with everything that refers to it)."""
    session = get_host().session
    customer = _customer(customer_id, "host.customers.delete")
    service.archive_customer(session, customer, actor=current_user.user)
    session.commit()
    flash(_("Customer %(code)s archived.", code=customer.code), "success")
    return redirect(url_for("customer_pages.index"))


@bp.route("/merge", methods=["GET", "POST"])
@page("host.customers.merge")
def merge_form() -> str | Response:
    """Merge two customers: the first (by code) survives, the second is merged into it.

    The first post shows both side by side; the confirmed post merges.
    """
    session = get_host().session
    values = {
        "survivor": (request.values.get("survivor") or "").strip(),
        "merged": (request.values.get("merged") or "").strip(),
    }
    errors: dict[str, list[str]] = {}
    pair: tuple[Customer, Customer] | None = None
    if request.method == "POST" or any(values.values()):
        found = {}
        for role, code in values.items():
            if not code:
                errors[role] = [_("Required.")]
                continue
            customer = session.scalar(sa.select(Customer).where(Customer.code == code))
            if customer is None:
                errors[role] = [_("No customer with code %(code)s.", code=code)]
            else:
                found[role] = customer
        if not errors and found["survivor"].id == found["merged"].id:
            errors["merged"] = [_("Choose two different customers.")]
        if not errors:
            pair = (found["survivor"], found["merged"])
    if pair and request.method == "POST" and request.form.get("confirm") == "yes":
        try:
            survivor = merge.merge_customers(session, *pair, actor=current_user.user)
            session.commit()
        except CrmError as error:
            session.rollback()
            errors[""] = [error.message]
        else:
            flash(
                _(
                    "%(merged)s was merged into %(survivor)s.",
                    merged=values["merged"],
                    survivor=survivor.code,
                ),
                "success",
            )
            return redirect(url_for("customer_pages.view", customer_id=survivor.id))
    return render_template("crm/customers/merge.html", values=values, errors=errors, pair=pair)


@bp.route("/export")
@page("host.customers.import")
def export_file() -> Response:
    """Download every customer as CSV, JSON Lines or XLSX (formula cells neutralised)."""
    fmt = request.args.get("format", "csv")
    if fmt not in EXPORT_TYPES:
        abort(404)
    buffer = io.BytesIO()
    session = get_host().session
    # ?reveal=1 for phone and ID numbers in full: refused (403) without the permission.
    export.export(session, buffer, fmt, reveal=request.args.get("reveal") in ("1", "true"))
    session.commit()
    buffer.seek(0)
    return send_file(
        buffer,
        mimetype=EXPORT_TYPES[fmt],
        as_attachment=True,
        download_name=f"customers.{fmt}",
        max_age=0,
    )
