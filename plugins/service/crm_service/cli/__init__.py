"""``crm service …``: tickets, SLA checks, mail, survey results, return visits and
portal links from the command line.

One module per feature, its commands defined at module level; they are assembled here
into the one ``service`` group whose commands the plugin adds to the group the host
made (the escalation chain's commands are in the ``sla`` group, see :mod:`.sla`).
"""

from __future__ import annotations

import click

from crm_service.cli.mail import mail_group
from crm_service.cli.portal import portal_link
from crm_service.cli.sla import sla_group
from crm_service.cli.surveys import report
from crm_service.cli.tickets import tickets_group
from crm_service.cli.visits import visits_group

service = click.Group(
    "service",
    commands=[tickets_group, sla_group, mail_group, report, visits_group, portal_link],
)

__all__ = ["service"]
