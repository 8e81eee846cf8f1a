"""Saleor's own test settings; our app and plugin come from the ``saleor.plugins`` entry point."""

from saleor.tests.settings import *  # noqa: F403

# An own test database, so our tables never land in Saleor's ``test_saleor``. Not ``test_saleor_crm``:
# that is the sandbox suite's test database (``test_`` + its DB ``saleor_crm``), which it drops per run.
DATABASES["default"]["TEST"] = {"NAME": "test_saleor_crm_integration"}  # noqa: F405
