"""``crm marketing …``: segments, RFM, analytics, journeys and campaigns from the shell.

One module per feature, each with its group of commands; they are assembled here into
the one ``marketing`` group whose commands the plugin adds to the group the host made.
"""

import click

from crm_marketing.cli.analytics import analytics_group
from crm_marketing.cli.campaigns import campaigns_group, send
from crm_marketing.cli.journeys import journeys_group
from crm_marketing.cli.rfm import rfm_group
from crm_marketing.cli.segments import segments_group

marketing = click.Group(
    "marketing",
    commands=[segments_group, rfm_group, analytics_group, journeys_group, campaigns_group, send],
)

__all__ = ["marketing"]
