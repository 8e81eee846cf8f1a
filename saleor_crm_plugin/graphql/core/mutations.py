"""Thin mutations over domain actions, the Saleor way.

A mutation checks permissions (a missing one is a GraphQL error, as in Saleor), calls one action,
and turns the action's validation failures (any domain's ``ActionError``) into
``errors { field code message }``. Arguments arrive cleaned (``inputs.InputCleaning``); a value that
is clean yet doesn't fit a column once combined with stored data (a balance pushed past PostgreSQL's
``integer``) is refused by the database, and answered as an ``INVALID`` error, not a 500.
"""

from __future__ import annotations

import logging

import graphene
from django.db import DataError

from ...errors import ActionError

logger = logging.getLogger(__name__)


class CRMMutation(graphene.Mutation):
    class Meta:
        abstract = True

    @classmethod
    def mutate(cls, root, info, **data):
        try:
            return cls.perform_mutation(info, **data)
        except ActionError as error:
            return cls(errors=[error.as_error()])
        except DataError as error:
            logger.warning("%s: the database refused a value: %s", cls.__name__, error)
            message = "A value is too large (or otherwise unfit) for what the store keeps."
            return cls(errors=[{"field": None, "code": "INVALID", "message": message}])

    @classmethod
    def perform_mutation(cls, info, **data):
        raise NotImplementedError
