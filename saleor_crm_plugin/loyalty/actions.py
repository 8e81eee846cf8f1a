"""Changes to loyalty accounts that people ask for: redeem, adjust, bonuses.

The API, tasks and commands call these, never the models: each validates, locks the account,
posts to the ledger and records the timeline entry in one transaction.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from decimal import ROUND_FLOOR, Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import ports
from ..graphql.core.types import fraction_digits
from ..profiles.models import CustomerProfile
from ..profiles.timeline import record
from . import ledger, timeline
from .accounts import lock_accounts
from .channels import last_order_channels, reward_channel
from .error_codes import LoyaltyErrorCode
from .errors import LoyaltyError
from .models import LedgerKind, LoyaltyAccount, PointsLedgerEntry, Redemption, Reward
from .program import Program, current_program
from .rewards import RewardNotIssued, RewardRequest

MAX_ADJUSTMENT = 10_000_000


def account_of(profile: CustomerProfile) -> LoyaltyAccount:
    """The shopper's account, made on first use (guests have none)."""
    if profile.saleor_user_id is None or profile.anonymised_at is not None:
        raise LoyaltyError(
            "customerId", LoyaltyErrorCode.NOT_FOUND, "Only registered customers have a loyalty account."
        )
    account, _ = LoyaltyAccount.objects.get_or_create(profile=profile)
    return account


def redeem_points(
    profile: CustomerProfile,
    *,
    reward: Reward | None = None,
    points: int | None = None,
    checkout_id: str | None = None,
    now: datetime | None = None,
) -> Redemption:
    """Spend points on a reward the store issues (a gift card in Saleor), as one unit.

    The points leave the account and the store issues the reward inside one transaction; if the
    store refuses, that transaction rolls back (the points come back) and a failed redemption is
    kept to explain it.
    """
    now = now or timezone.now()
    program = current_program()
    account_of(profile)
    points, value, currency, channel = _priced(program, profile, reward, points, checkout_id)
    failure = None
    with transaction.atomic():
        account = lock_accounts([profile.pk], create=False)[profile.pk]
        if account.available < points:
            raise LoyaltyError(
                "points", LoyaltyErrorCode.INSUFFICIENT_POINTS, f"Only {account.available} points are available."
            )
        try:
            with transaction.atomic():
                return _redeem(profile, account, reward, points, value, currency, channel, checkout_id, now)
        except RewardNotIssued as error:
            failure = Redemption.objects.create(
                account=account, reward=reward, points=points, value=value, currency=currency, channel=channel,
                status=Redemption.FAILED, checkout_id=checkout_id or "", error=str(error)[:512], created_at=now,
            )  # fmt: skip
    raise LoyaltyError(
        "checkoutId" if checkout_id else None, LoyaltyErrorCode.REWARD_NOT_ISSUED, f"The store refused: {failure.error}"
    )


def _redeem(profile, account, reward, points, value, currency, channel, checkout_id, now) -> Redemption:
    redemption = Redemption.objects.create(
        account=account, reward=reward, points=points, value=value, currency=currency, channel=channel,
        status=Redemption.ISSUED, checkout_id=checkout_id or "", created_at=now,
    )  # fmt: skip
    entry = ledger.post(
        account, LedgerKind.REDEEM, key=f"redeem:{redemption.pk}", at=now, owned=-points, redemption=redemption,
        rule="reward", reason=reward.name if reward else f"{value} {currency}",
    )  # fmt: skip
    ledger.write([entry], [account])
    issued = ports.reward_issuer().issue(
        RewardRequest(
            redemption_id=redemption.pk,
            user_id=profile.saleor_user_id,
            user_pk=profile.user_id,
            email=profile.email,
            channel=channel,
            currency=currency,
            value=value,
            points=points,
            checkout_id=checkout_id,
        )
    )
    redemption.code, redemption.reference = issued.code, issued.reference
    redemption.save(update_fields=["code", "reference"])
    record([timeline.redeemed(profile.pk, redemption.pk, points, f"{value} {currency}", now)])
    return redemption


def _priced(program: Program, profile: CustomerProfile, reward: Reward | None, points: int | None, checkout_id):
    """``(points, value, currency, channel)`` of a redemption, validated. Someone else's checkout is
    "not found", like a missing one, before anything is stored."""
    if (reward is None) == (points is None):
        raise LoyaltyError("rewardId", LoyaltyErrorCode.INVALID, "Give either a reward or a number of points.")
    issuer = ports.reward_issuer()
    channel = reward_channel(profile, checkout_id, program, last_order_channels([profile.pk]).get(profile.pk))
    if channel is None:
        raise LoyaltyError("checkoutId", LoyaltyErrorCode.NOT_FOUND, "Checkout not found.")
    if reward is not None:
        if not reward.is_active:
            raise LoyaltyError("rewardId", LoyaltyErrorCode.INACTIVE, "This reward is not available.")
        if reward.channel != channel:
            where = "the checkout's" if checkout_id else "the one you shop in"
            raise LoyaltyError(
                "rewardId", LoyaltyErrorCode.INVALID, f"This reward is for another channel than {where}."
            )
        return reward.points_cost, reward.value, reward.currency, reward.channel
    minimum = program.settings.loyalty_min_redeem_points
    if points < max(minimum, 1):
        raise LoyaltyError("points", LoyaltyErrorCode.MINIMUM_POINTS, f"Redeem at least {max(minimum, 1)} points.")
    currency = issuer.currency(channel)
    if currency is None:
        raise LoyaltyError("checkoutId", LoyaltyErrorCode.NOT_FOUND, f"Channel {channel} not found.")
    value = program.redeem_value(points).quantize(Decimal(1).scaleb(-fraction_digits(currency)), rounding=ROUND_FLOOR)
    if value <= 0:
        raise LoyaltyError("points", LoyaltyErrorCode.INVALID, "Too few points for any reward value.")
    return points, value, currency, channel


