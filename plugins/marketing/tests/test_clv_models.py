"""BG/NBD and Gamma-Gamma against published work, on the CDNOW data (2,357 customers,
weekly, 39-week calibration) that ships with the ``lifetimes`` package.

BG/NBD: Fader, Hardie & Lee, "Counting your customers the easy way" (2005), table 1:
r = 0.243, α = 4.414, a = 0.793, b = 2.426, log-likelihood −9582.4.
Gamma-Gamma on the 946 repeat buyers: ``lifetimes``' GammaGammaFitter documents
p = 6.25, q = 3.74, v = 15.45 (and FHL's "RFM and CLV" note gives 6.25, 3.74, 15.44).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from crm_marketing import clv

DATA = Path(__file__).parent / "data"


def columns(name: str) -> dict[str, np.ndarray]:
    with (DATA / name).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {key: np.array([float(row[key]) for row in rows]) for key in rows[0]}


def sig3(value: float) -> str:
    return f"{value:.3g}"


@pytest.fixture(scope="module")
def cdnow():
    return columns("cdnow_customers_summary.csv")


@pytest.fixture(scope="module")
def bgnbd(cdnow):
    return clv.fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def test_bgnbd_gives_the_published_cdnow_parameters(cdnow, bgnbd):
    assert len(cdnow["frequency"]) == bgnbd.customers == 2357
    assert [sig3(v) for v in (bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b)] == [
        sig3(0.243),
        sig3(4.414),
        sig3(0.793),
        sig3(2.426),
    ]
    assert bgnbd.log_likelihood == pytest.approx(-9582.4, abs=0.05)


def test_bgnbd_likelihood_is_lower_away_from_the_published_parameters(cdnow, bgnbd):
    args = (cdnow["frequency"], cdnow["recency"], cdnow["T"])
    best = clv.bgnbd_log_likelihood((0.243, 4.414, 0.793, 2.426), *args).sum()
    assert best == pytest.approx(-9582.4, abs=0.1)
    assert clv.bgnbd_log_likelihood((0.3, 4.414, 0.793, 2.426), *args).sum() < best - 1


def test_p_alive_and_expected_purchases_by_hand(bgnbd):
    # One purchase only (x = 0): nothing shows a dropout, P(alive) = 1.
    assert bgnbd.p_alive([0], [0], [38.86])[0] == 1.0
    # Customer 1 of CDNOW: x = 2, t_x = 30.43, T = 38.86 — FHL (2005) eq. (13) by hand.
    r, alpha, a, b = bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b
    odds = a / (b + 2 - 1) * ((alpha + 38.86) / (alpha + 30.43)) ** (r + 2)
    assert bgnbd.p_alive([2], [30.43], [38.86])[0] == pytest.approx(1 / (1 + odds))
    assert bgnbd.p_alive([2], [30.43], [38.86])[0] == pytest.approx(0.7266, abs=1e-3)
    # A customer silent for long after frequent buying is less likely alive.
    assert bgnbd.p_alive([5], [5.0], [38.86])[0] < bgnbd.p_alive([5], [38.0], [38.86])[0]
    # lifetimes' BetaGeoFitter on the same data: a customer with x = 2, t_x = 30.43,
    # T = 38.86 is expected to buy 1.2259 times in the next 39 weeks (P(alive) 0.7266);
    # a one-time buyer 0.19478 times.
    expected = bgnbd.expected_purchases(39, [2, 0], [30.43, 0], [38.86, 38.86])
    assert expected == pytest.approx([1.226, 0.1948], abs=1e-3)
    assert bgnbd.expected_purchases(0, [2], [30.43], [38.86])[0] == pytest.approx(0)


def test_gamma_gamma_matches_lifetimes_on_the_repeat_buyers():
    data = columns("cdnow_customers_summary_with_transactions.csv")
    fit = clv.fit_gamma_gamma(data["x"], data["zbar"])
    assert fit.customers == 946
    assert [sig3(fit.p), sig3(fit.q), sig3(fit.v)] == [sig3(6.25), sig3(3.74), sig3(15.45)]
    # lifetimes: p 6.248802, q 3.744588, v 15.447748; customer 1's expected spend 24.6586.
    assert (fit.p, fit.q, fit.v) == pytest.approx((6.248802, 3.744588, 15.447748), rel=1e-4)
    assert fit.expected_spend([2], [22.35])[0] == pytest.approx(24.6586, abs=1e-3)
    # Shrinkage by hand: p (v + x m) / (p x + q − 1) for customer 1 (x = 2, m = 22.35).
    spend = fit.expected_spend([2, 0], [22.35, 0])
    assert spend[0] == pytest.approx(fit.p * (fit.v + 2 * 22.35) / (fit.p * 2 + fit.q - 1))
    assert spend[1] == pytest.approx(fit.p * fit.v / (fit.q - 1))


def test_too_little_data_is_refused_saying_why():
    with pytest.raises(clv.FitError, match="at least two customers and one repeat purchase"):
        clv.fit_bgnbd([0, 0], [0, 0], [10, 10])
    with pytest.raises(clv.FitError, match="recency ≤ T"):
        clv.fit_bgnbd([1, 2], [5, 20], [4, 30])
    with pytest.raises(clv.FitError, match="two customers with repeat purchases"):
        clv.fit_gamma_gamma([0, 1], [0, 10])
