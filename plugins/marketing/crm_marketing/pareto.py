"""Pareto/NBD: the other standard model of how often customers buy and whether they
are still customers, beside BG/NBD (:mod:`crm_marketing.clv`).

Purchases follow a Poisson process at a Gamma(r, α)-distributed rate, as in BG/NBD,
but a customer may drop out at any moment — an exponential lifetime at a
Gamma(s, β)-distributed rate — rather than only just after a purchase. Formulas from
Fader, Hardie & Lee, "A Note on Deriving the Pareto/NBD Model and Related
Expressions" (2005): the likelihood (eq. 18–19, its hypergeometric term ``A0`` kept
in log space, as ``lifetimes`` does, so large customers do not overflow), P(alive)
(eq. 20) and the conditional expectation (eq. 22). Their CDNOW estimates
(r = 0.55, α = 10.58, s = 0.61, β = 11.67) are checked in the tests.

The summaries are :mod:`crm_marketing.clv`'s, and so is the approach: parameters are
fitted on their logarithms from a start of 1, minimising the mean negative
log-likelihood over the distinct summaries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, special

from crm_marketing.clv import Array, FitError, _summary, weighted_summaries

#: Bound of the log-parameters during the fit: the hypergeometric series slows down
#: sharply for huge parameters, which only degenerate histories run towards.
LOG_BOUND = 7.0


@dataclass(frozen=True)
class ParetoNbd:
    """Fitted Pareto/NBD parameters: purchase rate Gamma(r, α), dropout rate Gamma(s, β)."""

    r: float
    alpha: float
    s: float
    beta: float
    log_likelihood: float
    customers: int

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Array:
        """Probability each customer is still active at ``T``; FHL (2005) eq. (20)."""
        x, t_x, T = _summary(frequency, recency, T)
        return 1.0 / (1.0 + np.exp(self._log_dropout_odds(x, t_x, T)))

    def expected_purchases(
        self, horizon: float, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Array:
        """Expected purchases of each customer in the next ``horizon`` time units.

        FHL (2005) eq. (22): ``(r + x)(β + T) / ((α + T)(s − 1))
        · [1 − ((β + T) / (β + T + t))^(s − 1)] · P(alive)``.
        """
        x, t_x, T = _summary(frequency, recency, T)
        r, alpha, s, beta = self.r, self.alpha, self.s, self.beta
        if abs(s - 1) < 1e-9:
            # The limit as s → 1 of the bracket over (s − 1): a logarithm.
            stayed = (r + x) * (beta + T) / (alpha + T) * np.log((beta + T + horizon) / (beta + T))
        else:
            shrink = 1 - ((beta + T) / (beta + T + horizon)) ** (s - 1)
            stayed = (r + x) * (beta + T) / ((alpha + T) * (s - 1)) * shrink
        return stayed / (1.0 + np.exp(self._log_dropout_odds(x, t_x, T)))

    def _log_dropout_odds(self, x: Array, t_x: Array, T: Array) -> Array:
        """log of P(dropped out before T) / P(alive at T) for each customer."""
        r, alpha, s, beta = self.r, self.alpha, self.s, self.beta
        return (
            np.log(s)
            - np.log(r + s + x)
            + (r + x) * np.log(alpha + T)
            + s * np.log(beta + T)
            + _log_a0((r, alpha, s, beta), x, t_x, T)
        )


def _log_a0(params: ArrayLike, x: Array, t_x: Array, T: Array) -> Array:
    """log of FHL's ``A0``: the difference of two hypergeometric terms, in log space.

    ``A0 = F(t_x) / q(t_x)^(r+s+x) − F(T) / q(T)^(r+s+x)``, where the argument of
    ``₂F₁`` is ``|α − β| / (max(α, β) + t)`` (eq. 19, with the roles of α and β
    swapped when α < β so the argument stays in [0, 1)).
    """
    r, alpha, s, beta = (float(v) for v in params)
    if alpha < beta:
        low, high, second = alpha, beta, r + x
    else:
        low, high, second = beta, alpha, s + 1.0
    rsx = r + s + x
    q_recent, q_now = high + t_x, high + T
    f_recent = special.hyp2f1(rsx, second, rsx + 1.0, (high - low) / q_recent)
    f_now = special.hyp2f1(rsx, second, rsx + 1.0, (high - low) / q_now)
    # F1/q1^k − F2/q2^k = (F1·q2^k − F2·q1^k) / (q1·q2)^k, the difference by logsumexp.
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.stack(
            [np.log(f_recent) + rsx * np.log(q_now), np.log(f_now) + rsx * np.log(q_recent)]
        )
        signs = np.stack([np.ones_like(rsx), -np.ones_like(rsx)])
        difference = special.logsumexp(terms, axis=0, b=signs)
    return difference - rsx * np.log(q_recent * q_now)


def pareto_log_likelihood(
    params: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> Array:
    """Each customer's Pareto/NBD log-likelihood under ``params = (r, α, s, β)``."""
    x, t_x, T = _summary(frequency, recency, T)
    return _pareto_terms(params, x, t_x, T)


