"""``python -m crm_host.cli``: the ``crm`` command without its console script."""

from crm_host.cli.main import main

main()
