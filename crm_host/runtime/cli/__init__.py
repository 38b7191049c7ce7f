"""``crm worker``, ``crm scheduler``, ``crm jobs …`` and ``crm webhooks …``.

One module per command group; :data:`commands` is what the ``crm`` group adds.
"""

from crm_host.runtime.cli.job_commands import enqueue, jobs, list_jobs, retry, show
from crm_host.runtime.cli.webhook_commands import (
    add_webhook,
    list_webhooks,
    remove_webhook,
    webhooks_group,
)
from crm_host.runtime.cli.worker_commands import scheduler, worker

__all__ = [
    "add_webhook",
    "commands",
    "enqueue",
    "jobs",
    "list_jobs",
    "list_webhooks",
    "remove_webhook",
    "retry",
    "scheduler",
    "show",
    "webhooks_group",
    "worker",
]

commands = [worker, scheduler, jobs, webhooks_group]
