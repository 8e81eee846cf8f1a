"""What automation adds to Saleor's ``User`` entity (composed in ``graphql/entities.py``)."""

from __future__ import annotations

import graphene

from ...auth import Permission
from ..core.permissions import caller_of
from ..profiles.dataloaders import ProfileByUserIdLoader
from .filters import SHOPPER_CONDITIONS
from .types import CrmMessageCountableConnection, empty_page, message_page


class AutomationUserFields:
    crm_messages = graphene.Field(
        CrmMessageCountableConnection,
        first=graphene.Int(),
        after=graphene.String(),
        description="Messages the CRM's flows made for the customer, newest first: staff with MANAGE_USERS see all "
        "of them, the shopper themself those sent to them; null for anyone else.",
    )

    @staticmethod
    def resolve_crm_messages(root, info, first=None, after=None):
        caller = caller_of(info)
        staff = caller.has_permission(Permission.MANAGE_USERS)
        if not staff and (caller.user_global_id is None or caller.user_global_id != root.id):
            return None  # like Saleor's _entities: someone else's account answers as an unknown one
        conditions = () if staff else SHOPPER_CONDITIONS
        page = {"first": first, "after": after}

        def of(profile):
            if profile is None:
                return empty_page()
            return message_page(info, "profile_id", profile.pk, page, conditions)

        return ProfileByUserIdLoader(info.context).load(root.id).then(of)
