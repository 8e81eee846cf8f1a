"""Staff sign-in for the sandbox's dashboard shell, and the extension tokens it hands the App's frames.

The shell is first-party (same origin as the sandbox), so a session cookie is fine for it; the
App's pages inside the frames never see the cookie, only the short-lived extension token the
shell passes them through App Bridge, as Saleor Dashboard does.
"""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse

from ..dashboard.manifest import APP_ID, APP_PERMISSIONS
from .auth import extension_token

TOKEN_TTL_SECONDS = 300  # Saleor's JWT_TTL_APP_ACCESS

# Django's admin form: only active staff accounts may sign in, like Saleor Dashboard.
login_view = LoginView.as_view(
    template_name="admin/login.html",
    authentication_form=AdminAuthenticationForm,
    next_page="/dashboard/",
    extra_context={"site_header": "CRM sandbox dashboard", "site_title": "CRM sandbox", "title": "Staff sign-in"},
)
logout_view = LogoutView.as_view(next_page="/dashboard/login/")


def token_view(request: HttpRequest) -> HttpResponse:
    """POST (with the session's CSRF token): a fresh extension token for the signed-in staff user."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return JsonResponse({"error": "Sign in as staff at /dashboard/login/."}, status=401)
    token = extension_token(user, APP_PERMISSIONS, ttl=TOKEN_TTL_SECONDS)
    response = JsonResponse({"token": token, "appId": APP_ID, "expiresIn": TOKEN_TTL_SECONDS})
    response["Cache-Control"] = "no-store"
    return response
