"""Imports run one way: bot -> handlers -> storage, and no platform SDK below bot/."""

from __future__ import annotations

import ast

import pytest

from tests.helpers import ROOT

PLATFORM_SDKS = {"slack_bolt", "slack_sdk", "discord", "aiosmtpd", "aiosmtplib", "aiohttp", "apscheduler"}
FORBIDDEN = {
    "handlers": PLATFORM_SDKS | {"bot", "tinydb"},
    "storage": PLATFORM_SDKS | {"bot", "handlers"},
}


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layer_imports_only_what_lies_below(package):
    """handlers/ and storage/ import no platform SDK and nothing from the layers above them."""
    offenders = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / package).rglob("*.py")
        for name in _imports(path)
        if name in FORBIDDEN[package]
    }
    assert not offenders


def test_the_check_itself_sees_imports(tmp_path):
    """The parser finds both import forms, so the boundary test cannot pass by seeing nothing."""
    sample = tmp_path / "sample.py"
    sample.write_text("import slack_sdk.web\nfrom discord import Client\nfrom . import sibling\n")
    assert list(_imports(sample)) == ["slack_sdk", "discord"]
