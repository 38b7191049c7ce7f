"""Satisfaction surveys: a signed link issued when a ticket is resolved
(:mod:`.issuing`), answered once on the host's public link page, a low score opening a
follow-up ticket (:mod:`.answers`), and the results by group (:mod:`.results`).

Every name is re-exported here (``crm_service.surveys.answer``…).
"""

from __future__ import annotations

from crm_service.surveys.answers import COMMENT_MAX, LOW_SCORE, answer, handle_link, low_score
from crm_service.surveys.issuing import LIFETIME, PURPOSE, issue, link, mail_survey, survey_of
from crm_service.surveys.results import GROUPS, results

__all__ = [
    "COMMENT_MAX",
    "GROUPS",
    "LIFETIME",
    "LOW_SCORE",
    "PURPOSE",
    "answer",
    "handle_link",
    "issue",
    "link",
    "low_score",
    "mail_survey",
    "results",
    "survey_of",
]
