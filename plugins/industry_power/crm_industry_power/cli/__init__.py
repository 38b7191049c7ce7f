"""``crm power …``: accounts, meters and equipment, readings, curves, advice, bills, faults, inspections and guarantees
from the shell.

Every command is defined at module level in the module of its feature; this package
puts them into the one ``crm power`` group the host makes for the plugin.
"""

from __future__ import annotations

import click

from crm_industry_power.cli import (
    accounts,
    advice,
    demo,
    faults,
    guarantees,
    inspections,
    readings,
    report,
)

#: The commands and sub-groups of ``crm power``, in the order they were added.
COMMANDS: tuple[click.Command, ...] = (
    inspections.group,
    guarantees.group,
    report.report_command,
    demo.demo_command,
    readings.import_readings,
    readings.load_curve,
    advice.advice_command,
    advice.bill_command,
    advice.classify_command,
    faults.report_fault,
    faults.arrive,
    accounts.accounts_group,
    accounts.meters_group,
    accounts.equipment_group,
)


def register(cli: click.Group) -> None:
    """Add the power commands to the ``crm power`` group the host made."""
    for command in COMMANDS:
        cli.add_command(command)
