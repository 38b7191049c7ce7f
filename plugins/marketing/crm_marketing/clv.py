"""Customer lifetime value: BG/NBD (how often, and whether still a customer) and
Gamma-Gamma (how much per purchase), fitted by maximum likelihood with numpy/scipy.

Each customer is summarised as ``frequency`` (repeat purchases: purchase periods
after the first), ``recency`` (first to last purchase) and ``T`` (first purchase to
the end of observation), in one time unit; ``monetary`` is the mean spend of the
repeat purchases. Formulas are those of Fader, Hardie & Lee, "Counting your
customers the easy way" (2005) and "RFM and CLV" (2005), checked in the tests
against their published CDNOW estimates.

Parameters are optimised on their logarithms, so they stay positive without
bounds, from a neutral start of 1; the negative mean log-likelihood is minimised,
which keeps the objective's scale the same for ten customers or a million.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

Array = NDArray[np.float64]


class FitError(ValueError):
    """The data cannot support a fit; the message says why."""


@dataclass(frozen=True)
class BgNbd:
    """Fitted BG/NBD parameters: purchase rate Gamma(r, α) and dropout Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Array:
        """Probability each customer is still active at ``T`` (1 for one-purchase customers)."""
        x, t_x, T = _summary(frequency, recency, T)
        return 1.0 / (1.0 + np.exp(self._log_dropout_odds(x, t_x, T)))

    def expected_purchases(
        self,
        horizon: float,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
    ) -> Array:
        """Expected purchases of each customer in the next ``horizon`` time units.

        FHL (2005), equation (10): the expected count had they stayed, times the
        chance they did.
        """
        x, t_x, T = _summary(frequency, recency, T)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = horizon / (alpha + T + horizon)
        hyper = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
        stayed = (
            (a + b + x - 1)
            / (a - 1)
            * (1 - ((alpha + T) / (alpha + T + horizon)) ** (r + x) * hyper)
        )
        return stayed / (1.0 + np.exp(self._log_dropout_odds(x, t_x, T)))

    def _log_dropout_odds(self, x: Array, t_x: Array, T: Array) -> Array:
        """log of (P(dropped out after the last purchase) / P(alive)); −∞ when x = 0."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        with np.errstate(divide="ignore", invalid="ignore"):
            odds = (
                np.log(a)
                - np.log(np.maximum(b + x - 1, 1e-300))
                + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
            )
        return np.where(x > 0, odds, -np.inf)


@dataclass(frozen=True)
class GammaGamma:
    """Fitted Gamma-Gamma parameters of spend per purchase: p, q and v (γ in FHL)."""

    p: float
    q: float
    v: float
    log_likelihood: float
    customers: int

    def expected_spend(self, frequency: ArrayLike, monetary: ArrayLike) -> Array:
        """Expected mean spend per purchase of each customer, shrunk towards the mean.

        FHL "RFM and CLV" (2005), equation (5); a customer with no repeat purchase
        gets the population mean ``p·v / (q − 1)``.
        """
        x = np.asarray(frequency, dtype=float)
        m = np.nan_to_num(np.asarray(monetary, dtype=float))
        return self.p * (self.v + x * m) / (self.p * x + self.q - 1)


def _summary(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> tuple[Array, Array, Array]:
    x = np.asarray(frequency, dtype=float)
    t_x = np.asarray(recency, dtype=float)
    T = np.asarray(T, dtype=float)
    if not (x.shape == t_x.shape == T.shape):
        raise FitError("frequency, recency and T must have the same length")
    if np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > T) or np.any((x > 0) & (t_x <= 0)):
        raise FitError(
            "each customer needs 0 ≤ recency ≤ T, and recency > 0 after a repeat purchase"
        )
    return x, t_x, T


def bgnbd_log_likelihood(
    params: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> Array:
    """Each customer's BG/NBD log-likelihood under ``params = (r, α, a, b)``; FHL (2005) eq. (6)."""
    x, t_x, T = _summary(frequency, recency, T)
    return _bgnbd_terms(params, x, t_x, T)


def _bgnbd_terms(params: ArrayLike, x: Array, t_x: Array, T: Array) -> Array:
    # The likelihood on arrays already checked: the optimiser calls it a thousand times.
    r, alpha, a, b = (float(v) for v in params)
    common = (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * np.log(alpha)
        + special.gammaln(a + b)
        + special.gammaln(b + x)
        - special.gammaln(b)
        - special.gammaln(a + b + x)
    )
    stayed = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return common + np.logaddexp(stayed, dropped)


