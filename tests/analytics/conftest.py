"""The API client fixtures of tests/graphql, for the analytics tests."""

from ..graphql.conftest import api, make_user, staff_token  # noqa: F401  (fixtures)
