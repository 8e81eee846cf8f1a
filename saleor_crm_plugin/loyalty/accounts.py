"""Finding and locking loyalty accounts for a set of shoppers, always in primary-key order."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction
from tqdm import tqdm

from .models import LoyaltyAccount


def lock_accounts(profile_ids: Iterable[int], create: bool = True) -> dict[int, LoyaltyAccount]:
    """The accounts of ``profile_ids`` locked FOR UPDATE (made when missing), by profile ID.

    Locking in one order (by primary key) keeps concurrent runs, releases and redemptions from
    deadlocking, and serialises every balance change of one account.
    """
    profile_ids = sorted(set(profile_ids))
    if not profile_ids:
        return {}
    locked = _locked(profile_ids)
    missing = [pk for pk in profile_ids if pk not in locked] if create else []
    if missing:  # new accounts have the highest keys, so locking them second keeps the order
        open_accounts(missing)
        locked.update(_locked(missing))
    return locked


def _locked(profile_ids: list[int]) -> dict[int, LoyaltyAccount]:
    locked = LoyaltyAccount.objects.select_for_update().filter(profile_id__in=profile_ids).order_by("pk")
    return {account.profile_id: account for account in locked}


def open_accounts(profile_ids: Iterable[int]) -> None:
    """Make the accounts that don't exist yet, in one statement."""
    LoyaltyAccount.objects.bulk_create(
        [LoyaltyAccount(profile_id=pk) for pk in profile_ids], ignore_conflicts=True, batch_size=2000
    )


def lock_accounts_by_id(account_ids: Iterable[int]) -> dict[int, LoyaltyAccount]:
    locked = LoyaltyAccount.objects.select_for_update().filter(pk__in=sorted(set(account_ids))).order_by("pk")
    return {account.pk: account for account in locked}


def sum_over_locked_batches(work: Callable[[dict[int, LoyaltyAccount]], int], desc: str, batch: int = 5000) -> int:
    """Run ``work`` on every account, a batch at a time, each batch locked in primary-key order in its
    own transaction (as ingest locks them), so scheduled work never writes over a concurrent change.
    Returns the sum of what ``work`` returned; shows progress on large stores."""
    done, last = 0, 0
    total = LoyaltyAccount.objects.count()
    with tqdm(total=total, unit="account", desc=desc, disable=total < batch) as bar:
        while True:
            with transaction.atomic():
                ids = list(
                    LoyaltyAccount.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
                )
                if not ids:
                    return done
                done += work(lock_accounts_by_id(ids))
            last = ids[-1]
            bar.update(len(ids))
