"""Segments over the API: listing, members, history, mutations pointing into the query, preview, denials."""

from __future__ import annotations

import pytest

from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.segments.membership import evaluate_segment
from saleor_crm_plugin.segments.models import Segment

from ..segments.conftest import buy, shopper, store  # noqa: F401 - fixtures

SEGMENT = """
query($id: ID, $slug: String) { crmSegment(id: $id, slug: $slug) {
  id name slug query isBuiltin timeRelative count evaluatedAt
  members(first: 10) { totalCount edges { node { email ordersCount } } }
  countHistory(limit: 5) { count entered left }
} }
"""
CREATE = """
mutation($input: CrmSegmentInput!) { crmSegmentCreate(input: $input) {
  segment { id slug count query } errors { field code message line column }
} }
"""
UPDATE = """
mutation($id: ID!, $input: CrmSegmentInput!) { crmSegmentUpdate(id: $id, input: $input) {
  segment { id name query } errors { field code message line column }
} }
"""
DELETE = """
mutation($id: ID!) { crmSegmentDelete(id: $id) { segment { id slug } errors { field code message } } }
"""
PREVIEW = """
query($query: String!) { crmSegmentPreview(query: $query, first: 2) {
  count members { email } errors { field code message line column }
} }
"""


@pytest.fixture
def repeat(store, api, staff_token, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        created = api.data(CREATE, {"input": {"name": "Repeat", "query": "orders_count >= 2"}}, token=staff_token)
    assert created["crmSegmentCreate"]["errors"] == []
    return created["crmSegmentCreate"]["segment"]


def test_create_evaluates_and_shows_members_and_history(api, staff_token, repeat):
    segment = api.data(SEGMENT, {"slug": "repeat"}, token=staff_token)["crmSegment"]
    assert segment["id"] == repeat["id"] == global_id("CrmSegment", Segment.objects.get(slug="repeat").pk)
    assert (segment["count"], segment["isBuiltin"], segment["timeRelative"]) == (2, False, False)
    assert segment["members"]["totalCount"] == 2
    assert sorted(e["node"]["email"] for e in segment["members"]["edges"]) == [
        "shopper1@example.com",
        "shopper3@example.com",
    ]
    assert segment["countHistory"] == [{"count": 2, "entered": 0, "left": 0}]
    by_id = api.data(SEGMENT, {"id": repeat["id"]}, token=staff_token)["crmSegment"]
    assert by_id["slug"] == "repeat"


def test_update_reevaluates_and_records_the_difference(api, staff_token, repeat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = api.data(UPDATE, {"id": repeat["id"], "input": {"query": "orders_count = 1"}}, token=staff_token)
    assert result["crmSegmentUpdate"]["errors"] == []
    segment = api.data(SEGMENT, {"id": repeat["id"]}, token=staff_token)["crmSegment"]
    assert [e["node"]["email"] for e in segment["members"]["edges"]] == ["shopper2@example.com"]
    assert segment["countHistory"][0] == {"count": 1, "entered": 1, "left": 2}


def test_query_errors_point_at_line_and_column(api, staff_token, store):  # noqa: F811
    query = 'orders_count >= 1 AND\n  spent("USD") > 10 AND oders_count < 5'
    result = api.data(CREATE, {"input": {"name": "Broken", "query": query}}, token=staff_token)["crmSegmentCreate"]
    assert result["segment"] is None
    assert result["errors"] == [
        {
            "field": "query",
            "code": "UNKNOWN_NAME",
            "message": "unknown field 'oders_count', did you mean 'orders_count'? (line 2, column 25)",
            "line": 2,
            "column": 25,
        }
    ]
    missing = api.data(CREATE, {"input": {"query": "orders_count > 1"}}, token=staff_token)["crmSegmentCreate"]
    assert missing["errors"][0]["field"] == "name" and missing["errors"][0]["code"] == "REQUIRED"
    assert not Segment.objects.filter(name="Broken").exists()


def test_delete_and_builtin_protection(api, staff_token, repeat):
    deleted = api.data(DELETE, {"id": repeat["id"]}, token=staff_token)["crmSegmentDelete"]
    assert deleted == {"segment": {"id": repeat["id"], "slug": "repeat"}, "errors": []}
    assert not Segment.objects.filter(slug="repeat").exists()
    builtin = global_id("CrmSegment", Segment.objects.get(slug="rfm-lost").pk)
    refused = api.data(DELETE, {"id": builtin}, token=staff_token)["crmSegmentDelete"]
    assert refused["errors"][0]["code"] == "BUILTIN"
    gone = api.data(DELETE, {"id": repeat["id"]}, token=staff_token)["crmSegmentDelete"]
    assert gone["errors"][0]["code"] == "NOT_FOUND"


def test_preview_of_an_unsaved_query(api, staff_token, store):  # noqa: F811
    preview = api.data(PREVIEW, {"query": "orders_count >= 1"}, token=staff_token)["crmSegmentPreview"]
    assert preview == {
        "count": 3,
        "members": [{"email": "shopper3@example.com"}, {"email": "shopper2@example.com"}],
        "errors": [],
    }
    bad = api.data(PREVIEW, {"query": "orders_count >= "}, token=staff_token)["crmSegmentPreview"]
    assert bad["count"] is None and bad["errors"][0]["code"] == "INVALID_QUERY"
    assert (bad["errors"][0]["line"], bad["errors"][0]["column"]) == (1, 16)


def test_list_of_segments_includes_builtins(api, staff_token, repeat):
    data = api.data("{ crmSegments(first: 100) { totalCount edges { node { slug isBuiltin } } } }", token=staff_token)
    slugs = {e["node"]["slug"] for e in data["crmSegments"]["edges"]}
    assert data["crmSegments"]["totalCount"] == 16 and {"repeat", "rfm-champions", "high-aov"} <= slugs


def test_customers_filtered_by_segment_slug_or_id(api, staff_token, repeat):
    query = "query($s: String) { crmCustomers(first: 10, filter: {segment: $s}) { edges { node { email } } } }"
    for value in ("repeat", repeat["id"]):
        edges = api.data(query, {"s": value}, token=staff_token)["crmCustomers"]["edges"]
        assert sorted(e["node"]["email"] for e in edges) == ["shopper1@example.com", "shopper3@example.com"]
    assert "Couldn't find the segment" in api.error(query, {"s": "nope"}, token=staff_token)["message"]


ENTITY = """query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id crmSegments { slug } } } }"""


def test_user_entity_lists_the_customers_segments(api, staff_token, repeat, store):  # noqa: F811
    evaluate_segment(Segment.objects.get(slug="repeat-buyers"))
    users = [{"__typename": "User", "id": store[pk].saleor_user_id} for pk in (1, 2)]
    entities = api.data(ENTITY, {"r": users}, token=staff_token)["_entities"]
    assert [sorted(s["slug"] for s in e["crmSegments"]) for e in entities] == [["repeat", "repeat-buyers"], []]


@pytest.mark.parametrize(
    "operation",
    [
        "{ crmSegments(first: 5) { totalCount } }",
        '{ crmSegment(slug: "repeat-buyers") { id } }',
        '{ crmSegmentPreview(query: "orders_count > 0") { count } }',
        'mutation { crmSegmentCreate(input: {name: "x", query: "orders_count > 0"}) { errors { code } } }',
        'mutation { crmSegmentUpdate(id: "Q3JtU2VnbWVudDox", input: {name: "x"}) { errors { code } } }',
        'mutation { crmSegmentDelete(id: "Q3JtU2VnbWVudDox") { errors { code } } }',
    ],
)
@pytest.mark.parametrize("who", ["plain_staff_token", "ada_token", None])
def test_denied_without_manage_users(api, request, operation, who):
    token = request.getfixturevalue(who) if who else None
    error = api.error(operation, token=token)
    assert error["extensions"]["exception"]["code"] == "PermissionDenied"
    assert Segment.objects.filter(name="x").count() == 0


def test_shoppers_cannot_list_their_own_segments(api, ada, ada_token):
    body = api.raw(ENTITY, {"r": [{"__typename": "User", "id": ada.saleor_user_id}]}, token=ada_token)
    assert body == {"data": {"_entities": [{"id": ada.saleor_user_id, "crmSegments": None}]}}  # staff only


def test_the_segment_list_costs_a_constant_number_of_queries(api, staff_token, repeat, django_assert_max_num_queries):
    for segment in Segment.objects.all()[:5]:
        evaluate_segment(segment)
    query = "{ crmSegments(first: 100) { edges { node { name count countHistory(limit: 3) { count } } } } }"
    with django_assert_max_num_queries(6):  # auth, segments, count history (one window query)
        edges = api.data(query, token=staff_token)["crmSegments"]["edges"]
    assert len(edges) == 16 and sum(len(e["node"]["countHistory"]) for e in edges) == 6


def test_names_no_order_has_are_warned_about_on_preview_and_save(api, staff_token, store):  # noqa: F811
    query = 'bought_category("Category 2") OR bought_category("Catgory 1")\n  OR bought_in_channel("Shoes")'
    preview = api.data(PREVIEW_WARNINGS, {"query": query}, token=staff_token)["crmSegmentPreview"]
    assert preview["count"] == 1 and preview["errors"] == []
    assert preview["warnings"] == [
        {
            "field": "query",
            "code": "UNKNOWN_VALUE",
            "message": 'no order has the category "Catgory 1", so it matches nobody; did you mean "Category 1"? '
            "(line 1, column 50)",
            "line": 1,
            "column": 50,
        },
        {
            "field": "query",
            "code": "UNKNOWN_VALUE",
            "message": 'no order has the channel "Shoes", so it matches nobody (line 2, column 24)',
            "line": 2,
            "column": 24,
        },
    ]
    created = api.data(CREATE_WARNINGS, {"input": {"name": "Shoes", "query": query}}, token=staff_token)
    assert created["crmSegmentCreate"]["errors"] == [] and created["crmSegmentCreate"]["segment"]["slug"] == "shoes"
    assert [w["line"] for w in created["crmSegmentCreate"]["warnings"]] == [1, 2]
    known = api.data(PREVIEW_WARNINGS, {"query": 'bought_product("SKU-1")'}, token=staff_token)["crmSegmentPreview"]
    assert known["warnings"] == []


PREVIEW_WARNINGS = """
query($query: String!) { crmSegmentPreview(query: $query) {
  count errors { code } warnings { field code message line column }
} }
"""
CREATE_WARNINGS = """
mutation($input: CrmSegmentInput!) { crmSegmentCreate(input: $input) {
  segment { slug } errors { code } warnings { field code message line column }
} }
"""


def test_out_of_range_values_and_costly_queries_are_segment_errors_not_500s(api, staff_token, store, crm_settings):  # noqa: F811
    far = api.data(PREVIEW, {"query": "orders_count > 0 AND\n last_order_at > 9999-12-31"}, token=staff_token)
    assert far["crmSegmentPreview"]["errors"] == [
        {
            "field": "query",
            "code": "INVALID_QUERY",
            "message": "9999-12-31 is out of range: dates go from year 1900 to 2999 (line 2, column 18)",
            "line": 2,
            "column": 18,
        }
    ]
    crm_settings(segments_max_query_cost=1)
    costly = api.data(PREVIEW, {"query": "orders_since(-30d) >= 2"}, token=staff_token)["crmSegmentPreview"]
    assert costly["count"] is None and costly["errors"][0]["code"] == "TOO_COSTLY"
    saved = api.data(CREATE, {"input": {"name": "Costly", "query": "orders_since(-30d) >= 2"}}, token=staff_token)
    assert saved["crmSegmentCreate"]["errors"][0]["code"] == "TOO_COSTLY"
