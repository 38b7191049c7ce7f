"""The hooks of the host: the whole contract between crm-host and its plugins.

Every hook is named ``crm_*`` and takes keyword arguments only. Hooks only ever
gain arguments; a hook is deprecated, never deleted. Each docstring says when the
hook is called, what it returns, and whether it is *first-result* (the first
non-``None`` answer wins) or *collecting* (every answer is gathered).

Kinds, and what happens when an implementation fails:

* registration — called at start-up; a bad or duplicate contribution stops start-up
  with a message naming the plugin;
* shown to users — called per request for the plugins enabled for the union of the
  user's departments only;
* guards and participants — called inside the transaction of a write, with lists;
  raising aborts the write;
* events — written to the outbox with the change, delivered after commit to each
  implementation separately.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy
from flask_babel import lazy_gettext as _l

from crm_host.event_labels import event_label

if TYPE_CHECKING:
    import click
    from flask import Blueprint, Flask
    from sqlalchemy import Select
    from sqlalchemy.orm import Session

    from crm_host.bench.registry import BenchmarkRegistry
    from crm_host.core.models import Customer, Department, User
    from crm_host.core.objects.registry import ObjectRegistry
    from crm_host.domain.importing.registry import ImporterRegistry
    from crm_host.links.page import LinkHandlerRegistry
    from crm_host.runtime.registry import JobRegistry
    from crm_host.web._menu import MenuItem, Panel

hookspec = pluggy.HookspecMarker("crm")


# --- lifecycle -----------------------------------------------------------------


@hookspec(historic=True)
def crm_addhooks(pm: pluggy.PluginManager) -> None:
    """Add a plugin's own hookspecs (named ``crm_<slug>_*``) with ``pm.add_hookspecs``.

    Historic: called once for every plugin as it is registered, so a plugin
    registered later still sees it. Collecting; the return value is ignored.
    """


@hookspec
def crm_startup(app: Flask) -> None:
    """Called once when the application has been built and every plugin loaded.

    Use it for checks that need the whole application. Collecting; the return
    value is ignored; raising stops start-up with the plugin named.
    """


# --- registration ----------------------------------------------------------------


@hookspec
def crm_register_blueprints() -> list[Blueprint]:
    """Return the plugin's blueprints; called once at start-up.

    A ``flask_smorest.Blueprint`` is an API blueprint and is mounted under
    ``/api/v1/<slug>/``; a plain ``flask.Blueprint`` is a console blueprint mounted
    under ``/<slug>/``. The host puts the department gate in front of both. A
    plugin never touches the URL map itself. Collecting: each plugin's list is
    mounted with that plugin's prefix.
    """


@hookspec
def crm_register_commands(cli: click.Group) -> None:
    """Add the plugin's commands to ``cli``, a click group named by the plugin's slug.

    Called once when the application is built (``crm <slug> …``). A plugin whose
    implementation raises has its group replaced by one that reports the error;
    the rest of the CLI keeps working. Collecting; the return value is ignored.
    """


@hookspec
def crm_register_permissions() -> list[Any]:
    """Return the permissions the plugin checks, as ``crm_host.security.permissions.Permission``.

    Called once at start-up. Names are ``<slug>.<object>.<action>``; the standard
    roles grant patterns such as ``*.read`` and ``*.write``, and actions named
    ``manage`` are left to administrators. A duplicate or misnamed permission stops
    start-up naming the plugin. Collecting.
    """


@hookspec
def crm_register_jobs(registry: JobRegistry) -> None:
    """Register the plugin's background jobs and their schedules on ``registry``.

    Called once at start-up (web and worker processes alike).
    ``registry.job(name, fn, max_attempts=5)`` registers a job (``fn(job)`` receives
    a :class:`crm_host.runtime.facade.JobContext`); ``registry.schedule(name,
    every=timedelta(...), per_department=True)`` makes ``crm scheduler`` enqueue it
    every interval, once per department that has the plugin enabled. A duplicate
    or malformed name stops start-up naming the plugin. Collecting; the return
    value is ignored.
    """


@hookspec
def crm_register_importers(registry: ImporterRegistry) -> None:
    """Register importers of the plugin's own objects with ``registry.add(name, cls)``.

    Called once at start-up. The importer is named ``<slug>.<name>`` and runs on the
    host's framework — CSV/JSON Lines/XLSX reading, batches, rejects with line
    numbers, resuming after a crash — through ``crm import <slug>.<name> FILE``. A
    bad or duplicate importer stops start-up naming the plugin. Collecting.
    """


@hookspec
def crm_register_objects(registry: ObjectRegistry) -> None:
    """Register the plugin's object types with ``registry.add(name, model, read=…,
    write=…, rule=…, label=…, customers=…, title=…, console_url=…, api_url=…,
    searchable=…)``; the type is named ``<slug>.<name>`` (``service.ticket``).

    Called once at start-up. ``read`` and ``write`` are permissions the plugin
    declares; ``rule(session, user, permission, ids)`` returns the ids among ``ids``
    the record rule lets ``user`` at (``crm_host.core.objects.where_rule`` builds one from
    the WHERE clause the plugin's own lists use), or is omitted when the permission
    alone decides; ``customers(session, ids)`` optionally maps each id to its
    customers. Attachments, timeline writes and notifications address objects as
    ``(type, id)`` and let a user at one only when the type's plugin is enabled for
    one of the user's departments, the user holds the permission and the rule
    agrees (``crm_host.core.objects.check_object``). ``title`` (a column) labels one
    object, ``console_url``/``api_url`` (``"/service/tickets/{id}"`` or a function of
    the id) link to it, and ``searchable`` text columns put the type in global search,
    gated the same way before anything is counted. An unknown permission, a model
    without a primary key, a column of another model, a searchable type whose rule is
    not SQL (``where_rule``) or a duplicate name stops start-up naming the plugin.
    Collecting; the return value is ignored.
    """


@hookspec
def crm_register_link_handlers(registry: LinkHandlerRegistry) -> None:
    """Register what opening a signed link of the plugin does, with
    ``registry.add(purpose, handler, label=…)``; ``purpose`` starts with the slug.

    Called once at start-up. The host serves ``/l/<purpose>/<token>`` to anybody,
    signed in or not: the visitor first sees a page asking to confirm (mail scanners
    open links, and a GET must change nothing), and confirming calls
    ``handler(session=…, token=…)`` in a transaction, which returns the message shown.
    The handler reads the token with :func:`crm_host.links.signing.read_token`; a bad or
    expired token is shown as such. A handler that needs answers (a survey's score,
    a portal reply) passes ``fields=`` (a template of inputs shown in the confirming
    form; the handler then takes ``form=``, what was posted) and may pass
    ``context=`` (``context(session=…, token=…)`` returns what that template shows).
    Tracking links (an email's open pixel, a tracked link) pass ``on_open=True``:
    the handler runs on the GET itself, without a confirming page, and may return a
    response — an image, or a redirect to the address its signed token carries,
    never one from the request — sent with ``Referrer-Policy: no-referrer``; it
    must be idempotent (scanners and image proxies open links too) and takes no
    form. A bad or duplicate handler stops start-up naming the plugin. Collecting.
    """


@hookspec
def crm_register_benchmarks(registry: BenchmarkRegistry) -> None:
    """Register the plugin's benchmarks for ``crm bench`` with
    ``registry.add(name, fn, description=…)``; the benchmark is named ``<slug>.<name>``.

    Called when ``crm bench`` starts, with every present plugin loaded (the run
    builds its own databases, so a plugin need not be installed locally).
    ``fn(size, databases, workdir)`` receives the size (``S``, ``M`` or ``L``; scale
    from :data:`crm_host.bench.facade.SIZES`), a :class:`crm_host.bench.facade.Databases` handing
    out fresh databases of the chosen backend (``databases.prepared(label, plugins)``
    migrates and installs plugins), and a scratch directory; it returns a list of
    :class:`crm_host.bench.facade.Figure`, each ours against a baseline measured in the same
    run on the same generated data. A baseline library that is not installed must
    not fail the run: use :func:`crm_host.bench.facade.baseline_library` and report the
    figure with :func:`crm_host.bench.facade.not_installed`. A bad or duplicate name stops
    ``crm bench`` naming the plugin. Collecting; the return value is ignored.
    """


@hookspec
def crm_seed_demo(session: Session) -> list[str] | None:
    """Add the plugin's demo data to the demo company ``crm demo`` builds; return lines
    saying what was added (shown to the user), or nothing.

    Called by ``crm demo`` once the host's departments, users and customers exist,
    for every installed plugin, in load order (a plugin after those it ``uses``, so
    marketing sees the orders sales seeded). Write through the plugin's own service
    functions, as a user would, so the demo shows what real data looks like; seed
    only when the plugin's own tables are empty, since ``crm demo`` may run again on
    the same instance. The host commits after each plugin; raising rolls back that
    plugin's demo data only and is reported naming it. Collecting.
    """


@hookspec
def crm_transaction_sources() -> list[Select[Any]]:
    """Return SQLAlchemy ``Select`` statements of the plugin's money-bearing records.

    Each must label its columns ``customer_id, occurred_at, amount, currency, source,
    ref``; the host combines every installed plugin's statements with ``UNION ALL``
    (``crm_host.domain.analytics.transactions``) so segments, RFM and lifetime value run
    as SQL without knowing which plugins exist — sales contributes orders, the
    power pack bills. The columns are of these kinds, so that every plugin's rows
    combine on PostgreSQL: ``customer_id`` an integer, ``occurred_at`` a timestamp,
    ``amount`` a numeric (not a float), ``currency``, ``source`` and ``ref`` strings
    (cast an integer key: ``sa.cast(Bill.id, sa.String)``). Called when analytics
    build their queries. Collecting; a statement without the six labels or with a
    column of another kind is refused naming the plugin
    (``crm_host.domain.analytics.source_problems``), and ``crm plugins check`` reports it.
    """


@hookspec
def crm_segment_criteria() -> list[Any]:
    """Return the segment criteria the plugin offers, as ``crm_host.domain.segments.Criterion``.

    Called by the plugin that builds segments (marketing) when rules are validated or
    compiled and when the segment builder lists its fields — not only at start-up, so
    keep it cheap and free of queries. Each criterion names a field, a kind (``text``,
    ``number``, ``date``, ``tags``, ``days``, ``window`` or ``band``; the kind fixes
    the operators, see ``crm_host.domain.segments.OPERATORS``) and ``build(session, op, value)``,
    which returns a SQLAlchemy condition on ``customers`` — a correlated ``EXISTS`` or
    ``IN`` over the plugin's own tables — so a whole segment stays one SQL query; it
    raises ``crm_host.domain.segments.CriterionError`` for a value it cannot use, and the
    message is shown against the rule. A criterion that compares an aggregate per
    customer (a total, a count) may also set ``grouped`` (``crm_host.domain.segments.
    Grouped``): then the aggregate tests of one ``all``/``any`` group over the same
    relation are compiled into one ``GROUP BY`` with a combined ``HAVING``, instead of
    one grouping each; ``build`` must still give the same members on its own. A
    contribution that is not a ``Criterion``
    or reuses another plugin's field name is refused naming both plugins. Collecting.
    """


# --- shown to users (department-scoped) ----------------------------------------------


@hookspec
def crm_menu_items(user: User, departments: list[Department]) -> list[MenuItem]:
    """Return the console menu entries the plugin offers this user.

    Called per console page for the plugins enabled for at least one of
    ``departments`` (the user's departments) only. Collecting.
    """


@hookspec
def crm_customer_panels(
    customer: Customer, user: User, departments: list[Department]
) -> list[Panel]:
    """Return panels for the customer's 360° view.

    Called when a customer is shown, for the plugins enabled for at least one of the
    user's ``departments`` only. Collecting.
    """


@hookspec
def crm_dashboard_kpis(user: User, departments: list[Department]) -> list[dict[str, Any]]:
    """Return dashboard figures: dicts with ``label``, ``value`` and optional ``unit``, ``href``.

    Called when the dashboard is shown, for the plugins enabled for at least one of
    the user's ``departments`` only. Collecting.
    """


# --- guards and participants (inside the write's transaction, batch-shaped) --------------


@hookspec
def crm_validate_customers(customers: list[Customer], session: Session) -> None:
    """Veto customers about to be written by raising (``crm_host.core.errors.ValidationFailed``
    gives the person a message and per-field details).

    Called inside the write's transaction, once per batch — an API write is a batch
    of one, an import calls it once per batch of rows — for every installed plugin,
    whoever triggered the write. Raising aborts the whole write and the error names
    the plugin; nothing of the write remains. Collecting; the return value is ignored.
    """


@hookspec
def crm_customers_merging(survivor: Customer, merged: Customer, session: Session) -> None:
    """Move the plugin's references from ``merged`` to ``survivor`` (``crm customers merge``).

    Called inside the merge's transaction, after the host moved its own rows and
    before ``merged`` is deleted, for every installed plugin. A plugin holding rows
    that point at customers must move them here: the merge is refused, naming the
    table, if any row still points at ``merged`` afterwards. Raising aborts the
    merge and the error names the plugin. Collecting; the return value is ignored.
    """


@hookspec
def crm_customer_erasing(customer: Customer, session: Session) -> None:
    """Pseudonymise the personal data the plugin holds about ``customer`` (right to erasure).

    Called inside the erasure's transaction for every installed plugin, before the
    host scrubs its own rows. Keep what accounting needs (amounts, dates, ids); remove
    names, contact details and free text. Must be idempotent: erasure may run twice.
    Raising aborts the erasure and the error names the plugin. Collecting; the return
    value is ignored.
    """


# --- events (written to the outbox with the change, delivered after commit) --------------
#
# Emitted with ``crm_host.runtime.facade.emit(session, "<hook>", **payload)`` in the transaction
# of the change. After commit every implementation, in every installed plugin, gets its
# own delivery: one failing plugin never blocks another or the write; a failure is
# retried with exponential backoff and parked as failed after the last attempt.
# Delivery is at least once and in no guaranteed order: handlers must be idempotent
# (``crm_host.runtime.facade.current_delivery().idempotency_key`` names the delivery) and read
# the current state rather than trust the event's. A handler's writes through
# ``get_host().session`` commit together with its delivery being marked done. The
# arguments are JSON data (ids, strings), never ORM objects.


@hookspec
@event_label(_l("Customer created"))
def crm_customers_created(customer_ids: list[int]) -> None:
    """Customers were created (by the API, the console or a job); ``customer_ids`` lists them.

    Called after the creating transaction committed, once per implementation, for
    every installed plugin. Collecting; the return value is ignored; raising makes
    the delivery retry with backoff, then park as failed.
    """


@hookspec
def crm_customers_updated(changes: list[dict[str, Any]]) -> None:
    """Customers were changed; ``changes`` holds ``{"customer_id": id, "changed": {field: [before, after]}}``.

    Called after the updating transaction committed, once per implementation, for
    every installed plugin; one call per batch of updates. Collecting; the return
    value is ignored; raising makes the delivery retry with backoff, then park.
    """


@hookspec
@event_label(_l("Customers imported"))
def crm_customers_imported(customer_ids: list[int]) -> None:
    """A batch of an import committed; ``customer_ids`` are the customers it created or changed.

    Called after each batch's transaction committed — once per batch, never per row —
    once per implementation, for every installed plugin. Collecting; the return value
    is ignored; raising makes the delivery retry with backoff, then park.
    """


@hookspec
def crm_customer_merged(survivor_id: int, merged_id: int) -> None:
    """``merged_id`` was merged into ``survivor_id`` and no longer exists.

    Called after the merge committed (references were already moved by
    ``crm_customers_merging`` inside it), once per implementation, for every
    installed plugin. Collecting; the return value is ignored; raising makes the
    delivery retry with backoff, then park.
    """


@hookspec
def crm_customer_stage_changed(customer_id: int, old: str | None, new: str) -> None:
    """A customer's lifecycle stage went from ``old`` (``None`` when new) to ``new``.

    Called after the change committed, once per implementation, for every installed
    plugin. Collecting; the return value is ignored; raising makes the delivery retry
    with backoff, then park.
    """


@hookspec
def crm_customer_erased(customer_id: int) -> None:
    """A customer's personal data was erased (pseudonymised) everywhere.

    Called after the erasure committed, once per implementation, for every installed
    plugin: drop caches or copies held outside the database. Collecting; the return
    value is ignored; raising makes the delivery retry with backoff, then park.
    """


@hookspec
def crm_event_about_customers(event: str, customer_ids: list[int], payload: dict[str, Any]) -> None:
    """Event ``event`` concerns ``customer_ids``; ``payload`` holds all its arguments.

    Delivered like the event itself (after commit, at least once) for every event whose
    hookspec declares ``customer_ids``, so a plugin reacts to events it does not name;
    ``crm_host.runtime.facade.customer_events`` lists them with their labels. ``customer_ids``
    is empty for an event written before its hook gained it. Collecting."""


# --- privacy ------------------------------------------------------------------------


@hookspec
def crm_customer_export(customer_id: int) -> dict[str, Any]:
    """Return everything the plugin holds about one customer, as JSON-ready data.

    Called for a subject-access export (``GET /api/v1/customers/<id>/privacy-export``), for every
    installed plugin. Return a dict of section name to rows (lists of dicts), or
    ``None`` when the plugin holds nothing about customers. Every plugin whose tables
    refer to customers must implement it (a contract test checks). Collecting.
    """
