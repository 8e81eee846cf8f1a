"""The dashboard App's backend: manifest, served pages, extension tokens, and the read-only admin."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.dashboard import views
from saleor_crm_plugin.dashboard.manifest import APP_ID
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.sandbox import jwt
from saleor_crm_plugin.sandbox.auth import extension_token

APP = "/plugins/global/saleor.crm/app/"
GRAPHQL = "/plugins/global/saleor.crm/graphql/"
CUSTOMERS = "{ crmCustomers(first: 5) { totalCount } }"

# saleor/app/manifest_schema.py (3.23.28): ManifestSchema and ManifestExtensionSchema fields, camelCased.
MANIFEST_FIELDS = {
    "id", "name", "version", "about", "permissions", "appUrl", "tokenTargetUrl", "dataPrivacyUrl",
    "homepageUrl", "supportUrl", "audience", "requiredSaleorVersion", "author", "brand", "extensions", "webhooks",
}  # fmt: skip
EXTENSION_FIELDS = {"label", "url", "mount", "target", "permissions", "options", "identifier"}
# saleor-dashboard 3.23.27 src/extensions/domain/app-extension-manifest-available-mounts.ts (the ones we use).
WIDGET_MOUNTS = {"CUSTOMER_DETAILS_WIDGETS", "ORDER_DETAILS_WIDGETS"}
OTHER_MOUNTS = {
    "NAVIGATION_CUSTOMERS",
    "NAVIGATION_ORDERS",
    "CUSTOMER_DETAILS_MORE_ACTIONS",
    "ORDER_DETAILS_MORE_ACTIONS",
}
SALEOR_PERMISSIONS = {"MANAGE_USERS", "MANAGE_ORDERS"}

INDEX = (
    '<!doctype html><html><head><meta charset="utf-8"><title>CRM</title></head>'
    '<body><div id="root"></div></body></html>'
)


@pytest.fixture
def build(tmp_path, monkeypatch):
    """A built front end in a temporary directory, as ``npm run build`` leaves it."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "index-3f9a1c.js").write_text("console.log('crm')")
    (tmp_path / "assets" / "index-77aa01.css").write_text("body{margin:0}")
    monkeypatch.setattr(views, "BUILD_DIR", tmp_path)
    return tmp_path


def staff(pk: int, *permissions: Permission, **fields):
    user = get_user_model().objects.create(
        pk=pk, username=f"staff{pk}@store.test", email=f"staff{pk}@store.test", is_staff=True, **fields
    )
    for permission in permissions:
        user.groups.add(Group.objects.get_or_create(name=permission.value)[0])
    return user


