"""How statuses, priorities and other codes read in the console and on the portal,
translated when shown (lazy strings).

Below both the console pages and the portal, which show the same words.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "new": _l("New"),
    "assigned": _l("Assigned"),
    "in_progress": _l("In progress"),
    "waiting_on_customer": _l("Waiting on customer"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}
PRIORITY_LABELS = {
    "low": _l("Low"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "urgent": _l("Urgent"),
}
GROUP_LABELS = {"agent": _l("By agent"), "queue": _l("By queue"), "category": _l("By category")}
OUTCOME_LABELS = {
    "reached": _l("Reached"),
    "not_reached": _l("Not reached"),
    "satisfied": _l("Satisfied"),
    "not_satisfied": _l("Not satisfied"),
}
