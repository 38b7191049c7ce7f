"""``crm loyalty …``: balances, awards and redemptions from the shell.

The commands are module-level, one module per feature; ``group`` gathers them, and
the plugin's ``crm_register_commands`` adds them to the group the host names by the
plugin's slug.
"""

import click

from crm_loyalty.cli.points import award, balance

group = click.Group("loyalty", commands=[balance, award])
