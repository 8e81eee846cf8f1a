"""What a customer's next orders will be worth: the Gamma-Gamma model (Fader, Hardie & Lee 2005).

Order values vary around each customer's own mean, which itself varies across customers; the
model shrinks a customer's observed mean (of their repeat order days, as the model assumes) toward
the store's, the more the fewer orders they placed. Fitted on repeat buyers only; a one-time buyer
gets the population mean.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln

PARAMETERS = ("p", "q", "v")


@dataclasses.dataclass(frozen=True)
class SpendFit:
    params: dict[str, float]
    log_likelihood: float
    converged: bool

    @property
    def usable(self) -> bool:
        """The population mean p·v/(q-1) exists only for q > 1."""
        return self.converged and self.params["q"] > 1


def log_likelihood(params, x, m) -> np.ndarray:
    """Log-likelihood of x repeat order days averaging m, per customer (x > 0, m > 0)."""
    p, q, v = params
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(x * m + v)
    )


def fit(x, m) -> SpendFit:
    """Maximum likelihood over repeat buyers with a positive average (refunded-to-zero orders carry no value)."""
    used = (x > 0) & (m > 0)
    x, m = x[used].astype(float), m[used].astype(float)

    def negative(log_params):
        with np.errstate(all="ignore"):
            value = -log_likelihood(np.exp(log_params), x, m).mean()
        return value if np.isfinite(value) else 1e10

    start = np.log([1.0, 2.0, max(float(np.mean(m)), 1.0)])
    result = minimize(negative, start, method="L-BFGS-B", bounds=[(-12.0, 14.0)] * 3)
    params = dict(zip(PARAMETERS, (float(v) for v in np.exp(result.x)), strict=True))
    return SpendFit(params, float(-result.fun * len(x)), bool(result.success))


def expected_order_value(fit: SpendFit, x, m) -> np.ndarray:
    """E[value of an order | x repeat order days averaging m]; the population mean when x = 0."""
    p, q, v = (fit.params[name] for name in PARAMETERS)
    x = x.astype(float)
    observed = np.where(x > 0, m, 0.0)
    return p * (v + x * observed) / (p * x + q - 1)
