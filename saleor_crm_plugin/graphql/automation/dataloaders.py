"""One loader per relation of flows and messages: a page of flows or messages costs one query per
relation, whatever its size."""

from __future__ import annotations

from collections import defaultdict
from operator import attrgetter

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from ...automation.models import Flow, FlowStep, MarketingPreference, Message, SurveyResponse
from ...automation.stats import FlowStats, flow_stats
from ..core.connection import seek
from ..core.dataloaders import DataLoader, grouped
from .filters import Conditions, apply_conditions

MESSAGE_ORDERING = ("-id",)  # newest first: ids follow scheduling order and the key is unique
# Which column a message list hangs off: a flow's messages or a customer's.
PARENTS = ("flow_id", "profile_id")


class FlowByIdLoader(DataLoader[int, Flow | None]):
    context_key = "crm_flow_by_id"

    def batch_load(self, keys):
        flows = Flow.objects.in_bulk(keys)
        return [flows.get(key) for key in keys]


class StepsByFlowIdLoader(DataLoader[int, list[FlowStep]]):
    context_key = "crm_flow_steps"

    def batch_load(self, keys):
        rows = FlowStep.objects.filter(flow_id__in=keys).order_by("flow_id", "position")
        return grouped(rows, lambda step: step.flow_id, keys)


class FlowStatsLoader(DataLoader[int, FlowStats]):
    context_key = "crm_flow_stats"

    def batch_load(self, keys):
        stats = flow_stats(keys)
        return [stats[key] for key in keys]


class MarketingPreferenceLoader(DataLoader[int, MarketingPreference | None]):
    """By profile id; None when the customer never unsubscribed."""

    context_key = "crm_marketing_preference"

    def batch_load(self, keys):
        preferences = MarketingPreference.objects.in_bulk(keys)
        return [preferences.get(key) for key in keys]


class SurveyResponsesLoader(DataLoader[int, list[SurveyResponse]]):
    """By profile id, newest answer first."""

    context_key = "crm_survey_responses"

    def batch_load(self, keys):
        rows = SurveyResponse.objects.filter(profile_id__in=keys).order_by("profile_id", "-answered_at", "-id")
        return grouped(rows, lambda response: response.profile_id, keys)


class MessagePageLoader(DataLoader[tuple[str, int, int, str | None, Conditions], list[Message]]):
    """Keys ``(parent, parent_id, first, after, conditions)``: up to ``first + 1`` messages, newest first.

    First pages of the same size and filter come from one window-function query for all parents;
    a page after a cursor is one parent's and costs its own query (one list being paged through).
    """

    context_key = "crm_message_pages"

    def batch_load(self, keys):
        found = {}
        first_pages = defaultdict(list)
        for key in keys:
            parent, parent_id, first, after, conditions = key
            if after is None:
                first_pages[parent, first, conditions].append(parent_id)
                continue
            rows = apply_conditions(Message.objects.filter(**{parent: parent_id}), conditions)
            found[key] = list(seek(rows, MESSAGE_ORDERING, after).order_by(*MESSAGE_ORDERING)[: first + 1])
        for (parent, first, conditions), ids in first_pages.items():
            rank = Window(RowNumber(), partition_by=[F(parent)], order_by=[F("id").desc()])
            rows = (
                apply_conditions(Message.objects.filter(**{f"{parent}__in": ids}), conditions)
                .annotate(rank=rank)
                .filter(rank__lte=first + 1)
                .order_by(parent, "rank")
            )
            for parent_id, bucket in zip(ids, grouped(rows, attrgetter(parent), ids), strict=True):
                found[parent, parent_id, first, None, conditions] = bucket
        return [found[key] for key in keys]


class MessageCountLoader(DataLoader[tuple[str, int, Conditions], int]):
    """Keys ``(parent, parent_id, conditions)``: ``totalCount`` of many message lists in one grouped query."""

    context_key = "crm_message_counts"

    def batch_load(self, keys):
        counts = {}
        for parent, conditions in {(parent, conditions) for parent, _, conditions in keys}:
            ids = [pk for p, pk, c in keys if (p, c) == (parent, conditions)]
            rows = (
                apply_conditions(Message.objects.filter(**{f"{parent}__in": ids}), conditions)
                .values(parent)
                .annotate(n=Count("id"))
                .order_by()
            )
            counts.update({(parent, row[parent], conditions): row["n"] for row in rows})
        return [counts.get(key, 0) for key in keys]
