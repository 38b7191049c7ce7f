"""``crm webhooks …``: add, list and remove outgoing webhook subscriptions."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from crm_host.cli._common import host
from crm_host.core.errors import CrmError
from crm_host.records import audit
from crm_host.runtime import webhooks


@click.group("webhooks")
def webhooks_group() -> None:
    """Outgoing webhooks: URLs that receive events, signed with HMAC-SHA256."""


@webhooks_group.command("add")
@click.argument("url")
@click.option(
    "--event",
    "events",
    multiple=True,
    required=True,
    help="An event (hook) name, or * for all; repeat for several.",
)
@click.option("--secret", help="The signing secret (made for you when left out).")
@click.option("--description", default="")
@with_appcontext
def add_webhook(url: str, events: tuple[str, ...], secret: str | None, description: str) -> None:
    """Send EVENTs to URL; prints the signing secret (shown only now)."""
    session = host().session
    try:
        subscription = webhooks.add_subscription(
            session, url=url, events=list(events), secret=secret, description=description
        )
    except CrmError as error:
        raise click.ClickException(error.message) from None
    audit.record(
        session,
        "create",
        "webhook",
        subscription.id,
        after={"url": subscription.url, "events": subscription.events},
    )
    session.commit()
    click.echo(f"webhook {subscription.id}: {subscription.url} ← {', '.join(subscription.events)}")
    click.echo(f"secret: {subscription.secret}")


@webhooks_group.command("list")
@with_appcontext
def list_webhooks() -> None:
    """List webhook subscriptions."""
    for subscription in webhooks.list_subscriptions(host().session):
        state = "active" if subscription.active else "paused"
        click.echo(
            f"{subscription.id:>4}  {state:<7} {subscription.url}  "
            f"{', '.join(subscription.events)}  {subscription.description}".rstrip()
        )


@webhooks_group.command("remove")
@click.argument("webhook_id", type=click.IntRange(1))
@with_appcontext
def remove_webhook(webhook_id: int) -> None:
    """Remove a webhook subscription."""
    session = host().session
    try:
        subscription = webhooks.get_subscription(session, webhook_id)
        before = {"url": subscription.url, "events": subscription.events}
        webhooks.remove_subscription(session, webhook_id)
    except CrmError as error:
        raise click.ClickException(error.message) from None
    audit.record(session, "delete", "webhook", webhook_id, before=before)
    session.commit()
    click.echo(f"webhook {webhook_id} removed")
