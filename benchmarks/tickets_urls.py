"""``benchmarks.api``'s URLs (the CRM endpoint, the readiness probe) plus the ticket inbox baselines."""

from django.urls import path

from .api_urls import urlpatterns as api_urlpatterns
from .inbox_views import inbox_screen
from .tickets_views import inbox_page, naive_inbox_page

urlpatterns = [
    *api_urlpatterns,
    path("bench/tickets/", inbox_page),
    path("bench/tickets-naive/", naive_inbox_page),
    path("bench/inbox/", inbox_screen),
]
