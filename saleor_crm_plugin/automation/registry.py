"""What other domains lend automation: template placeholders and the incentive a message carries.

Loyalty registers ``loyalty_balance`` and the bonus points, recommendations ``recommended_products``;
automation imports neither. Providers work on a whole batch of customers at once, so rendering
100,000 messages costs a few queries per batch, not per message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

# profile ids -> {profile id: value}; a missing id renders as empty.
Provider = Callable[[list[int]], dict[int, object]]
# (profile id, points, message id, now): give the points once per message.
Incentive = Callable[[int, int, int, datetime], None]

_placeholders: dict[str, tuple[str, Provider]] = {}
_incentives: list[Incentive] = []


def register_placeholder(name: str, description: str, provider: Provider) -> None:
    _placeholders[name] = (description, provider)


def placeholders() -> dict[str, tuple[str, Provider]]:
    return dict(_placeholders)


def register_incentive(incentive: Incentive) -> None:
    if incentive not in _incentives:
        _incentives.append(incentive)


def give_incentive(profile_id: int, points: int, message_id: int, now: datetime) -> bool:
    """True when a registered domain gave the points (False: no loyalty program to give them)."""
    for incentive in _incentives:
        incentive(profile_id, points, message_id, now)
    return bool(_incentives)
