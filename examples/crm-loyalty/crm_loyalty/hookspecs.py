"""The hooks the loyalty plugin publishes (added through ``crm_addhooks``)."""

from __future__ import annotations

from crm_host.sdk import event_label, hookspec
from crm_loyalty.i18n import _l


@hookspec
@event_label(_l("Points redeemed"))
def crm_loyalty_points_redeemed(movement_id: int, points: int, customer_ids: list[int]) -> None:
    """``customer_ids`` redeemed ``points`` (a positive number) in movement ``movement_id``.

    Event: emitted in the redeeming transaction, delivered after commit, at least once.
    It declares ``customer_ids``, so it can start marketing's journeys (a thank-you
    after a redemption) with no code on either side. Collecting.
    """
