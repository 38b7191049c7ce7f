"""``crm service …``: tickets, SLA checks, mail, survey results, return visits and
portal links from the command line. The commands are defined in one module per
feature and gathered here; the host gives the plugin its ``crm service`` group.
"""

from __future__ import annotations

import click

from crm_service.cli import mail, portal, sla, surveys, tickets, visits

#: The commands under ``crm service`` (the escalation chain's are in the ``sla`` group).
COMMANDS: tuple[click.Command, ...] = (
    tickets.tickets_group,
    sla.sla_group,
    mail.mail_group,
    surveys.report,
    visits.visits_group,
    portal.portal_link,
)


def register(cli: click.Group) -> None:
    """Add the plugin's commands to its ``crm service`` group."""
    for command in COMMANDS:
        cli.add_command(command)
