"""TinyDB documents replaced whole, matched by a record's natural key, in one table write."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, MutableMapping

__all__ = ["natural_key", "replacer"]


def natural_key(doc: Mapping[str, Any], key: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(doc.get(k) for k in key)


def replacer(
    key: tuple[str, ...], by_key: dict[tuple[Any, ...], dict[str, Any]]
) -> Callable[[MutableMapping[Any, Any]], None]:
    """A TinyDB update operation that swaps each document's whole content, in one table write."""

    def replace(doc: MutableMapping[Any, Any]) -> None:
        new = by_key[natural_key(doc, key)]
        doc.clear()
        doc.update(new)

    return replace
