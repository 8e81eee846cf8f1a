"""Saleor's own test settings; our app and plugin come from the ``saleor.plugins`` entry point."""

import os

from saleor.tests.settings import *  # noqa: F403

# An own test database, so our tables never land in Saleor's ``test_saleor``. Not ``test_saleor_crm``:
# that is the sandbox suite's test database (``test_`` + its DB ``saleor_crm``), which it drops per run.
# CRM_SALEOR_TEST_DB picks another one, so two runs at once don't share a database.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("CRM_SALEOR_TEST_DB", "test_saleor_crm_integration")}  # noqa: F405
