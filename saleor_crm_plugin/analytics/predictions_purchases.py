"""How many orders a customer will still place: buy-till-you-die models fitted on (x, t_x, T).

A customer buys at a Poisson rate λ (gamma distributed across customers, shape ``r``, rate ``alpha``)
until they silently drop out; the models differ in when dropping out can happen:

- Pareto/NBD (Schmittlein, Morrison & Colombo 1987): at any time, at an exponential rate μ that is
  gamma distributed across customers (shape ``s``, rate ``beta``).
- BG/NBD (Fader, Hardie & Lee 2005): after each repeat order, with probability p ~ Beta(a, b).
- MBG/NBD (Batislam, Denizel & Filiztekin 2007): also right after the first order, so a customer who
  never came back is not certainly alive (BG/NBD says p_active = 1 for every one-time buyer, which
  makes churn risk meaningless for most of a store's customers).

``x`` is repeat order days, ``t_x`` the days from the first to the last order day, ``T`` the days from
the first order day to the end of the data. Everything works on whole arrays; fits are maximum
likelihood over the distinct (x, t_x, T) rows, weighted by how many customers share each.
"""

from __future__ import annotations

import dataclasses
import enum

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1


class PurchaseModel(enum.StrEnum):
    BG_NBD = "bg_nbd"
    MBG_NBD = "mbg_nbd"
    PARETO_NBD = "pareto_nbd"


PARAMETERS = {
    PurchaseModel.BG_NBD: ("r", "alpha", "a", "b"),
    PurchaseModel.MBG_NBD: ("r", "alpha", "a", "b"),
    PurchaseModel.PARETO_NBD: ("r", "alpha", "s", "beta"),
}


@dataclasses.dataclass(frozen=True)
class PurchaseFit:
    model: PurchaseModel
    params: dict[str, float]
    log_likelihood: float  # summed over customers
    converged: bool
    iterations: int

    @property
    def values(self) -> tuple[float, float, float, float]:
        return tuple(self.params[name] for name in PARAMETERS[self.model])


def log_likelihood(model: PurchaseModel, params, x, t_x, T) -> np.ndarray:
    """Each customer's log-likelihood of their (x, t_x, T)."""
    if model is PurchaseModel.PARETO_NBD:
        return _pareto_log_likelihood(params, x, t_x, T)
    r, alpha, a, b = params
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    if model is PurchaseModel.MBG_NBD:
        still = betaln(a, b + x + 1) - (r + x) * np.log(alpha + T)
        dropped = betaln(a + 1, b + x) - (r + x) * np.log(alpha + t_x)
    else:  # BG/NBD: no dropping out before the first repeat order
        still = betaln(a, b + x) - (r + x) * np.log(alpha + T)
        repeated = np.maximum(x, 1)  # the x = 0 branch is masked out; this only keeps it finite
        dropped = np.where(x > 0, betaln(a + 1, b + repeated - 1) - (r + x) * np.log(alpha + t_x), -np.inf)
    return common - betaln(a, b) + np.logaddexp(still, dropped)


def _pareto_log_a0(params, x, t_x, T) -> np.ndarray:
    """log A0 of Fader & Hardie's note on the Pareto/NBD likelihood: the integral over the unseen drop-out
    time between t_x and T (-inf when the last order was at T); the 2F1 branch keeps its argument in [0, 1)."""
    r, alpha, s, beta = params
    rsx = r + s + x
    if alpha >= beta:
        term = lambda t: np.log(hyp2f1(rsx, s + 1, rsx + 1, (alpha - beta) / (alpha + t))) - rsx * np.log(alpha + t)  # noqa: E731
    else:
        term = lambda t: np.log(hyp2f1(rsx, r + x, rsx + 1, (beta - alpha) / (beta + t))) - rsx * np.log(beta + t)  # noqa: E731
    at_last, at_end = term(t_x), term(T)
    return np.where(t_x < T, at_last + np.log1p(-np.exp(np.minimum(at_end - at_last, 0))), -np.inf)


def _pareto_log_likelihood(params, x, t_x, T) -> np.ndarray:
    r, alpha, s, beta = params
    alive_at_end = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    gone_before = np.log(s / (r + s + x)) + _pareto_log_a0(params, x, t_x, T)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    return common + np.logaddexp(alive_at_end, gone_before)


