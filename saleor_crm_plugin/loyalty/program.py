"""The loyalty program as the merchant configured it: earn rates, tiers, redemption rate.

Parsed from the dashboard settings (text fields) into exact values. The same parsers check a value
when the merchant saves it; a value that fails keeps its default at run time (``settings``).
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from ..settings import CRMSettings, check_setting, get_settings

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


def points_text(count: int | Decimal) -> str:
    """How shoppers and staff read an amount of points: "1 point", "1,500 points", "1.5 points"."""
    number = f"{count:,}" if isinstance(count, int) else f"{Decimal(count).normalize():,f}"
    return f"{number} point" if count == 1 else f"{number} points"


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
        return _amount(text)
    except ValueError:
        return default


@check_setting("loyalty_minimum_order")
def _amount(text: str) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0:
        raise ValueError(f"'{text}' is not an amount of zero or more, like '10' or '2.5'.")
    return value


@check_setting("loyalty_redeem_rate")
def _rate(text: str) -> Decimal:
    if not _amount(text):
        raise ValueError("A redemption rate of 0 would make every reward free; use e.g. '100'.")
    return Decimal(text)


@check_setting("loyalty_earn_rates")
def _rates(text: str) -> dict[str, Decimal]:
    rates = {}
    for part in filter(str.strip, text.split(",")):
        channel, _, rate = part.strip().rpartition(":")
        if not channel.strip():
            raise ValueError(f"'{part.strip()}' is not like 'channel-slug:rate' or '*:rate'.")
        rates[channel.strip()] = _amount(rate)
    return rates


@check_setting("loyalty_tiers")
def _tiers(text: str) -> tuple[Tier, ...]:
    tiers = []
    for part in filter(str.strip, text.split(",")):
        fields = [field.strip() for field in part.split(":")]
        if len(fields) < 3 or not fields[0] or not fields[1].isascii() or not fields[1].isdigit():
            raise ValueError(f"Tier '{part.strip()}' is not like 'Name:threshold:multiplier', e.g. 'Silver:500:1.25'.")
        tiers.append(Tier(fields[0], int(fields[1]), _amount(fields[2]), ":".join(fields[3:])))
    return tuple(sorted(tiers, key=lambda tier: tier.threshold))
