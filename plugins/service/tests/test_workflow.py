"""The status flow as a table: the legal moves, and clear refusals of the rest."""

from __future__ import annotations

import pytest
from crm_service.workflow import ALLOWED, STATUSES, check_transition, is_reopen

from crm_host.sdk import Conflict, ValidationFailed


def test_the_happy_path_is_allowed_step_by_step():
    path = ["new", "assigned", "in_progress", "waiting_on_customer", "in_progress", "resolved"]
    for current, target in zip(path, path[1:], strict=False):
        check_transition(current, target)
    check_transition("resolved", "closed")


def test_an_illegal_move_names_both_statuses_and_the_choices():
    with pytest.raises(Conflict) as caught:
        check_transition("new", "closed")
    assert caught.value.message == "a ticket cannot go from new to closed"
    assert "in_progress" in caught.value.details["status"][0]
    assert caught.value.status == 409


def test_an_unknown_status_is_bad_input():
    with pytest.raises(ValidationFailed):
        check_transition("new", "done")


def test_reopen_is_leaving_resolved_or_closed_for_work():
    assert is_reopen("resolved", "in_progress")
    assert is_reopen("closed", "new")
    assert not is_reopen("in_progress", "resolved")
    assert set(ALLOWED) == set(STATUSES)
