"""What every ``crm service`` command shares: running work in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from crm_host.sdk import CrmError, get_host


def run(work: Callable[[Any], Any]) -> Any:
    """Run ``work(session)`` and commit; an expected error becomes a clean CLI error."""
    session = get_host().session
    try:
        result = work(session)
        session.commit()
        return result
    except CrmError as error:
        session.rollback()
        details = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in error.details.items())
        raise click.ClickException(error.message + (f" ({details})" if details else "")) from None
