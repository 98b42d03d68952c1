import pytest

from botilbud.settings import Settings


@pytest.fixture
def settings_without_services():
    """Settings that name a broker but reach nothing: the composition root only binds them."""
    return Settings(_env_file=None, kafka_bootstrap="127.0.0.1:1", database_url="postgresql://u:p@127.0.0.1:1")
