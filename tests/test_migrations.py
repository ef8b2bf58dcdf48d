import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    """A model change without its migration would break every existing database."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
