"""The host's bookkeeping tables a plugin's tests assert on: the outbox of events, the
job queue, notifications and attachments.

A plugin's own code never reads these tables (it emits, enqueues, notifies and
attaches through :mod:`crm_host.sdk`); its tests may check what landed in them.
"""

from __future__ import annotations

from crm_host.core.models import Attachment, Job, Notification, OutboxEvent

__all__ = ["Attachment", "Job", "Notification", "OutboxEvent"]
