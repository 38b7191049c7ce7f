"""Satisfaction surveys: issued on resolution as a signed link, answered once by a
visitor who is not signed in, a low score opening a follow-up, results by group."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from crm_service import surveys, tickets
from crm_service.models import Survey, Ticket

from crm_host.sdk import EmailMessage, read_token


@pytest.fixture
def resolved(db, make_customer, agent):
    """Open and resolve a ticket of ``agent``'s: ``resolved(category=…)`` → ticket."""

    def make(category: str | None = None, assignee=None, email: str | None = None) -> Ticket:
        customer = make_customer(email=email)
        ticket = tickets.open_ticket(
            db,
            customer_id=customer.id,
            ticket_type="inquiry",
            subject="电费疑问",
            category=category,
            department="service",
        )
        tickets.assign(db, ticket, assignee or agent)
        tickets.transition(db, ticket, "resolved")
        db.commit()
        return ticket

    return make


def _path(app, survey):
    with app.test_request_context():
        return surveys.link(survey)


def test_resolving_issues_one_survey_mailed_to_the_customer(app, db, resolved):
    ticket = resolved(email="wang@example.cn")
    survey = surveys.survey_of(db, ticket.id)
    assert survey is not None and survey.answered_at is None
    # The resolution event mails the link; the token in it names this survey.
    [mail] = db.scalars(sa.select(EmailMessage).where(EmailMessage.to_address == "wang@example.cn"))
    token = re.search(r"/l/service\.survey/(\S+)", mail.body_text).group(1)
    with app.app_context():
        assert read_token(surveys.PURPOSE, token) == {"survey": survey.id}
    assert mail.subject.startswith(f"[#{ticket.id}]") and survey.mailed_at is not None
    # Reopened and resolved again: still the one survey.
    tickets.transition(db, ticket, "in_progress")
    tickets.transition(db, ticket, "resolved")
    db.commit()
    assert db.scalar(sa.select(sa.func.count()).select_from(Survey)) == 1
    assert db.scalar(sa.select(sa.func.count()).select_from(EmailMessage)) == 1


def test_a_visitor_answers_once_through_the_signed_link(app, db, resolved):
    ticket = resolved()
    survey = surveys.survey_of(db, ticket.id)
    link = _path(app, survey)
    visitor = app.test_client()  # nobody signed in
    page = visitor.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="csat"' in html and 'name="nps"' in html and 'name="comment"' in html

    bad = visitor.post(link, data={"csat": "7", "nps": "3"})
    assert bad.status_code == 422
    assert "CSAT must be a whole number from 1 to 5" in bad.get_data(as_text=True)
    db.expire_all()
    assert db.get(Survey, survey.id).answered_at is None  # nothing of it was kept

    done = visitor.post(link, data={"csat": "4", "nps": "9", "comment": "师傅很专业"})
    assert done.status_code == 200 and "Thank you for your answer." in done.get_data(as_text=True)
    again = visitor.post(link, data={"csat": "1"})
    assert again.status_code == 409
    assert "already been answered" in again.get_data(as_text=True)
    db.expire_all()
    answered = db.get(Survey, survey.id)
    assert (answered.csat, answered.nps, answered.comment) == (4, 9, "师傅很专业")
    assert answered.follow_up_ticket_id is None
    forged = visitor.post(link[:-3] + "xyz", data={"csat": "5"})
    assert forged.status_code == 400


def test_a_low_score_opens_a_follow_up(app, db, resolved):
    ticket = resolved(category="billing")
    survey = surveys.survey_of(db, ticket.id)
    with app.test_request_context():
        surveys.answer(db, survey.id, {"csat": "2", "comment": "等了三天"})
    follow_up = db.get(Ticket, survey.follow_up_ticket_id)
    assert follow_up.customer_id == ticket.customer_id
    assert follow_up.priority == "high" and follow_up.category == "billing"
    assert follow_up.department_id == ticket.department_id
    assert follow_up.source == "service.survey" and follow_up.description == "等了三天"
    assert re.match(rf"Low satisfaction \(CSAT 2\) on #{ticket.id}: ", follow_up.subject)
    # At 3 with the threshold at the default 2, no follow-up.
    other = surveys.survey_of(db, resolved().id)
    with app.test_request_context():
        surveys.answer(db, other.id, {"csat": "3"})
    assert other.follow_up_ticket_id is None


def _answer(app, db, ticket, csat, nps=None):
    survey = surveys.survey_of(db, ticket.id)
    with app.test_request_context():
        surveys.answer(db, survey.id, {"csat": str(csat), "nps": "" if nps is None else str(nps)})


def test_results_by_agent_queue_and_category(app, db, resolved, make_user, client_for, cli):
    bob = make_user("agent-bob", departments=["service"], role="agent")
    # Ann: CSAT 5, 4, 3 with NPS 10, 6 and none; Bob: CSAT 5 with NPS 9.
    _answer(app, db, resolved(category="billing"), 5, 10)
    _answer(app, db, resolved(category="billing"), 4, 6)
    _answer(app, db, resolved(category="outage"), 3)
    _answer(app, db, resolved(category="outage", assignee=bob), 5, 9)
    resolved()  # not answered: not counted
    by_agent = surveys.results(db, "agent")
    assert [(r["answers"], r["csat"], r["satisfied_percent"], r["nps"]) for r in by_agent] == [
        # mean (5+4+3)/3 = 4.0; 2 of 3 satisfied; NPS (1 promoter − 1 detractor)/2 = 0
        (3, 4.0, 66.7, 0),
        (1, 5.0, 100.0, 100),
    ]
    by_category = {r["key"]: r for r in surveys.results(db, "category")}
    assert (by_category["billing"]["csat"], by_category["billing"]["nps"]) == (4.5, 0)
    assert (by_category["outage"]["csat"], by_category["outage"]["nps_answers"]) == (4.0, 1)
    [queue] = surveys.results(db, "queue")
    assert (queue["answers"], queue["csat"], queue["nps"]) == (4, 4.25, 33)

    api = client_for(bob).get("/api/v1/service/surveys/results?by=category")
    assert api.status_code == 200 and {r["key"] for r in api.json} == {"billing", "outage"}
    bad = client_for(bob).get("/api/v1/service/surveys/results?by=weather")
    assert bad.status_code == 422 and "by" in str(bad.json)
    printed = cli("service", "report", "--by", "queue")
    assert printed.exit_code == 0 and " 4  4.25       75.0    33" in printed.output
    page = client_for(bob).get("/service/satisfaction?by=category")
    assert page.status_code == 200 and "billing" in page.get_data(as_text=True)
    chart = client_for(bob).get("/service/satisfaction/chart?by=agent").json
    assert chart["series"][0]["values"] == [4.0, 5.0]
