"""Optional DKIM: with `dkim = "require"`, only posts signed by a key the (test) DNS publishes pass."""

from __future__ import annotations

import base64
import re
import subprocess
from email.message import EmailMessage

import dkim
import pytest

from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from bot.mail.dkim import dkim_verifier
from tests.conftest import NOW


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    """An RSA key made here, and the DNS TXT record that publishes it."""
    folder = tmp_path_factory.mktemp("dkim")
    private = folder / "private.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(private), "2048"], check=True, capture_output=True)
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(private), "-pubout", "-outform", "DER"], check=True, capture_output=True
    ).stdout
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    return private.read_bytes(), record


def _post() -> bytes:
    message = EmailMessage()
    message["From"] = "事務局 <jimukyoku@rmo-network.example.jp>"
    message["To"] = "announce@rmo-network.example.jp"
    message["Subject"] = "署名つきのお知らせ"
    message["List-Id"] = "<announce.rmo-network.example.jp>"
    message["Message-ID"] = "<signed-1@rmo-network.example.jp>"
    message.set_content("DKIM で署名されたお知らせです。")
    return message.as_bytes().replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n")


@pytest.fixture
def core(tmp_path, key):
    _, record = key

    def dns(name: bytes, timeout: int = 5) -> bytes | None:
        del timeout
        # The test's key is published for the network's domain and for one an attacker owns.
        return (
            record if name in {b"sel._domainkey.rmo-network.example.jp.", b"sel._domainkey.attacker.example."} else None
        )

    config_file = tmp_path / "config.toml"
    config_file.write_text(
        '[mail.intake]\nlist_ids = ["announce.rmo-network.example.jp"]\n'
        'allowed_senders = ["jimukyoku@rmo-network.example.jp"]\ndkim = "require"\n',
        encoding="utf-8",
    )
    with Core.open(load_config(config_file, environ={}), tmp_path / "d", FrozenClock(NOW)) as opened:
        opened.intake._verify_dkim = dkim_verifier(dns)
        yield opened


def test_signed_post_passes_and_unsigned_or_tampered_ones_do_not(core, key):
    """A validly signed post is accepted; the same post unsigned, or altered after signing, is rejected."""
    private, _ = key
    raw = _post()
    signature = dkim.sign(
        raw, b"sel", b"rmo-network.example.jp", private, include_headers=[b"from", b"subject", b"message-id"]
    )
    signed = signature + raw
    tampered = signed.replace("DKIM で署名されたお知らせです。".encode(), "改ざんされた本文です。".encode())
    unsigned = raw.replace(b"signed-1", b"unsigned-1")
    statuses = [
        core.intake.process_batch([(m, NOW, None)])[0]
        for m in (unsigned, re.sub(rb"signed-1", b"tampered-1", tampered), signed)
    ]
    assert [r.status for r in statuses] == ["rejected", "rejected", "accepted"]
    assert statuses[0].reason == "DKIM: no valid signature"


def test_a_valid_signature_from_another_domain_is_not_enough(core, key):
    """With dkim = "require", a valid signature whose d= is neither the author's domain nor the list's is refused."""
    private, _ = key
    raw = _post().replace(b"signed-1", b"foreign-1")
    foreign = dkim.sign(raw, b"sel", b"attacker.example", private, include_headers=[b"from", b"subject"]) + raw
    aligned = dkim.sign(raw, b"sel", b"rmo-network.example.jp", private, include_headers=[b"from", b"subject"])
    (refused,) = core.intake.process_batch([(foreign, NOW, None)])
    assert refused.status == "rejected"
    assert refused.reason == "DKIM: signed by attacker.example, not by the author's or the list's domain"
    (accepted,) = core.intake.process_batch([(aligned + foreign, NOW, None)])  # both signatures: one is aligned
    assert accepted.status == "accepted", accepted.reason
