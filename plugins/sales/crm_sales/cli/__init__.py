"""``crm sales …``: leads, the pipeline, quotes, price lists, assignment and lead scoring
from the shell.

Each module of this package holds the module-level commands of one feature; this
module gathers them into the one group the plugin's ``crm_register_commands`` adds
to the ``crm sales`` group the host makes.
"""

from __future__ import annotations

import click

from crm_sales.cli import assignment, crosssell, leads, pipeline, price_lists, quotes, scoring

group = click.Group("sales", help="Sales commands.")
for command in (
    leads.leads_group,
    pipeline.pipeline_command,
    pipeline.stages_command,
    pipeline.forecast_command,
    pipeline.funnel_command,
    crosssell.rules_command,
    price_lists.price_lists_group,
    quotes.quotes_group,
    assignment.assignment_group,
    scoring.scoring_group,
):
    group.add_command(command)
