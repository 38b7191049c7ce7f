"""Hooks the marketing plugin publishes (through ``crm_addhooks``) for other plugins.

The host's catalogue names ``crm_segment_criteria`` but ``crm_host.hookspecs`` does
not define it yet, so marketing publishes its own under its slug; should the host
add it, this becomes a thin alias.
"""

from __future__ import annotations

from typing import Any

from crm_host.plugins import hookspec


@hookspec
def crm_marketing_segment_criteria() -> list[Any]:
    """Return the segment criteria a plugin offers, as ``crm_marketing.criteria.Criterion``.

    Called when segments are validated or compiled, and when the segment builder
    lists its fields. Each criterion's ``build(session, op, value)`` must return a
    SQLAlchemy condition on ``customers`` (a correlated ``EXISTS`` or ``IN`` over the
    plugin's own tables), so a whole segment stays one SQL query. A duplicate name
    is refused naming both plugins. Collecting.
    """


@hookspec
def crm_marketing_campaign_sent(campaign_id: int) -> None:
    """Every send of a campaign was made; ``campaign_id`` names it.

    Called after the last batch committed, once per implementation, for every
    installed plugin. Collecting; the return value is ignored; raising makes the
    delivery retry with backoff, then park.
    """
