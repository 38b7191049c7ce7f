"""Hooks the marketing plugin publishes (through ``crm_addhooks``) for other plugins.

Segment criteria are offered through the host's ``crm_segment_criteria``, so a
plugin can contribute them without depending on marketing.
"""

from __future__ import annotations

from typing import Any

from crm_host.sdk import hookspec


@hookspec
def crm_marketing_channels(registry: Any) -> None:
    """Offer campaign channels with ``registry.add(name, label=…, address=…, deliver=…,
    consent=…, subject=…)``.

    ``name`` is what campaigns store and users type (``wechat``); ``address`` is a
    column or SQL expression on the host's ``Customer`` holding where a message goes;
    ``consent`` names the host consent channel whose newest decision must grant it
    (``name`` unless given); ``deliver(session, campaign, send, context)`` hands one
    message over in the send batch's transaction — put it in an outbox table of the
    plugin's own, as the built-in SMS channel does, and send from a job. ``subject``
    says messages have a subject line. Email and SMS are marketing's own entries.
    Called when a campaign is checked or sent, collected once per set of plugins; a
    bad or duplicate channel is refused naming the plugin. Collecting.
    """


@hookspec
def crm_marketing_campaign_sent(campaign_id: int) -> None:
    """Every send of a campaign was made; ``campaign_id`` names it.

    Called after the last batch committed, once per implementation, for every
    installed plugin. Collecting; the return value is ignored; raising makes the
    delivery retry with backoff, then park.
    """
