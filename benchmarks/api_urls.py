"""The sandbox's URLs (the CRM GraphQL endpoint among them) plus the benchmark's baseline views."""

from django.urls import path

from saleor_crm_plugin.sandbox.urls import urlpatterns as sandbox_urlpatterns

from .api_views import customers_page, naive_customers_page

urlpatterns = [
    *sandbox_urlpatterns,
    path("bench/customers/", customers_page),
    path("bench/customers-naive/", naive_customers_page),
]
