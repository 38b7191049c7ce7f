"""Pareto/NBD against its published CDNOW estimates, the model comparison, discounting
by hand and ``crm marketing analytics clv --from-file``.

Fader, Hardie & Lee, "A Note on Deriving the Pareto/NBD Model and Related
Expressions" (2005), on the same 2,357 CDNOW customers (39-week calibration):
r = 0.55, α = 10.58, s = 0.61, β = 11.67, log-likelihood −9595.0.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from crm_marketing import clv, pareto, value_models
from crm_marketing.purchase_history import Holdout, Summaries, split, summarise

DATA = Path(__file__).parent / "data"
CDNOW = DATA / "cdnow_customers_summary.csv"
PUBLISHED = {"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67}


@pytest.fixture(scope="module")
def cdnow():
    from crm_marketing import value_files

    data, holdout = value_files.read(CDNOW)
    assert holdout is None
    return data


@pytest.fixture(scope="module")
def fitted(cdnow):
    return pareto.fit_pareto(cdnow.frequency, cdnow.recency, cdnow.age)


def test_pareto_nbd_gives_the_published_cdnow_parameters(cdnow, fitted):
    assert fitted.customers == 2357
    for name, value in PUBLISHED.items():
        assert getattr(fitted, name) == pytest.approx(value, rel=0.01), name
    assert fitted.log_likelihood == pytest.approx(-9595.0, rel=1e-3)
    at_published = pareto.pareto_log_likelihood(
        tuple(PUBLISHED.values()), cdnow.frequency, cdnow.recency, cdnow.age
    ).sum()
    assert at_published == pytest.approx(-9595.0, abs=0.1)
    assert fitted.log_likelihood >= at_published


def test_pareto_nbd_predictions(fitted):
    # A one-off buyer and a frequent buyer silent for long: the latter is less likely alive.
    assert fitted.p_alive([5], [5.0], [38.86])[0] < fitted.p_alive([5], [38.0], [38.86])[0]
    # Expected purchases by hand, FHL (2005) eq. (22), for x = 0 (A0 then has a closed form
    # through the same function, so only the bracket is checked against it).
    r, alpha, s, beta = fitted.r, fitted.alpha, fitted.s, fitted.beta
    x, T, t = 2, 38.86, 39.0
    alive = fitted.p_alive([x], [30.43], [T])[0]
    by_hand = (
        (r + x)
        * (beta + T)
        / ((alpha + T) * (s - 1))
        * (1 - ((beta + T) / (beta + T + t)) ** (s - 1))
    )
    assert fitted.expected_purchases(t, [x], [30.43], [T])[0] == pytest.approx(by_hand * alive)
    assert fitted.expected_purchases(0, [x], [30.43], [T])[0] == pytest.approx(0)
    with pytest.raises(clv.FitError, match="at least two customers"):
        pareto.fit_pareto([0, 0], [0, 0], [5, 5])


def test_bgnbd_log_likelihood_on_cdnow_is_the_published_one(cdnow):
    fit = clv.fit_bgnbd(cdnow.frequency, cdnow.recency, cdnow.age)
    assert fit.log_likelihood == pytest.approx(-9582.4, rel=1e-3)


class Linear:
    """A purchase model expecting ``rate`` purchases a week, for discounting by hand."""

    log_likelihood = 0.0

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def expected_purchases(self, horizon, frequency, recency, T):
        return np.full(len(frequency), self.rate * horizon)


def test_discounting_by_hand():
    data = Summaries([1], np.array([1.0]), np.array([1.0]), np.array([2.0]), np.array([50.0]))
    # 2 purchases a week for 2.5 weeks at 50 each, 10 % a year, weekly periods:
    # weeks 1 and 2 carry 2 purchases each, the half week 1; each is discounted from
    # its period's end: 100·1.1^(−1/52.18) + 100·1.1^(−2/52.18) + 50·1.1^(−2.5/52.18).
    years = 365.25 / 7
    expected = 100 * 1.1 ** (-1 / years) + 100 * 1.1 ** (-2 / years) + 50 * 1.1 ** (-2.5 / years)
    assert expected == pytest.approx(249.2250, abs=1e-4)
    got = value_models.discounted_value(Linear(2.0), 2.5, data, [50.0], 0.10)
    assert got[0] == pytest.approx(expected)
    # A rate of 0 is the undiscounted expected purchases times spend.
    assert value_models.discounted_value(Linear(2.0), 2.5, data, [50.0], 0.0)[0] == 250.0
    # A year at 10 %: between undiscounted and all of it discounted a full year.
    year = value_models.discounted_value(Linear(1.0), years, data, [1.0], 0.10)[0]
    assert years > year > years / 1.1


def test_the_split_and_the_comparison():
    start = date(2026, 1, 1)
    rows = []
    for customer in range(1, 41):
        for k in range(customer % 5 + 1):
            rows.append((customer, start + timedelta(days=customer + 17 * k), 10))
    today = start + timedelta(days=140)
    holdout = split(rows, today)
    # From the first purchase (day 1) to day 140: 139 days, the later 69 held out.
    assert isinstance(holdout, Holdout) and holdout.weeks == pytest.approx(69 / 7)
    # Customer 39: days 39, 56 up to the cut-off (day 71), then 73, 90, 107.
    at = holdout.calibration.customer_ids.index(39)
    assert holdout.calibration.frequency[at] == 1 and holdout.actual[at] == 3
    assert holdout.calibration.age[at] == pytest.approx((71 - 39) / 7)
    assert summarise(rows, today).customer_ids == list(range(1, 41))
    comparison = value_models.compare(summarise(rows, today), holdout)
    for name in value_models.MODELS:
        entry = comparison["models"][name]
        assert np.isfinite(entry["log_likelihood"])
        if entry["holdout_error"] is None:  # a fit gone degenerate on so regular a history
            assert entry["holdout_note"]
            continue
        assert entry["holdout_actual"] == holdout.actual.sum()
        assert entry["holdout_error"] >= 0


def test_from_file_reproduces_the_published_parameters(cli):
    out = cli("marketing", "analytics", "clv", "--from-file", str(CDNOW)).output
    assert "2357 customers (946 bought again)" in out
    assert "BG/NBD r=0.2426 alpha=4.414 a=0.7929 b=2.426 log-likelihood=-9582.4" in out
    assert "Pareto/NBD r=0.5533 alpha=10.58 s=0.6062 beta=11.67 log-likelihood=-9595.0" in out
    out = cli(
        "marketing",
        "analytics",
        "clv",
        "--from-file",
        str(DATA / "cdnow_customers_summary_with_transactions.csv"),
    ).output
    assert "Gamma-Gamma p=6.249 q=3.745 v=15.45" in out


def test_from_file_reads_transactions_and_refuses_bad_lines(cli, tmp_path):
    good = tmp_path / "tx.csv"
    lines = ["customer_id,date,amount"]
    for customer in range(1, 31):
        for k in range(customer % 4 + 1):
            lines.append(
                f"c{customer},{date(2026, 1, 1) + timedelta(days=customer + 20 * k)},12.50"
            )
    good.write_text("\n".join(lines) + "\n")
    out = cli("marketing", "analytics", "clv", "--from-file", str(good)).output
    assert out.startswith("30 customers") and "mean absolute error" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,date,amount\nc1,2026-01-01,10\nc2,01/02/2026,5\n")
    result = cli("marketing", "analytics", "clv", "--from-file", str(bad))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (
        result.output.strip() == "Error: line 3, column date: '01/02/2026' is not a YYYY-MM-DD date"
    )
    bad.write_text("frequency,recency,T\n1,2,3\n2,x,5\n")
    result = cli("marketing", "analytics", "clv", "--from-file", str(bad))
    assert result.exit_code == 1
    assert result.output.strip() == "Error: line 3, column recency: 'x' is not a number"
    bad.write_text("name,total\na,1\n")
    result = cli("marketing", "analytics", "clv", "--from-file", str(bad))
    assert result.exit_code == 1 and "line 1: the header needs" in result.output