def _pareto_terms(params: ArrayLike, x: Array, t_x: Array, T: Array) -> Array:
    # FHL (2005) eq. (18): Γ(r+x) α^r β^s / Γ(r) · [stayed + s/(r+s+x) · A0].
    r, alpha, s, beta = (float(v) for v in params)
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    stayed = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.log(s) - np.log(r + s + x) + _log_a0((r, alpha, s, beta), x, t_x, T)
    # A customer whose last purchase was at T has A0 = 0: no chance of a dropout shown.
    dropped = np.where(np.isnan(dropped), -np.inf, dropped)
    return common + np.logaddexp(stayed, dropped)


def fit_pareto(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> ParetoNbd:
    """Pareto/NBD parameters maximising the likelihood of the customers' summaries."""
    x, t_x, T = _summary(frequency, recency, T)
    if x.size < 2 or not np.any(x > 0):
        raise FitError("a Pareto/NBD fit needs at least two customers and one repeat purchase")
    ux, ut_x, uT, weights = weighted_summaries(x, t_x, T)

    def objective(log_params: Array) -> float:
        value = float(weights @ _pareto_terms(np.exp(log_params), ux, ut_x, uT))
        return -value if np.isfinite(value) else np.inf

    # Bounded quasi-Newton: on a small or odd history the optimum may run off towards a
    # parameter of 0 or infinity, which bounds on the log-parameters stop at once
    # instead of a long search; e^±7 spans rates from 0.001 to 1,100.
    best = optimize.minimize(
        objective,
        np.zeros(4),
        jac=_numeric_gradient(objective),
        method="L-BFGS-B",
        bounds=[(-LOG_BOUND, LOG_BOUND)] * 4,
        options={"ftol": 1e-12, "gtol": 1e-9, "maxiter": 1_000},
    )
    if not np.all(np.isfinite(best.x)) or not np.isfinite(best.fun):
        raise FitError("the Pareto/NBD likelihood could not be maximised on this data")
    r, alpha, s, beta = (float(v) for v in np.exp(best.x))
    return ParetoNbd(
        r,
        alpha,
        s,
        beta,
        float(_pareto_terms((r, alpha, s, beta), x, t_x, T).sum()),
        int(x.size),
    )


def _numeric_gradient(objective):  # type: ignore[no-untyped-def]
    """Central differences of ``objective``: the hypergeometric terms have no cheap
    derivative in their parameters, and four parameters cost eight evaluations."""

    def gradient(log_params: Array) -> Array:
        step = 1e-6
        result = np.empty_like(log_params)
        for i in range(log_params.size):
            up, down = log_params.copy(), log_params.copy()
            up[i] += step
            down[i] -= step
            result[i] = (objective(up) - objective(down)) / (2 * step)
        return result

    return gradient
