"""The loyalty program as the merchant configured it: earn rates, tiers, redemption rate.

Parsed from the dashboard settings (text fields) into exact values; a malformed entry is
skipped rather than breaking order processing.
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from ..settings import CRMSettings, get_settings

ROUNDING = {"down": ROUND_FLOOR, "nearest": ROUND_HALF_UP, "up": ROUND_CEILING}


@dataclasses.dataclass(frozen=True)
class Tier:
    name: str
    threshold: int
    multiplier: Decimal
    perk: str = ""


@dataclasses.dataclass(frozen=True)
class Program:
    rates: dict[str, Decimal]  # channel slug (or "*") -> points per unit of currency
    earn_on: str
    rounding: str
    minimum_order: Decimal
    excluded_ids: frozenset[str]
    tiers: tuple[Tier, ...]
    settings: CRMSettings

    def rate(self, channel: str) -> Decimal:
        return self.rates.get(channel, self.rates.get("*", Decimal(0)))

    def tier(self, name: str) -> Tier | None:
        return next((tier for tier in self.tiers if tier.name == name), None)

    def tier_for(self, qualifying: Decimal | int) -> Tier | None:
        """The highest tier whose threshold ``qualifying`` reaches."""
        reached = [tier for tier in self.tiers if qualifying >= tier.threshold]
        return reached[-1] if reached else None

    def next_tier(self, name: str) -> Tier | None:
        names = [tier.name for tier in self.tiers]
        index = names.index(name) + 1 if name in names else 0
        return self.tiers[index] if index < len(self.tiers) else None

    def rank(self, name: str) -> int:
        return next((i for i, tier in enumerate(self.tiers) if tier.name == name), -1)

    def multiplier(self, tier_name: str) -> Decimal:
        tier = self.tier(tier_name)
        return tier.multiplier if tier else Decimal(1)

    def earning_amount(self, total: Decimal, shipping: Decimal, lines: list[dict]) -> Decimal:
        """What an order earns on: the total (net of shipping by default) less excluded lines."""
        amount = total - shipping if self.earn_on == "total_net_shipping" else total
        excluded = sum(
            (
                Decimal(str(line.get("unit_price", 0))) * int(line.get("quantity", 0))
                for line in lines
                if {line.get("product_id"), line.get("category_id")} & self.excluded_ids
            ),
            Decimal(0),
        )
        return max(amount - excluded, Decimal(0))

    def points_for(self, amount: Decimal, channel: str, multiplier: Decimal = Decimal(1)) -> int:
        if amount <= 0 or amount < self.minimum_order:
            return 0
        return int((amount * self.rate(channel) * multiplier).quantize(Decimal(1), rounding=ROUNDING[self.rounding]))

    def redeem_value(self, points: int) -> Decimal:
        """The reward value ``points`` buy (before rounding to the currency's minor unit)."""
        rate = _decimal(self.settings.loyalty_redeem_rate, Decimal(100))
        return Decimal(points) / (rate or Decimal(100))  # a zero rate is a typo, not free rewards


def current_program() -> Program:
    settings = get_settings()
    return Program(
        rates=_rates(settings.loyalty_earn_rates),
        earn_on=settings.loyalty_earn_on,
        rounding=settings.loyalty_rounding if settings.loyalty_rounding in ROUNDING else "down",
        minimum_order=_decimal(settings.loyalty_minimum_order, Decimal(0)),
        excluded_ids=frozenset(settings.loyalty_excluded_ids),
        tiers=_tiers(settings.loyalty_tiers),
        settings=settings,
    )


def _decimal(text: str, default: Decimal) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        return default
    return value if value.is_finite() and value >= 0 else default


def _rates(text: str) -> dict[str, Decimal]:
    rates = {}
    for part in text.split(","):
        channel, _, rate = part.strip().rpartition(":")
        if channel and rate:
            rates[channel.strip()] = _decimal(rate, Decimal(0))
    return rates


def _tiers(text: str) -> tuple[Tier, ...]:
    tiers = []
    for part in text.split(","):
        fields = [field.strip() for field in part.split(":")]
        if len(fields) >= 3 and fields[0] and fields[1].isdigit():
            tiers.append(Tier(fields[0], int(fields[1]), _decimal(fields[2], Decimal(1)), ":".join(fields[3:])))
    return tuple(sorted(tiers, key=lambda tier: tier.threshold))
