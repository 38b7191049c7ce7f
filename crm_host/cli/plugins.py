"""``crm plugins …``: list, inspect, install, uninstall, enable and disable plugins."""

from __future__ import annotations

import json
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from crm_host.cli._common import host
from crm_host.core.db import utcnow
from crm_host.core.models import Department, PluginEnablement
from crm_host.domain import lifecycle
from crm_host.plugins.facade import PluginError


def _enabled_map() -> dict[str, list[str]]:
    rows = host().session.execute(
        sa.select(PluginEnablement.plugin_name, Department.name)
        .join(Department, Department.id == PluginEnablement.department_id)
        .order_by(Department.name)
    )
    enabled: dict[str, list[str]] = {}
    for plugin, department in rows:
        enabled.setdefault(plugin, []).append(department)
    return enabled


@click.group("plugins")
def group() -> None:
    """Plugins: what is present, installed and enabled per department."""


@group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def list_plugins(as_json: bool) -> None:
    """List every plugin present, in dependency order."""
    current = host()
    installed = set(lifecycle.installed_names(current.db))
    enabled = _enabled_map() if installed else {}
    discovery = current.discovery
    rows = []
    for manifest in _ordered(discovery):
        rows.append(
            {
                "name": manifest.name,
                "slug": manifest.slug,
                "version": manifest.version,
                "requires": list(manifest.requires),
                "uses": list(manifest.uses),
                "installed": manifest.name in installed,
                "enabled_for": enabled.get(manifest.name, []),
            }
        )
    if as_json:
        click.echo(json.dumps({"plugins": rows, "problems": discovery.problems}, indent=2))
        return
    header = f"{'name':<18} {'slug':<10} {'version':<9} {'installed':<9} {'requires':<14} {'uses':<16} enabled for"
    click.echo(header)
    for row in rows:
        click.echo(
            f"{row['name']:<18} {row['slug']:<10} {row['version']:<9} "
            f"{'yes' if row['installed'] else 'no':<9} {','.join(row['requires']) or '-':<14} "
            f"{','.join(row['uses']) or '-':<16} {', '.join(row['enabled_for']) or '-'}"
        )
    for name, problem in discovery.problems.items():
        click.secho(f"broken: {name}: {problem}", fg="red", err=True)


def _ordered(discovery: lifecycle.Discovery) -> list:
    from crm_host.plugins.facade import order_plugins

    # Order all present plugins; those whose requirements are absent go last.
    names = set(discovery.manifests)
    complete = {n for n in names if set(discovery.manifests[n].requires) <= names}
    ordered = order_plugins(discovery.manifests, complete)
    rest = sorted(names - complete)
    return ordered + [discovery.manifests[n] for n in rest]


@group.command("info")
@click.argument("name")
@with_appcontext
def info(name: str) -> None:
    """Show a plugin's manifest and where it is enabled."""
    current = host()
    manifest = current.discovery.manifests.get(name)
    if manifest is None:
        raise click.ClickException(f"no plugin named {name} is present")
    installed = name in lifecycle.installed_names(current.db)
    click.echo(f"name:        {manifest.name}")
    click.echo(f"label:       {manifest.label} / {manifest.label_zh or '-'}")
    click.echo(f"slug:        {manifest.slug}")
    click.echo(f"version:     {manifest.version}")
    click.echo(f"host:        {manifest.host}")
    click.echo(f"requires:    {', '.join(manifest.requires) or '-'}")
    click.echo(f"uses:        {', '.join(manifest.uses) or '-'}")
    click.echo(f"package:     {manifest.package}")
    click.echo(f"migrations:  {manifest.migrations or '-'}")
    click.echo(f"installed:   {'yes' if installed else 'no'}")
    if installed:
        click.echo(f"enabled for: {', '.join(_enabled_map().get(name, [])) or '-'}")
    if manifest.description:
        click.echo(f"\n{manifest.description}")


@group.command("install")
@click.argument("name")
@with_appcontext
def install(name: str) -> None:
    """Run a plugin's migrations and record it as installed (with what it requires)."""
    current = host()
    try:
        done = lifecycle.install(current.db, current.discovery, name)
    except PluginError as error:
        raise click.ClickException(str(error)) from error
    if not done:
        click.echo(f"{name} is already installed.")
        return
    for plugin in done:
        click.echo(f"Installed {plugin}.")
    click.echo(lifecycle.RESTART_NOTICE)


