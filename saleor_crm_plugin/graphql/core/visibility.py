"""A type enforces its own visibility wherever it is reached (DESIGN §3).

A customer's data is reached by many paths: a root query, ``ticket.customer``, ``crmOrder.customer``,
``_entities``, a mutation's payload. Checking at each path misses the next path someone adds, so
each guarded type says once, per field, who may read it (an :class:`Audience`) and whose data it is
(the owning profile); :func:`guard_fields` wraps every resolver of the type with that check. A field
nobody listed gets the type's default audience, so a new field (or a mixin's) is guarded too.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import copy
from dataclasses import dataclass
from functools import partial
from typing import Any

from graphene.relay.node import GlobalID
from graphene.types.resolver import get_default_resolver
from promise import Promise, is_thenable

from ...auth import Permission
from .errors import PermissionDenied
from .permissions import caller_of, owns_profile


@dataclass(frozen=True)
class Audience:
    """Who may read a field: staff holding any of ``permissions``, and the customer themself if ``shopper``."""

    permissions: tuple[Permission, ...]
    shopper: bool

    def admits_without_profile(self, info) -> bool:
        return caller_of(info).has_any_permission(self.permissions)

    def admits(self, info, profile) -> bool:
        if self.admits_without_profile(info):
            return True
        return self.shopper and profile is not None and owns_profile(caller_of(info), profile)


# What a helpdesk agent needs to answer a customer: the contact card, tickets and the order in question.
SHOPPER_OR_SUPPORT = Audience((Permission.MANAGE_USERS, Permission.MANAGE_ORDERS), shopper=True)
# The customer's own data (spend, timeline, loyalty, marketing): themself, or customer managers.
SHOPPER_OR_MANAGER = Audience((Permission.MANAGE_USERS,), shopper=True)
# What staff write about a customer (notes, tags) and what the customer told staff (survey answers).
MANAGERS = Audience((Permission.MANAGE_USERS,), shopper=False)
# A ticket's internals: assignee, SLA, history, internal notes.
SUPPORT_STAFF = Audience((Permission.MANAGE_ORDERS, Permission.MANAGE_USERS), shopper=False)

OwnerOf = Callable[[Any, Any], Any]  # (root, info) -> the owning CustomerProfile, None, or a promise of it
AudienceOf = Audience | Callable[[Any], Audience]


def guard_fields(object_type, *, owner: OwnerOf, default: AudienceOf, audiences: dict[str, AudienceOf] | None = None):
    """Wrap every resolver of ``object_type`` so a field answers only callers of its audience.

    ``audiences`` names fields (Python names) that differ from ``default``; an audience may be a
    function of the row (an internal note is staff-only where a reply is not).
    """
    audiences = audiences or {}
    fields = object_type._meta.fields
    if unknown := set(audiences) - set(fields):
        raise ValueError(f"{object_type.__name__} has no fields {sorted(unknown)}")
    for name, field in fields.items():
        audience = audiences.get(name, default)
        if isinstance(field, GlobalID):  # its resolver encodes the parent's value: guard the whole of it
            fields[name] = field = copy(field)  # the Node interface's one instance serves every type
            field.get_resolver = partial(_guarded_global_id, field.get_resolver, audience, owner)
            continue
        original = getattr(object_type, f"resolve_{name}", None) or partial(
            get_default_resolver(), name, field.default_value
        )
        setattr(object_type, f"resolve_{name}", staticmethod(_guarded(original, audience, owner)))
    return object_type


def _guarded_global_id(get_resolver, audience: AudienceOf, owner: OwnerOf, parent_resolver):
    return _guarded(get_resolver(parent_resolver), audience, owner)


def _guarded(resolve, audience: AudienceOf, owner: OwnerOf):
    def resolve_if_visible(root, info, **args):
        wanted = audience(root) if callable(audience) else audience
        if wanted.admits_without_profile(info):
            return resolve(root, info, **args)

        def check(profile):
            if not wanted.admits(info, profile):
                raise PermissionDenied(wanted.permissions)
            return resolve(root, info, **args)

        profile = owner(root, info)
        return Promise.resolve(profile).then(check) if is_thenable(profile) else check(profile)

    resolve_if_visible.guarded_by = audience
    return resolve_if_visible


def sees_any(info, profile, audience: Audience = SHOPPER_OR_SUPPORT) -> bool:
    """Whether the caller may see anything of ``profile`` (the widest audience of a guarded type)."""
    return profile is not None and audience.admits(info, profile)