def boot_of(html: str) -> dict:
    blocks = re.findall(r'<script id="crm-boot" type="application/json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1, html
    return json.loads(blocks[0])


# -- manifest ---------------------------------------------------------------------------------------------


def test_the_manifest_follows_saleors_schema_and_the_dashboards_mount_rules(client, db):
    response = client.get(APP + "manifest")
    assert response.status_code == 200
    manifest = response.json()
    assert set(manifest) <= MANIFEST_FIELDS
    assert manifest["id"] == APP_ID and manifest["name"] and manifest["version"]
    assert manifest["appUrl"] == "http://testserver/plugins/global/saleor.crm/app/"
    assert "tokenTargetUrl" not in manifest  # the plugin verifies extension tokens with Saleor's keys
    assert set(manifest["permissions"]) == SALEOR_PERMISSIONS
    assert re.fullmatch(r">=3\.23\.0 <3\.24\.0", manifest["requiredSaleorVersion"])
    identifiers = [e["identifier"] for e in manifest["extensions"]]
    assert len(identifiers) == len(set(identifiers))
    for extension in manifest["extensions"]:
        assert set(extension) <= EXTENSION_FIELDS
        assert set(extension["permissions"]) <= set(manifest["permissions"])  # Saleor: OUT_OF_SCOPE_PERMISSION
        if extension["target"] == "WIDGET":
            assert extension["mount"] in WIDGET_MOUNTS
            assert extension["options"] == {"widgetTarget": {"method": "GET"}}
        else:
            assert extension["mount"] in OTHER_MOUNTS and "options" not in extension
        if extension["target"] == "APP_PAGE":
            assert extension["url"].startswith("/")  # the dashboard joins it to appUrl
        else:
            assert extension["url"].startswith(manifest["appUrl"])
    by_id = {e["identifier"]: e for e in manifest["extensions"]}
    assert by_id["customer-widget"] == {
        "identifier": "customer-widget",
        "label": "CRM",
        "mount": "CUSTOMER_DETAILS_WIDGETS",
        "target": "WIDGET",
        "permissions": ["MANAGE_USERS"],
        "url": "http://testserver/plugins/global/saleor.crm/app/widgets/customer",
        "options": {"widgetTarget": {"method": "GET"}},
    }
    assert (by_id["order-widget"]["mount"], by_id["order-widget"]["permissions"]) == (
        "ORDER_DETAILS_WIDGETS",
        ["MANAGE_ORDERS"],
    )
    assert (by_id["customers"]["mount"], by_id["customers"]["target"], by_id["customers"]["url"]) == (
        "NAVIGATION_CUSTOMERS",
        "APP_PAGE",
        "/customers",
    )
    popups = {(e["mount"], e["url"].removeprefix(manifest["appUrl"])) for e in by_id.values() if e["target"] == "POPUP"}
    assert popups == {
        ("CUSTOMER_DETAILS_MORE_ACTIONS", "popups/adjust-points"),
        ("CUSTOMER_DETAILS_MORE_ACTIONS", "popups/open-ticket"),
        ("CUSTOMER_DETAILS_MORE_ACTIONS", "popups/export"),
        ("ORDER_DETAILS_MORE_ACTIONS", "popups/open-ticket"),
    }


def test_the_manifest_uses_the_configured_public_url(client, db, crm_settings):
    crm_settings(automation_public_url="https://api.shop.example/plugins/global/saleor.crm/")
    manifest = client.get(APP + "manifest", HTTP_HOST="localhost:8000").json()
    assert manifest["appUrl"] == "https://api.shop.example/plugins/global/saleor.crm/app/"
    assert {e["url"] for e in manifest["extensions"]} >= {
        "https://api.shop.example/plugins/global/saleor.crm/app/widgets/order"
    }


# -- pages and assets -------------------------------------------------------------------------------------


def test_a_get_serves_the_app_page_uncached_and_unframed_by_nothing(client, build):
    for path in ("", "customers", "customers/Q3JtQ3VzdG9tZXI6MQ==", "widgets/customer"):
        response = client.get(APP + path)
        assert response.status_code == 200, path
        assert response.content.decode() == INDEX  # nothing injected: the token comes by App Bridge
        assert response["Cache-Control"] == "no-store"
        assert "X-Frame-Options" not in response  # the dashboard frames it from another origin


def test_a_post_widget_gets_its_boot_data_before_head_end(client, build):
    user_id, order_id = global_id("User", 42), global_id("Order", uuid.UUID(int=7))
    form = {
        "saleorApiUrl": "https://shop.example/graphql/",
        "accessToken": "eyJhbGciOiJSUzI1NiJ9.eyJhcHAiOiJBcHA6MSJ9.c2lnbmF0dXJl",
        "appId": "QXBwOjE=",
        "customerId": user_id,
        "orderId": order_id,
        "theme": "dark",
        "unlisted": "dropped",
    }
    response = Client(enforce_csrf_checks=True).post(APP + "widgets/customer", form)  # no CSRF, like Saleor's route
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index('id="crm-boot"') < html.index("</head>")
    assert boot_of(html) == {
        "token": form["accessToken"],
        "saleorApiUrl": form["saleorApiUrl"],
        "appId": "QXBwOjE=",
        "customerId": user_id,
        "orderId": order_id,
        "theme": "dark",
    }
    assert response["Cache-Control"] == "no-store"


def test_boot_data_cannot_break_out_of_its_script_element(client, build, monkeypatch):
    # Even a value that passed validation is escaped: make the token check accept anything to prove it.
    monkeypatch.setattr(views, "_TOKEN", re.compile(r".+", re.S))
    attack = "</script><script>alert(document.domain)</script><!--"
    html = client.post(APP + "widgets/order", {"accessToken": attack}).content.decode()
    assert "<script>alert" not in html and "</script><script>" not in html
    assert html.count("</script>") == 1
    assert boot_of(html) == {"token": attack}


@pytest.mark.parametrize(
    "field, value",
    [
        ("customerId", base64.b64encode(b"User:1</script>").decode()),
        ("customerId", global_id("Order", 5)),  # another type's id
        ("customerId", "not base64!"),
        ("orderId", global_id("Order", "1; drop table")),
        ("saleorApiUrl", "javascript:alert(1)"),
        ("saleorApiUrl", 'https://shop.example/"><script>'),
        ("accessToken", "a.b.c</script>"),
        ("appId", "<img src=x>"),
        ("theme", "</style>"),
    ],
)
def test_a_malformed_boot_value_is_refused_not_echoed(client, build, field, value):
    response = client.post(APP + "widgets/customer", {field: value})
    assert response.status_code == 400
    assert response.content.decode() == f"Invalid {field}.\n"


def test_assets_are_served_with_a_long_cache_and_their_type(client, build):
    js = client.get(APP + "assets/index-3f9a1c.js")
    assert js.status_code == 200
    assert b"".join(js.streaming_content) == b"console.log('crm')"
    assert js["Content-Type"] == "text/javascript"
    assert js["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get(APP + "assets/index-77aa01.css")["Content-Type"] == "text/css"
    assert client.get(APP + "assets/missing-000.js").status_code == 404
    assert client.get(APP + "assets/../index.html").status_code == 404
    assert client.get(APP + "assets/%2e%2e/index.html").status_code == 404
    assert client.post(APP + "assets/index-3f9a1c.js").status_code == 405


def test_without_a_build_the_pages_answer_503_with_what_to_run(client, tmp_path, monkeypatch):
    monkeypatch.setattr(views, "BUILD_DIR", tmp_path / "build")
    for response in (
        client.get(APP + "customers"),
        client.post(APP + "widgets/customer"),
        client.get(APP + "assets/a.js"),
    ):
        assert response.status_code == 503
        assert response.content.decode() == views.MISSING_BUILD
        assert "scripts/build-frontend" in views.MISSING_BUILD


# -- extension tokens -------------------------------------------------------------------------------------


def test_an_extension_token_carries_the_users_permissions_within_the_apps(client, db):
    manager = staff(700, Permission.MANAGE_USERS, Permission.MANAGE_ORDERS)
    claims = jwt.decode(extension_token(manager, [Permission.MANAGE_USERS]))
    assert claims["type"] == "thirdparty" and claims["app"] == APP_ID and claims["user"] == 700
    assert claims["permissions"] == ["MANAGE_USERS"]  # user's ∩ app's
    assert sorted(claims["user_permissions"]) == ["MANAGE_ORDERS", "MANAGE_USERS"]
    assert 295 <= claims["exp"] - time.time() <= 300


def _query(client, token, status):
    response = client.post(
        GRAPHQL, {"query": CUSTOMERS}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == status, response.content
    return response.json()


def test_an_extension_token_reads_the_api_only_within_both_permission_sets(client, db):
    manager = staff(701, Permission.MANAGE_USERS)
    packer = staff(702, Permission.MANAGE_ORDERS)
    assert _query(client, extension_token(manager, [Permission.MANAGE_USERS]), 200)["data"]["crmCustomers"] == {
        "totalCount": 0
    }
    # The App lacks MANAGE_USERS, or the user does: refused either way.
    for token in (extension_token(manager, [Permission.MANAGE_ORDERS]), extension_token(packer, [*Permission])):
        assert _query(client, token, 200)["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"


def test_a_permission_taken_away_ends_at_once(client, db):
    manager = staff(703, Permission.MANAGE_USERS)
    token = extension_token(manager, [Permission.MANAGE_USERS])
    manager.groups.clear()
    assert _query(client, token, 200)["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"


def _forged(claims: dict, **kwargs) -> str:
    return jwt.encode(claims, **kwargs)


@pytest.mark.parametrize(
    "make, code",
    [
        (lambda u: extension_token(u, [*Permission], ttl=-1), "ExpiredSignatureError"),
        (lambda u: extension_token(u, [*Permission])[:-3] + "xyz", "InvalidSignatureError"),
        (
            lambda u: _forged(
                {"type": "thirdparty", "app": APP_ID, "user": u.pk, "permissions": ["MANAGE_USERS"], "exp": 2**40},
                key="not-the-store-secret",
            ),
            "InvalidSignatureError",
        ),
        (
            lambda u: _forged(
                {
                    "type": "thirdparty",
                    "app": "another.app",
                    "user": u.pk,
                    "permissions": ["MANAGE_USERS"],
                    "exp": 2**40,
                }
            ),
            "InvalidTokenError",
        ),
        (
            lambda u: _forged({"type": "thirdparty", "app": APP_ID, "user": u.pk, "permissions": ["MANAGE_USERS"]}),
            "ExpiredSignatureError",  # no expiry at all is no better than an old one
        ),
    ],
    ids=["expired", "tampered", "signed-elsewhere", "foreign-app", "no-expiry"],
)
def test_expired_forged_and_foreign_app_tokens_get_401(client, db, make, code):
    token = make(staff(704, Permission.MANAGE_USERS))
    body = _query(client, token, 401)
    assert body["errors"][0]["extensions"]["exception"]["code"] == code
    assert "data" not in body


def test_a_deactivated_users_extension_token_gets_401(client, db):
    manager = staff(705, Permission.MANAGE_USERS)
    token = extension_token(manager, [Permission.MANAGE_USERS])
    get_user_model().objects.filter(pk=manager.pk).update(is_active=False)
    _query(client, token, 401)


# -- the shell's token endpoint ---------------------------------------------------------------------------


def test_the_shell_mints_tokens_only_for_signed_in_staff(db):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post("/dashboard/token").status_code in (401, 403)
    shopper = get_user_model().objects.create_user("shopper", "shopper@example.com", "pw")
    browser.force_login(shopper)
    browser.get("/dashboard/login/")  # sets the CSRF cookie, as the shell page does
    csrf = browser.cookies["csrftoken"].value
    assert browser.post("/dashboard/token", HTTP_X_CSRFTOKEN=csrf).status_code == 401  # not staff
    manager = staff(706, Permission.MANAGE_USERS)
    browser.force_login(manager)
    browser.get("/dashboard/login/")
    csrf = browser.cookies["csrftoken"].value
    assert browser.post("/dashboard/token").status_code == 403  # CSRF: a session endpoint
    response = browser.post("/dashboard/token", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert (body["appId"], body["expiresIn"]) == (APP_ID, 300)
    assert _query(Client(), body["token"], 200)["data"]["crmCustomers"] == {"totalCount": 0}
    assert browser.get("/dashboard/token").status_code == 405


def test_staff_sign_in_with_their_password_and_land_on_the_shell(db):
    manager = staff(707, Permission.MANAGE_USERS)
    manager.set_password("s3cret!")
    manager.save()
    browser = Client()
    response = browser.post("/dashboard/login/", {"username": manager.username, "password": "s3cret!"})
    assert (response.status_code, response["Location"]) == (302, "/dashboard/")
    shopper = get_user_model().objects.create_user("buyer", "buyer@example.com", "pw")
    refused = Client().post("/dashboard/login/", {"username": shopper.username, "password": "pw"})
    assert refused.status_code == 200 and "_auth_user_id" not in refused.wsgi_request.session


# -- admin ------------------------------------------------------------------------------------------------


def test_the_admin_is_read_only_even_for_a_superuser(db, ada):
    from django.contrib import admin

    from saleor_crm_plugin.loyalty.models import Reward

    get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    browser = Client()
    browser.login(username="root", password="pw")
    profile_url = f"/admin/saleor_crm_plugin/customerprofile/{ada.pk}/"
    assert browser.get(profile_url + "change/").status_code == 200  # viewable
    assert browser.get(profile_url + "delete/").status_code == 403
    assert browser.post(profile_url + "delete/", {"post": "yes"}).status_code == 403
    assert browser.get("/admin/saleor_crm_plugin/customerprofile/add/").status_code == 403
    bulk = browser.post(
        "/admin/saleor_crm_plugin/customerprofile/",
        {"action": "delete_selected", "_selected_action": [ada.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert type(ada).objects.filter(pk=ada.pk).exists()
    listing = browser.get("/admin/saleor_crm_plugin/customerprofile/").content.decode()
    assert "delete_selected" not in listing and 'name="action"' not in listing
    request = type("R", (), {"user": get_user_model().objects.get(username="root")})()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "saleor_crm_plugin":
            continue
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
        assert not model_admin.get_actions(request), model
    assert Reward in admin.site._registry
