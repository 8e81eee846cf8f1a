"""The sandbox's URLs (the CRM GraphQL endpoint among them) plus the benchmarks' baseline views."""

from django.urls import path

from saleor_crm_plugin.sandbox.urls import urlpatterns as sandbox_urlpatterns

from .api_views import customers_page, naive_customers_page
from .customer_pages_views import customer_list
from .segment_preview_views import final_query_preview

urlpatterns = [
    *sandbox_urlpatterns,
    path("bench/customers/", customers_page),
    path("bench/customers-naive/", naive_customers_page),
    path("bench/customer-list/", customer_list),
    path("bench/segment-preview/", final_query_preview),
]
