"""Shared value types, shaped exactly like Saleor's so a federation gateway merges them."""

from __future__ import annotations

from decimal import Decimal

import graphene

# ISO 4217 minor units that differ from 2 (the rest of the world's currencies use cents).
_FRACTION_DIGITS = {
    **dict.fromkeys(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}


def fraction_digits(currency: str) -> int:
    return _FRACTION_DIGITS.get(currency.upper(), 2)


class MoneyAmount:
    """An exact amount with its currency; only the API edge turns it into Saleor's Float."""

    def __init__(self, amount: Decimal, currency: str):
        digits = fraction_digits(currency)
        self.currency = currency
        self.amount = Decimal(amount).quantize(Decimal(1).scaleb(-digits))
        self.fraction_digits = digits
        self.fractional_amount = int(self.amount.scaleb(digits))


class Money(graphene.ObjectType):
    currency = graphene.String(required=True, description="Currency code.")
    amount = graphene.Float(required=True, description="Amount of money.")
    fractional_amount = graphene.Int(
        required=True, description="Amount of money represented as an integer in the smallest currency unit."
    )
    fraction_digits = graphene.Int(
        required=True, description="Number of digits after the decimal point in the currency."
    )

    class Meta:
        description = "Represents amount of money in specific currency."
