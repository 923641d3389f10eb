"""Imports run one way: bot -> handlers -> storage, and no platform SDK below bot/; handlers reach the store's
repositories only through the ports in handlers/ports.py, which the store's repositories satisfy."""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import pkgutil
import typing

import pytest

from handlers import ports
from handlers.ports import (
    AnnouncementRepository,
    ConversationRepository,
    EventRepository,
    KnowledgeRepository,
    OutboxRepository,
    ProposalRepository,
    QuarantineRepository,
    ReminderRepository,
    SubscriberRepository,
    UnansweredRepository,
)
from storage.store import Store
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


# Which of the store's repositories stands behind each port (bot/core.py hands them over like this).
PORTS = {
    "knowledge": KnowledgeRepository,
    "events": EventRepository,
    "unanswered": UnansweredRepository,
    "announcements": AnnouncementRepository,
    "outbox": OutboxRepository,
    "quarantine": QuarantineRepository,
    "reminders": ReminderRepository,
    "subscribers": SubscriberRepository,
    "proposals": ProposalRepository,
    "conversations": ConversationRepository,
}


def _storage_classes():
    """Every class defined in a module of storage/, by name (some of the store's are imported on first use)."""
    import storage

    found = {}
    for info in pkgutil.walk_packages(storage.__path__, "storage."):
        module = importlib.import_module(info.name)
        found.update({name: value for name, value in vars(module).items() if isinstance(value, type)})
    return found


def _store_repositories():
    """The classes the store hands out, by attribute name: what handlers may reach only through a port."""
    classes = _storage_classes()
    return {
        name: typing.get_type_hints(member.func, localns=classes)["return"]
        for name, member in vars(Store).items()
        if isinstance(member, functools.cached_property)
    }


def _concrete_imports(path, concrete):
    """Each import in a file of a concrete store class, or of a whole module that defines one."""
    names = {cls.__name__ for cls in concrete}
    modules = {cls.__module__ for cls in concrete}
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if node.module.split(".")[0] == "storage" and (
                    alias.name in names or f"{node.module}.{alias.name}" in modules
                ):
                    yield f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in modules)


def test_handlers_name_no_concrete_repository():
    """No module in handlers/ imports the store or one of its repository classes: they type against ports."""
    concrete = {Store, *_store_repositories().values()}
    assert {"TinyEventRepository", "Outbox", "Quarantine", "Subscribers", "Reminders"} <= {c.__name__ for c in concrete}
    offenders = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / "handlers").rglob("*.py")
        for name in _concrete_imports(path, concrete)
    }
    assert not offenders


def test_the_concrete_import_check_sees_them(tmp_path):
    """The check flags a concrete repository imported by name or by module, and lets a record through."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from storage.outbox import Outbox\nfrom storage.reminders import Reminder\nimport storage.quarantine\n"
        "from storage import subscribers\nif True:\n    from storage.events import TinyEventRepository\n"
    )
    concrete = {Store, *_store_repositories().values()}
    assert sorted(_concrete_imports(sample, concrete)) == [
        "storage.events.TinyEventRepository", "storage.outbox.Outbox", "storage.quarantine", "storage.subscribers",
    ]  # fmt: skip


def _port_methods(port):
    return sorted(
        name for name, member in vars(port).items() if inspect.isfunction(member) and not name.startswith("_")
    )


def _parameters(function):
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


def test_every_repository_port_is_satisfied_by_the_store():
    """Each repository port has a store repository behind it with every method the port names, taking the
    same parameters (mypy checks the types where bot/core.py wires them)."""
    declared = {name for name, value in vars(ports).items() if name.endswith("Repository") and isinstance(value, type)}
    assert declared == {port.__name__ for port in PORTS.values()}
    repositories = _store_repositories()
    for attribute, port in PORTS.items():
        repository = repositories[attribute]
        assert _port_methods(port)
        for method in _port_methods(port):
            assert hasattr(repository, method), f"{repository.__name__} lacks {port.__name__}.{method}"
            assert _parameters(getattr(repository, method)) == _parameters(getattr(port, method)), method


def test_the_processes_tests_start_are_kept_off_the_network():
    """A Python started the way the tests start the bot has its sockets limited to loopback."""
    import os
    import subprocess
    import sys

    from tests.helpers import child_pythonpath

    # The guard is checked before the connect, so a missing guard ends the child before any traffic.
    script = (
        "import socket\nassert socket.socket.connect.__name__ == 'guarded', 'no guard'\n"
        "socket.socket().connect(('10.255.255.1', 9))\n"
    )
    env = {**os.environ, "PYTHONPATH": child_pythonpath()}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
    assert "tests must not reach the network" in result.stderr