def fit(model: PurchaseModel, x, t_x, T) -> PurchaseFit:
    """Maximum likelihood on log-parameters (keeps them positive), from a start scaled to the data."""
    rows, weights = np.unique(np.column_stack([x, t_x, T]).astype(float), axis=0, return_counts=True)
    ux, ut, uT = rows.T
    total = weights.sum()

    def negative(log_params):
        with np.errstate(all="ignore"):
            value = -(weights * log_likelihood(model, np.exp(log_params), ux, ut, uT)).sum() / total
        return value if np.isfinite(value) else 1e10

    scale = max(float(np.mean(T)), 1.0)
    start = np.log([1.0, scale, 1.0, scale if model is PurchaseModel.PARETO_NBD else 1.0])
    result = minimize(negative, start, method="L-BFGS-B", bounds=[(-12.0, 12.0)] * 4)
    if not result.success:  # rough surfaces (tiny stores) sometimes stall the gradient steps
        result = minimize(negative, result.x, method="Nelder-Mead", options={"maxiter": 4000, "xatol": 1e-6})
    params = dict(zip(PARAMETERS[model], (float(v) for v in np.exp(result.x)), strict=True))
    return PurchaseFit(model, params, float(-result.fun * total), bool(result.success), int(result.nit))


def p_active(fit: PurchaseFit, x, t_x, T) -> np.ndarray:
    """Probability the customer has not dropped out by the end of the data."""
    if fit.model is PurchaseModel.PARETO_NBD:
        r, alpha, s, beta = fit.values
        log_odds = np.log(s / (r + s + x)) + (r + x) * np.log(alpha + T) + s * np.log(beta + T)
        return 1.0 / (1.0 + np.exp(log_odds + _pareto_log_a0(fit.values, x, t_x, T)))
    r, alpha, a, b = fit.values
    ratio = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
    if fit.model is PurchaseModel.MBG_NBD:
        return 1.0 / (1.0 + a / (b + x) * ratio)
    return 1.0 / (1.0 + np.where(x > 0, a / (b + np.maximum(x, 1) - 1) * ratio, 0.0))


def expected_purchases(fit: PurchaseFit, x, t_x, T, horizon) -> np.ndarray:
    """Expected orders in the next ``horizon`` days, given each customer's history."""
    if fit.model is PurchaseModel.PARETO_NBD:
        r, alpha, s, beta = fit.values
        lasting = (beta + T) / (s - 1) * (1 - np.exp((s - 1) * (np.log(beta + T) - np.log(beta + T + horizon))))
        return posterior_rate(fit, x, T) * lasting * p_active(fit, x, t_x, T)
    r, alpha, a, b = fit.values
    shift = 1.0 if fit.model is PurchaseModel.MBG_NBD else 0.0
    scale = (a + b + x - 1 + shift) / (a - 1)
    decay = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + horizon)))
    left = 1.0 - decay * hyp2f1(r + x, b + x + shift, a + b + x - 1 + shift, horizon / (alpha + T + horizon))
    return scale * left * p_active(fit, x, t_x, T)


def expected_repeats_up_to(fit: PurchaseFit, t) -> np.ndarray:
    """Expected repeat orders of a new customer within ``t`` days of their first: the calibration check."""
    if fit.model is PurchaseModel.PARETO_NBD:
        r, alpha, s, beta = fit.values
        return r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1))
    r, alpha, a, b = fit.values
    decay = (alpha / (alpha + t)) ** r
    if fit.model is PurchaseModel.MBG_NBD:
        return b / (a - 1) * (1 - decay * hyp2f1(r, b + 1, a + b, t / (alpha + t)))
    return (a + b - 1) / (a - 1) * (1 - decay * hyp2f1(r, b, a + b - 1, t / (alpha + t)))


def posterior_rate(fit: PurchaseFit, x, T) -> np.ndarray:
    """Orders per day of a customer still active: the mean of λ given x orders in T days."""
    r, alpha = fit.values[:2]
    return (r + x) / (alpha + T)
