"""Registration hooks: what a plugin contributes once, at start-up or on demand.

A bad or duplicate contribution stops start-up with a message naming the plugin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crm_host.hookspecs.marker import hookspec

if TYPE_CHECKING:
    import click
    from flask import Blueprint
    from sqlalchemy import Select
    from sqlalchemy.orm import Session

    from crm_host.bench.registry import BenchmarkRegistry
    from crm_host.core.objects.registry import ObjectRegistry
    from crm_host.domain.importing.registry import ImporterRegistry
    from crm_host.links.handlers import LinkHandlerRegistry
    from crm_host.runtime.registry import JobRegistry


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
