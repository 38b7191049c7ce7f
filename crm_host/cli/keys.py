"""``crm keys generate|rotate``: the keys of encrypted fields."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from crm_host.cli._common import host
from crm_host.core import sensitive
from crm_host.security import keys


@click.group("keys")
def group() -> None:
    """Keys encrypting phone numbers, ID numbers and addresses at rest (CRM_FIELD_KEYS)."""


@group.command("generate")
@click.option("--id", "key_id", help="A short name for the key (random when not given).")
def generate(key_id: str | None) -> None:
    """Print a new id:key pair; put it first in CRM_FIELD_KEYS, keep the older ones after it."""
    click.echo(sensitive.generate_key(key_id))


@group.command("rotate")
@click.option(
    "--decrypt", is_flag=True, help="Store every value in clear (before removing all keys)."
)
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@with_appcontext
def rotate(decrypt: bool, batch_size: int) -> None:
    """Re-encrypt every sensitive value under the first key of CRM_FIELD_KEYS and
    recompute the blind indexes. Values in clear get encrypted; values under an older
    key (still listed) move to the current one. Safe to interrupt and run again."""
    cipher = sensitive.cipher()
    if cipher is None:
        raise click.ClickException(
            "CRM_FIELD_KEYS is not set: generate a key with `crm keys generate` first"
            + ("" if not decrypt else ", or list the keys the values were written with")
        )
    try:
        done = keys.rotate(host().db, cipher, decrypt=decrypt, batch_size=batch_size)
    except sensitive.FieldKeyError as error:
        raise click.ClickException(str(error)) from None
    for name, count in done.items():
        click.echo(f"{name}: {count} value(s) {'decrypted' if decrypt else 'rewritten'}")
    if cipher is not None and not decrypt:
        click.echo(f"Everything is now under key {cipher.key_ids[0]!r}; older keys can go.")
