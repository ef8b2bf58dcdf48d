"""Where the audit signing key comes from, and rotating it."""

import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from coproduce.audit.checkpoints import key_id, private_key_base64, public_key_pem
from coproduce.audit.keys import demo_key_path, signing_key, trusted_public_keys
from coproduce.audit.models import AuditEntry, Checkpoint
from coproduce.audit.selectors import audit_verify
from coproduce.audit.services import audit_checkpoint
from coproduce.audit.verification import Problem


@pytest.fixture
def demo_settings(settings, tmp_path):
    """Neither key setting is set, as in ``make demo``."""
    settings.AUDIT_SIGNING_KEY = ""
    settings.AUDIT_SIGNING_KEY_FILE = ""
    settings.VAR_DIR = tmp_path / "var"
    return settings


def test_the_demo_makes_its_key_under_var_on_first_use_and_keeps_it(demo_settings):
    path = demo_key_path()
    assert not path.exists()
    first = signing_key()
    assert path.parent == demo_settings.VAR_DIR and path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_id(signing_key().public_key()) == key_id(first.public_key())
    assert list(trusted_public_keys()) == [key_id(first.public_key())]


def test_verifying_never_makes_a_key(demo_settings):
    assert trusted_public_keys() == {}
    assert not demo_key_path().exists()


@pytest.mark.django_db
def test_the_key_may_come_from_an_environment_variable(settings):
    key = Ed25519PrivateKey.generate()
    settings.AUDIT_SIGNING_KEY = private_key_base64(key)
    checkpoint = audit_checkpoint()
    assert checkpoint.key_id == key_id(key.public_key())
    assert audit_verify().ok


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("AUDIT_SIGNING_KEY_FILE", "/nonexistent/audit.pem", "does not exist"),
        ("AUDIT_SIGNING_KEY", "not a key", "is not an Ed25519 private key"),
        ("AUDIT_SIGNING_KEY", "-----BEGIN PRIVATE KEY-----\nAAAA\n", "not an Ed25519"),
    ],
)
def test_a_missing_or_bad_key_is_a_clear_error_and_writes_nothing(
    settings, setting, value, message
):
    setattr(settings, setting, value)
    with pytest.raises(CommandError, match=message):
        call_command("audit", "checkpoint")
    assert not AuditEntry.objects.exists() and not Checkpoint.objects.exists()


def test_new_key_writes_a_private_file_and_never_overwrites(tmp_path, capsys):
    target = tmp_path / "next.pem"
    call_command("audit", "new-key", "--output", str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "BEGIN PUBLIC KEY" in capsys.readouterr().err
    before = target.read_bytes()
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("audit", "new-key", "--output", str(target))
    assert target.read_bytes() == before


@pytest.mark.django_db
def test_after_a_rotation_old_checkpoints_verify_while_their_key_is_listed(
    settings, tmp_path, audit_signing_key
):
    audit_checkpoint()
    old_public = tmp_path / "old.pub"
    old_public.write_text(public_key_pem(audit_signing_key.public_key()))
    call_command("audit", "new-key", "--output", str(tmp_path / "new.pem"))
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "new.pem")
    audit_checkpoint()
    report = audit_verify()
    assert report.kind is Problem.FORGED and "rotated away" in report.problem
    settings.AUDIT_PREVIOUS_PUBLIC_KEYS = [str(old_public)]
    report = audit_verify()
    assert report.ok and report.checkpoints == 2