def _bgnbd_gradient(params: ArrayLike, x: Array, t_x: Array, T: Array) -> Array:
    """Each customer's gradient of :func:`_bgnbd_terms` in ``(r, α, a, b)``, as 4 rows.

    The log-likelihood is ``A + log(e^S + e^D)``: its derivative is ``A'`` plus the
    derivatives of ``S`` and ``D`` weighed by their shares of the sum (``D`` only after
    a repeat purchase).
    """
    r, alpha, a, b = (float(v) for v in params)
    stayed = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.where(
            repeat,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
        share = np.exp(dropped - np.logaddexp(stayed, dropped))  # of D; S has 1 − share
        d_r = (
            special.digamma(r + x)
            - special.digamma(r)
            + np.log(alpha)
            - (1 - share) * np.log(alpha + T)
            - share * np.log(alpha + t_x)
        )
        d_alpha = r / alpha - (1 - share) * (r + x) / (alpha + T) - share * (r + x) / (alpha + t_x)
        d_a = special.digamma(a + b) - special.digamma(a + b + x) + share / a
        d_b = (
            special.digamma(a + b)
            + special.digamma(b + x)
            - special.digamma(b)
            - special.digamma(a + b + x)
            - np.where(repeat, share / np.maximum(b + x - 1, 1e-300), 0.0)
        )
    return np.stack([d_r, d_alpha, d_a, d_b])


def weighted_summaries(x: Array, t_x: Array, T: Array) -> tuple[Array, Array, Array, Array]:
    """The distinct ``(x, t_x, T)`` summaries and each one's share of the customers.

    Customers with the same summary share their likelihood: a fit weighs each distinct
    one by how many have it (CDNOW's 2,357 customers have 1,016 distinct summaries).
    """
    distinct, counts = np.unique(np.stack([x, t_x, T], axis=1), axis=0, return_counts=True)
    ux, ut_x, uT = distinct.T
    return ux, ut_x, uT, counts / x.size


def fit_bgnbd(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> BgNbd:
    """BG/NBD parameters maximising the likelihood of the customers' summaries."""
    x, t_x, T = _summary(frequency, recency, T)
    if x.size < 2 or not np.any(x > 0):
        raise FitError("a BG/NBD fit needs at least two customers and one repeat purchase")

    ux, ut_x, uT, weights = weighted_summaries(x, t_x, T)

    def objective(log_params: Array) -> float:
        value = float(weights @ _bgnbd_terms(np.exp(log_params), ux, ut_x, uT))
        return -value if np.isfinite(value) else np.inf

    def gradient(log_params: Array) -> Array:
        params = np.exp(log_params)
        # In log-parameters: d/d(log θ) = θ · d/dθ.
        return -(_bgnbd_gradient(params, ux, ut_x, uT) @ weights) * params

    best = _minimise(objective, 4, gradient)
    r, alpha, a, b = np.exp(best.x)
    return BgNbd(
        float(r),
        float(alpha),
        float(a),
        float(b),
        float(bgnbd_log_likelihood((r, alpha, a, b), x, t_x, T).sum()),
        int(x.size),
    )


def gamma_gamma_log_likelihood(
    params: ArrayLike, frequency: ArrayLike, monetary: ArrayLike
) -> Array:
    """Each repeat buyer's Gamma-Gamma log-likelihood under ``params = (p, q, v)``.

    The density of the mean spend ``m`` of ``x`` purchases (FHL "RFM and CLV", eq. 3).
    """
    p, q, v = (float(value) for value in params)
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary, dtype=float)
    px = p * x
    return (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(v)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(x * m + v)
    )


def fit_gamma_gamma(frequency: ArrayLike, monetary: ArrayLike) -> GammaGamma:
    """Gamma-Gamma parameters over the customers with a repeat purchase and spend > 0."""
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary, dtype=float)
    keep = (x > 0) & (m > 0)
    x, m = x[keep], m[keep]
    if x.size < 2:
        raise FitError("a Gamma-Gamma fit needs at least two customers with repeat purchases")

    def objective(log_params: Array) -> float:
        value = gamma_gamma_log_likelihood(np.exp(log_params), x, m).mean()
        return -value if np.isfinite(value) else np.inf

    def gradient(log_params: Array) -> Array:
        p, q, v = params = np.exp(log_params)
        px = p * x
        common = special.digamma(px + q) - np.log(x * m + v)
        d_p = x * (common - special.digamma(px) + np.log(m) + np.log(x))
        d_q = common - special.digamma(q) + np.log(v)
        d_v = q / v - (px + q) / (x * m + v)
        return -np.array([d_p.mean(), d_q.mean(), d_v.mean()]) * params

    best = _minimise(objective, 3, gradient)
    p, q, v = np.exp(best.x)
    if q <= 1:
        # The mean spend p·v/(q − 1) does not exist: spend too heavy-tailed to value.
        raise FitError("the spend is too uneven for a Gamma-Gamma fit (q ≤ 1)")
    return GammaGamma(
        float(p),
        float(q),
        float(v),
        float(gamma_gamma_log_likelihood((p, q, v), x, m).sum()),
        int(x.size),
    )


def _minimise(objective, size: int, gradient) -> optimize.OptimizeResult:  # type: ignore[no-untyped-def]
    """The minimum of ``objective`` over log-parameters, starting from 0 (all ones).

    BFGS with the analytic gradient first: the likelihoods are smooth in
    log-parameters and exact gradients (digamma terms) converge in a few dozen
    steps. Should it stop short of a finite answer — a flat or collapsed region far
    from the optimum — a derivative-free Nelder-Mead simplex, restarted until it
    settles, takes over; the better answer wins.
    """
    start = np.zeros(size)
    quick = optimize.minimize(
        objective, start, jac=gradient, method="BFGS", options={"gtol": 1e-8, "maxiter": 2_000}
    )
    settled = np.all(np.isfinite(quick.jac)) and np.max(np.abs(quick.jac)) <= 1e-6
    if settled and np.all(np.isfinite(quick.x)) and np.isfinite(quick.fun):
        return quick
    result = None
    for _ in range(5):
        result = optimize.minimize(
            objective,
            start,
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20_000, "maxfev": 40_000},
        )
        if np.allclose(result.x, start, atol=1e-8):
            break
        start = result.x
    assert result is not None
    if np.isfinite(quick.fun) and quick.fun < result.fun:
        result = quick
    if not np.all(np.isfinite(result.x)) or not np.isfinite(result.fun):
        raise FitError("the likelihood could not be maximised on this data")
    return result
