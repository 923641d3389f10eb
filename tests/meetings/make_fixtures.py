"""Writes the meeting-reader fixtures: one .eml per case (in the charset and transfer encoding a real
client would use) and `expected.toml`. Run it after changing a case; the .eml files are committed.

    python tests/meetings/make_fixtures.py
"""

from __future__ import annotations

import base64
import quopri
from email.header import Header
from pathlib import Path

from tests.meetings.cases import CASES, Case

HERE = Path(__file__).parent
FOOTER = (
    "\n_______________________________________________\n"
    "RMO Announce mailing list -- announce@rmo-network.example.jp\n"
    "To unsubscribe send an email to announce-leave@rmo-network.example.jp\n"
)


def _subject(case: Case) -> str:
    charset = "iso-2022-jp" if case.charset in {"iso-2022-jp", "shift_jis"} else "utf-8"
    if case.subject.isascii():
        return case.subject
    return Header(case.subject, charset).encode()


def _body(case: Case) -> tuple[bytes, str, str]:
    text = case.body if case.html else case.body + (FOOTER if case.footer else "")
    codec = {"iso-2022-jp": "iso2022_jp", "shift_jis": "cp932", "utf-8": "utf-8"}[case.charset]
    if codec == "iso2022_jp":  # JIS X 0208 has the minus sign and the wave dash, not their full-width twins
        text = text.replace("－", "−").replace("～", "〜")
    data = text.replace("\n", "\r\n").encode(codec)
    if case.transfer == "base64":
        payload = base64.encodebytes(data).decode("ascii")
    elif case.transfer == "quoted-printable":
        payload = quopri.encodestring(data).decode("ascii")
    else:
        payload = data.decode("latin-1")
    kind = "html" if case.html else "plain"
    return payload.encode("latin-1"), f'text/{kind}; charset="{case.charset.upper()}"', case.transfer


def eml(case: Case) -> bytes:
    """The raw message for one case."""
    payload, content_type, transfer = _body(case)
    head = (
        "From: =?UTF-8?B?5LqL5YuZ5bGA?= <jimukyoku@rmo-network.example.jp>\r\n"
        "To: announce@rmo-network.example.jp\r\n"
        f"Subject: {_subject(case)}\r\n"
        f"Date: {case.date}\r\n"
        f"Message-ID: <{case.name}@rmo-network.example.jp>\r\n"
        "List-Id: RMO Announce <announce.rmo-network.example.jp>\r\n"
        "MIME-Version: 1.0\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Transfer-Encoding: {transfer}\r\n\r\n"
    )
    return head.encode("ascii") + payload


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def expected(case: Case) -> str:
    """The case's [[mail]] table: every field, "" for an absent one, or proposal = false."""
    lines = ["[[mail]]", f'file = "{case.name}.eml"']
    if case.holdout:
        lines.append("holdout = true")
    if case.expect is None:
        lines.append("proposal = false")
        return "\n".join(lines) + "\n"
    lines.append("proposal = true")
    for key, value in case.expect.items():
        lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def main() -> None:
    for case in CASES:
        (HERE / f"{case.name}.eml").write_bytes(eml(case))
    header = (
        "# What the meeting reader must read from each mail (written by make_fixtures.py from cases.py).\n"
        '# Times are Asia/Tokyo; "" is an absent field. title and venue compare after NFKC and one space;\n'
        "# doubts are the codes expected, in any order. holdout = true marks the cases written last, untuned.\n\n"
    )
    (HERE / "expected.toml").write_text(header + "\n".join(expected(c) for c in CASES), encoding="utf-8")


if __name__ == "__main__":
    main()
