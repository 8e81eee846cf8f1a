"""The cleaning layer's answers, case by case (``test_hostile_inputs`` sweeps the whole schema)."""

from __future__ import annotations

import base64

from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.loyalty.models import LoyaltyAccount

ADJUST = """mutation($id: ID!, $points: Int!, $reason: String!) {
  loyaltyPointsAdjust(customerId: $id, points: $points, reason: $reason) { errors { field code message } }
}"""
NOTE = """mutation($id: ID!, $message: String!) {
  crmCustomerNoteAdd(id: $id, input: {message: $message}) { errors { field code message } note { message } }
}"""


def test_a_nul_byte_in_a_note_is_a_field_error(api, ada, staff_token):
    result = api.data(NOTE, {"id": global_id("CrmCustomer", ada.pk), "message": "hi\x00"}, token=staff_token)
    assert result["crmCustomerNoteAdd"] == {
        "errors": [{"field": "message", "code": "INVALID", "message": "Text can't contain NUL characters."}],
        "note": None,
    }


def test_a_lone_surrogate_in_tags_names_the_tag(api, ada, staff_token):
    query = """mutation($id: ID!, $tags: [String!]) {
      crmCustomerTagsUpdate(id: $id, addTags: $tags) { errors { field code message } } }"""
    result = api.data(query, {"id": global_id("CrmCustomer", ada.pk), "tags": ["vip", "\ud800"]}, token=staff_token)
    assert result["crmCustomerTagsUpdate"]["errors"] == [
        {"field": "addTags.2", "code": "INVALID", "message": "Text must be valid Unicode (no lone surrogates)."}
    ]


def test_a_query_argument_is_refused_by_name(api, staff_token):
    error = api.error('{ crmCustomers(first: 5, filter: {spentGte: "NaN", currency: "USD"}) { totalCount } }',
                      token=staff_token)  # fmt: skip
    assert error["message"] == "Invalid value for `filter.spentGte`: Amounts must be finite numbers."


def test_a_year_9999_filter_is_refused(api, staff_token):
    query = "query($after: DateTime) { crmCustomers(first: 5, filter: {lastOrderAfter: $after}) { totalCount } }"
    error = api.error(query, {"after": "9999-12-31T23:59:59-05:00"}, token=staff_token)
    assert error["message"] == "Invalid value for `filter.lastOrderAfter`: Dates must be between 1900 and 2999."


def test_a_malformed_id_in_a_query_argument_is_a_graphql_error(api, staff_token):
    error = api.error('{ loyaltyAccount(customerId: "!!!") { available } }', token=staff_token)
    assert error["message"] == "Couldn't resolve id: !!!."
    assert error["extensions"]["exception"]["code"] == "GRAPHQL_ERROR"


def test_non_ascii_digits_in_an_id_never_name_a_row(api, ada, staff_token):
    arabic = str(ada.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    for pk in (arabic, "²"):
        crafted = base64.b64encode(f"CrmCustomer:{pk}".encode()).decode()
        error = api.error("query($id: ID) { crmCustomer(id: $id) { email } }", {"id": crafted}, token=staff_token)
        assert error["message"] == f"Couldn't resolve id: {crafted}."


def test_an_adjustment_that_would_overflow_the_balance_is_a_field_error(api, ada, staff_token):
    api.data(ADJUST, {"id": global_id("CrmCustomer", ada.pk), "points": 5, "reason": "open"}, token=staff_token)
    LoyaltyAccount.objects.filter(profile=ada).update(available=2**31 - 10, lifetime=2**31 - 10)
    result = api.data(ADJUST, {"id": global_id("CrmCustomer", ada.pk), "points": 100, "reason": "x"}, token=staff_token)
    [error] = result["loyaltyPointsAdjust"]["errors"]
    assert error["code"] == "INVALID" and "too large" in error["message"]
    assert LoyaltyAccount.objects.get(profile=ada).available == 2**31 - 10


def test_an_int_variable_beyond_32_bits_is_a_400_not_a_500(api, ada, staff_token):
    body = api.raw(ADJUST, {"id": global_id("CrmCustomer", ada.pk), "points": 2**31, "reason": "x"},
                   token=staff_token, status=400)  # fmt: skip
    assert body["errors"][0]["message"].startswith("Invalid request: Int cannot represent non 32-bit")


def test_a_decimal_that_is_not_a_number_is_a_graphql_error(api, staff_token):
    error = api.error('{ crmCustomers(first: 5, filter: {spentGte: "abc"}) { totalCount } }', token=staff_token)
    assert 'Expected type "Decimal", found "abc"' in error["message"]


def test_arguments_of_nested_fields_are_cleaned_too(api, ada, ada_token):
    query = "query($after: String) { crmMe { email timeline(first: 5, after: $after) { totalCount } } }"
    body = api.raw(query, {"after": "\x00"}, token=ada_token, status=200)
    assert body["errors"][0]["message"] == "Invalid value for `after`: Text can't contain NUL characters."
    assert body["errors"][0]["path"] == ["crmMe", "timeline"]
