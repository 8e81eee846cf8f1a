"""The fits recover the parameters of data simulated from the models themselves.

Tolerance: each estimate must lie within 4 standard errors of the truth, the errors taken from the
observed information (the numeric Hessian of the log-likelihood at the estimate, on log-parameters,
the scale the optimiser works on). A correct maximum-likelihood fit misses that by chance with
probability ~6e-5 per parameter; a wrong likelihood (a dropped term, a swapped parameter) misses it
by tens of errors at these sample sizes. The seeds are fixed, so the test is deterministic anyway.
"""

from __future__ import annotations

import numpy as np
import pytest

from saleor_crm_plugin.analytics import predictions_purchases as purchases
from saleor_crm_plugin.analytics import predictions_spend as spend

from .predictions_data import purchase_times, simulate

TRUE = {
    purchases.PurchaseModel.MBG_NBD: {"r": 0.5, "alpha": 40.0, "a": 0.9, "b": 2.5},
    purchases.PurchaseModel.BG_NBD: {"r": 0.25, "alpha": 30.0, "a": 0.8, "b": 2.5},
    purchases.PurchaseModel.PARETO_NBD: {"r": 0.55, "alpha": 40.0, "s": 0.6, "beta": 90.0},
}


def standard_errors(total_log_likelihood, log_estimate: np.ndarray, step: float = 1e-3) -> np.ndarray:
    """Standard errors of log-parameters from the central-difference Hessian of the summed log-likelihood."""
    k = len(log_estimate)
    unit = np.eye(k) * step

    def at(i, j, di, dj):
        return total_log_likelihood(log_estimate + di * unit[i] + dj * unit[j])

    hessian = np.array(
        [
            [(at(i, j, 1, 1) - at(i, j, 1, -1) - at(i, j, -1, 1) + at(i, j, -1, -1)) / (4 * step**2) for j in range(k)]
            for i in range(k)
        ]
    )
    return np.sqrt(np.diag(np.linalg.inv(-hessian)))


@pytest.mark.parametrize("model", list(purchases.PurchaseModel), ids=str)
def test_purchase_model_fit_recovers_simulated_parameters(model):
    rng = np.random.default_rng(20260601)
    ages = rng.uniform(180, 720, 20_000).round()
    x, t_x, age = simulate(rng, model, TRUE[model], ages)

    fit = purchases.fit(model, x, t_x, age)

    assert fit.converged
    estimate = np.log(fit.values)
    errors = standard_errors(lambda logs: purchases.log_likelihood(model, np.exp(logs), x, t_x, age).sum(), estimate)
    truth = np.log([TRUE[model][name] for name in purchases.PARAMETERS[model]])
    assert np.all(np.abs(estimate - truth) < 4 * errors), (fit.params, errors)
    assert np.all(errors < 0.25)  # enough data that the check means something


@pytest.mark.parametrize("model", [purchases.PurchaseModel.MBG_NBD, purchases.PurchaseModel.PARETO_NBD], ids=str)
def test_expected_purchases_match_a_simulated_future(model):
    """Conditional expectations: customers simulated over calibration + holdout; the predicted holdout
    total from the calibration part matches the simulated one (the model is true, so only noise differs:
    about 1 % at this size; 4 % allowed)."""
    params = TRUE[model]
    rng = np.random.default_rng(7)
    ages = rng.uniform(180, 540, 20_000).round()
    horizon = 180.0
    times = purchase_times(rng, model, params, ages + horizon)
    x = np.array([(row <= a).sum() for row, a in zip(times, ages, strict=True)], dtype=float)
    t_x = np.array([row[row <= a].max(initial=0.0) for row, a in zip(times, ages, strict=True)])
    later = np.array([(row > a).sum() for row, a in zip(times, ages, strict=True)])
    fit = purchases.fit(model, x, t_x, ages)

    predicted = purchases.expected_purchases(fit, x, t_x, ages, horizon)

    assert predicted.sum() == pytest.approx(later.sum(), rel=0.04)
    alive = purchases.p_active(fit, x, t_x, ages)
    assert np.all((alive > 0) & (alive <= 1))
    assert alive[x == 0].max() < 1  # unlike BG/NBD, a one-time buyer may be gone


def test_gamma_gamma_fit_recovers_simulated_parameters():
    rng = np.random.default_rng(99)
    p, q, v = 6.0, 4.0, 15.0
    n = 8_000
    x = rng.integers(1, 12, n).astype(float)
    nu = rng.gamma(q, 1 / v, n)  # each customer's rate: their mean order value is p / nu
    m = np.array([rng.gamma(p, 1 / rate, int(k)).mean() for rate, k in zip(nu, x, strict=True)])

    fit = spend.fit(x, m)

    assert fit.usable
    estimate = np.log([fit.params[name] for name in spend.PARAMETERS])
    errors = standard_errors(lambda logs: spend.log_likelihood(np.exp(logs), x, m).sum(), estimate)
    assert np.all(np.abs(estimate - np.log([p, q, v])) < 4 * errors), (fit.params, errors)
    one_timer = spend.expected_order_value(fit, np.array([0.0]), np.array([0.0]))[0]
    assert one_timer == pytest.approx(fit.params["p"] * fit.params["v"] / (fit.params["q"] - 1))
