"""Thin mutations over domain actions, the Saleor way.

A mutation checks permissions (a missing one is a GraphQL error, as in Saleor), calls one action,
and turns the action's validation failures (any domain's ``ActionError``) into
``errors { field code message }``.
"""

from __future__ import annotations

import graphene

from ...errors import ActionError


class CRMMutation(graphene.Mutation):
    class Meta:
        abstract = True

    @classmethod
    def mutate(cls, root, info, **data):
        try:
            return cls.perform_mutation(info, **data)
        except ActionError as error:
            return cls(errors=[{"field": error.field, "code": error.code, "message": error.message}])

    @classmethod
    def perform_mutation(cls, info, **data):
        raise NotImplementedError
