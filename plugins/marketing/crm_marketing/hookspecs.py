"""Hooks the marketing plugin publishes (through ``crm_addhooks``) for other plugins.

Segment criteria are offered through the host's ``crm_segment_criteria``, so a
plugin can contribute them without depending on marketing.
"""

from __future__ import annotations

from crm_host.plugins import hookspec


@hookspec
def crm_marketing_campaign_sent(campaign_id: int) -> None:
    """Every send of a campaign was made; ``campaign_id`` names it.

    Called after the last batch committed, once per implementation, for every
    installed plugin. Collecting; the return value is ignored; raising makes the
    delivery retry with backoff, then park.
    """
