import pytest

from .helpers import configure_program


@pytest.fixture
def loyalty(crm_settings):
    return configure_program(crm_settings)
