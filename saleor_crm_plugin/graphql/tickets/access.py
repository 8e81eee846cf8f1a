"""Who may see a ticket: staff with MANAGE_ORDERS or MANAGE_USERS, or the shopper it belongs to."""

from __future__ import annotations

from ...auth import Permission
from ...profiles.models import CustomerProfile
from ..core.permissions import caller_of, require
from ..core.visibility import SHOPPER_OR_SUPPORT, sees_any

STAFF_PERMISSIONS = (Permission.MANAGE_ORDERS, Permission.MANAGE_USERS)


def is_staff(info) -> bool:
    caller = caller_of(info)
    return any(caller.has_permission(p) for p in STAFF_PERMISSIONS)


def require_staff(info) -> None:
    require(info, *STAFF_PERMISSIONS)


def own_profile(info) -> CustomerProfile | None:
    """The signed-in shopper's profile (None for anonymous callers, apps and unknown shoppers)."""
    own = caller_of(info).user_global_id
    return CustomerProfile.objects.filter(saleor_user_id=own).first() if own else None


def may_see(info, profile: CustomerProfile | None) -> bool:
    return sees_any(info, profile, SHOPPER_OR_SUPPORT)