@group.command("uninstall")
@click.argument("name")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
@click.option(
    "--archive",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the archive of the plugin's data (default: instance/archives).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def uninstall(name: str, dry_run: bool, archive: Path | None, yes: bool) -> None:
    """Archive a plugin's data, drop its tables and forget it."""
    current = host()
    try:
        plan = lifecycle.plan_uninstall(current.db, current.discovery, name)
    except PluginError as error:
        raise click.ClickException(str(error)) from error
    for line in plan.describe():
        click.echo(line)
    if dry_run:
        click.echo("Dry run: nothing was changed.")
        return
    if not yes:
        click.confirm("Archive and remove this data?", abort=True)
    if archive is None:
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        archive = Path(current_app.config["ARCHIVE_DIR"]) / f"{name}-{stamp}.zip"
    try:
        lifecycle.uninstall(current.db, current.discovery, name, archive)
    except Exception as error:
        archive.unlink(missing_ok=True)
        raise click.ClickException(
            f"uninstall of {name} failed and nothing was changed: {error}"
        ) from error
    click.echo(f"Archived to {archive}.")
    click.echo(f"Uninstalled {name}.")
    click.echo(lifecycle.RESTART_NOTICE)


@group.command("enable")
@click.argument("name")
@click.argument("departments", nargs=-1, required=True)
@with_appcontext
def enable(name: str, departments: tuple[str, ...]) -> None:
    """Enable an installed plugin for departments (codes or names)."""
    current = host()
    try:
        with current.db.session() as session:
            newly = lifecycle.enable(session, current.discovery, name, departments)
    except PluginError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Enabled {name} for {', '.join(newly)}." if newly else "Nothing to change.")


@group.command("disable")
@click.argument("name")
@click.argument("departments", nargs=-1, required=True)
@with_appcontext
def disable(name: str, departments: tuple[str, ...]) -> None:
    """Disable a plugin for departments; its data is kept."""
    current = host()
    try:
        with current.db.session() as session:
            done = lifecycle.disable(session, current.discovery, name, departments)
    except PluginError as error:
        raise click.ClickException(str(error)) from error
    if done:
        click.echo(f"Disabled {name} for {', '.join(done)}. Its data is kept.")
    else:
        click.echo("Nothing to change.")


@group.command("new")
@click.argument("name")
@click.option(
    "--dest",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to create the distribution in (as <dest>/crm-<name>).",
)
@click.option("--slug", help="Prefix of tables, URLs and the CLI group (default: the name).")
@click.option("--label", help="The name users see (default: the name in words).")
@click.option("--label-zh", help="The name users see in Chinese (default: <label>插件).")
def new(name: str, dest: Path, slug: str | None, label: str | None, label_zh: str | None) -> None:
    """Generate a new plugin as a distribution of its own, with passing tests."""
    from crm_host.authoring import scaffold

    try:
        names = scaffold.plugin_names(name, slug=slug, label=label, label_zh=label_zh)
        root = scaffold.generate(names, dest)
    except scaffold.ScaffoldError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {names.dist} in {root}.")
    click.echo("Next:")
    click.echo(f"  pip install -e {root}")
    click.echo(f"  crm plugins check {names.name}")
    click.echo(f"  (cd {root} && pytest)")
    click.echo(f"  crm plugins install {names.name}")


@group.command("check")
@click.argument("name")
def check(name: str) -> None:
    """Check a plugin against the contract; one line per finding, exit status 1 if any.

    NAME is a plugin's name, or the import name of a plugin package not yet installed
    with pip. Migrations are tried on a scratch SQLite database, never on yours.
    """
    from crm_host.authoring.check import CheckError, run_checks

    try:
        report = run_checks(name)
    except CheckError as error:
        raise click.ClickException(str(error)) from error
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for finding in report.findings:
        click.echo(finding)
    if report.findings:
        click.echo(f"{report.plugin}: {len(report.findings)} finding(s).", err=True)
        raise SystemExit(1)
    click.echo(f"{report.plugin}: no findings.")