@transaction.atomic
def adjust_points(profile: CustomerProfile, points: int, reason: str, staff_user=None) -> PointsLedgerEntry:
    """A staff correction; taking more than the balance is refused (no debt by hand)."""
    reason = reason.strip()
    if not reason:
        raise LoyaltyError("reason", LoyaltyErrorCode.REQUIRED, "Say why the points change.")
    if points == 0 or abs(points) > MAX_ADJUSTMENT:
        raise LoyaltyError(
            "points", LoyaltyErrorCode.INVALID, f"Adjust by a non-zero number of at most {MAX_ADJUSTMENT:,} points."
        )
    account_of(profile)
    account = lock_accounts([profile.pk], create=False)[profile.pk]
    now = timezone.now()
    entry = ledger.post(
        account, LedgerKind.ADJUST, key=f"adjust:{account.pk}:{now.isoformat()}", at=now, owned=points,
        staff_user=staff_user, rule="staff", reason=reason[:512],
    )  # fmt: skip
    ledger.write([entry], [account], keep_ids=True)
    record([timeline.adjusted(profile.pk, entry.pk, points, reason, now)])
    return entry


def award_signup_bonuses(profile_ids: list[int], program: Program, now: datetime) -> None:
    """The sign-up bonus, once per account (its key is the account)."""
    _award_once(profile_ids, program.settings.loyalty_signup_bonus, "signup", lambda account: "", now)


@transaction.atomic
def award_birthday_bonuses(program: Program, today: date, now: datetime) -> None:
    """The yearly birthday bonus for accounts whose birthday is ``today`` (the store's local date),
    and the birthday on their timeline. One transaction: the bonus locks the accounts it pays."""
    born_today = Q(birth_date__month=today.month, birth_date__day=today.day)
    if (today.month, today.day) == (2, 28) and not calendar.isleap(today.year):
        born_today |= Q(birth_date__month=2, birth_date__day=29)  # leap-day birthdays, in common years
    profile_ids = list(LoyaltyAccount.objects.filter(born_today).values_list("profile_id", flat=True))
    _award_once(profile_ids, program.settings.loyalty_birthday_bonus, "birthday", lambda account: f":{today.year}", now)
    record(timeline.birthday(profile_id, today, now) for profile_id in profile_ids)


def award_message_bonus(profile_id: int, points: int, message_id: int, now: datetime) -> None:
    """An automation message's incentive, once per message (its key is the message)."""
    _award_once([profile_id], points, "automation", lambda account: f":{message_id}", now)


def _award_once(profile_ids, points: int, rule: str, suffix, now: datetime) -> None:
    if points <= 0 or not profile_ids:
        return
    accounts = lock_accounts(profile_ids)
    keys = {account.pk: f"bonus:{rule}:{account.pk}{suffix(account)}" for account in accounts.values()}
    given = set(
        PointsLedgerEntry.objects.filter(idempotency_key__in=keys.values()).values_list("idempotency_key", flat=True)
    )
    entries = [
        ledger.post(account, LedgerKind.BONUS, key=keys[account.pk], at=now, owned=points, rule=rule)
        for account in accounts.values()
        if keys[account.pk] not in given
    ]
    ledger.write(entries, accounts.values())


@transaction.atomic
def set_birth_date(profile: CustomerProfile, birth_date: date | None) -> LoyaltyAccount:
    account = account_of(profile)
    if birth_date and birth_date > timezone.now().date():
        raise LoyaltyError("birthDate", LoyaltyErrorCode.INVALID, "A birth date can't be in the future.")
    account.birth_date = birth_date
    account.save(update_fields=["birth_date", "updated_at"])
    return account


REWARD_FIELDS = ("name", "description", "points_cost", "value", "channel", "is_active")


@transaction.atomic
def save_reward(reward: Reward | None, changes: dict) -> Reward:
    """Create (``reward`` None) or update a catalogue reward; its currency is its channel's."""
    reward = reward or Reward()
    for field in REWARD_FIELDS:
        if changes.get(field) is not None:
            setattr(reward, field, changes[field].strip() if isinstance(changes[field], str) else changes[field])
    for field in ("name", "points_cost", "value", "channel"):
        if getattr(reward, field) in (None, ""):
            raise LoyaltyError(_camel(field), LoyaltyErrorCode.REQUIRED, f"A reward needs {field.replace('_', ' ')}.")
    if reward.points_cost <= 0:
        raise LoyaltyError("pointsCost", LoyaltyErrorCode.INVALID, "A reward costs at least one point.")
    currency = ports.reward_issuer().currency(reward.channel)
    if currency is None:
        raise LoyaltyError("channel", LoyaltyErrorCode.NOT_FOUND, f"Channel {reward.channel} not found.")
    value = Decimal(reward.value)
    digits = fraction_digits(currency)
    if value <= 0 or value != value.quantize(Decimal(1).scaleb(-digits)):
        raise LoyaltyError(
            "value", LoyaltyErrorCode.INVALID, f"A positive amount with at most {digits} decimal places."
        )
    reward.currency, reward.value = currency, value
    reward.save()
    return reward


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
