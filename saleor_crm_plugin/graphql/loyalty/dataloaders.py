"""One loader per loyalty relation: a list of customers or orders costs one query per relation."""

from __future__ import annotations

from ...loyalty.channels import last_order_channels
from ...loyalty.models import LoyaltyAccount, OrderPoints, Reward
from ..core.dataloaders import DataLoader, grouped


class AccountByProfileIdLoader(DataLoader[int, LoyaltyAccount | None]):
    context_key = "loyalty_account_by_profile_id"

    def batch_load(self, keys):
        accounts = LoyaltyAccount.objects.in_bulk(keys, field_name="profile_id")
        return [accounts.get(key) for key in keys]


class OrderPointsByOrderIdLoader(DataLoader[str, OrderPoints | None]):
    context_key = "loyalty_order_points_by_order_id"

    def batch_load(self, keys):
        found = OrderPoints.objects.select_related("account").in_bulk(keys, field_name="saleor_order_id")
        return [found.get(key) for key in keys]


class PendingPointsByAccountIdLoader(DataLoader[int, list[OrderPoints]]):
    context_key = "loyalty_pending_by_account_id"

    def batch_load(self, keys):
        rows = (
            OrderPoints.objects.filter(
                account_id__in=keys, released_at__isnull=True, cancelled_at__isnull=True, points__gt=0
            )
            .select_related("account")
            .order_by("placed_at", "pk")
        )
        return [[row for row in bucket if row.remaining > 0] for bucket in grouped(rows, lambda r: r.account_id, keys)]


class ActiveRewardsLoader(DataLoader[str, list[Reward]]):
    """Keyed by channel slug ("" = every channel): the catalogue, once per request."""

    context_key = "loyalty_active_rewards"

    def batch_load(self, keys):
        rewards = list(Reward.objects.filter(is_active=True))
        return [[r for r in rewards if not key or r.channel == key] for key in keys]


class LastOrderChannelLoader(DataLoader[int, str | None]):
    """Keyed by profile: the channel of the shopper's newest order (whose rewards they are offered)."""

    context_key = "loyalty_last_order_channel"

    def batch_load(self, keys):
        channels = last_order_channels(list(keys))
        return [channels.get(key) for key in keys]
