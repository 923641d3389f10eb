"""Writing a data set back out as a data file: `rmo-bot export`, which `rmo-bot import` reads unchanged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import tomli_w

if TYPE_CHECKING:
    from storage.datafile import DataSet

__all__ = ["dump_dataset"]


def _clean(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v not in (None, "", (), [])}


def dump_dataset(data: DataSet) -> str:
    """The data file form of a data set: `import` of the result changes nothing."""
    out: dict[str, Any] = {}
    if data.network:
        n = data.network
        network = _clean({name: getattr(n, name) for name in n.__dataclass_fields__ if name != "channels"})
        network = {k: list(v) if isinstance(v, tuple) else v for k, v in network.items()}
        if n.channels:
            network["channels"] = [_clean({k: getattr(c, k) for k in c.__dataclass_fields__}) for c in n.channels]
        out["network"] = network
    for section, rows in (
        ("blocks", data.blocks),
        ("officers", data.officers),
        ("members", data.members),
        ("faq", data.faq),
    ):
        if rows is not None:
            out[section] = [
                {
                    k: list(v) if isinstance(v, tuple) else v
                    for k, v in _clean({f: getattr(r, f) for f in r.__dataclass_fields__}).items()
                }
                for r in rows
            ]
    if data.events is not None:
        out["events"] = []
        for e in data.events:
            row = _clean({
                "id": e.id, "kind": e.kind, "block": e.block, "title": e.title, "title_en": e.title_en,
                "starts_at": e.starts_at, "ends_at": e.ends_at,
                "venue": _clean(e.venue.to_doc()) if e.venue else None,
                "registration_url": e.registration_url, "registration_deadline": e.registration_deadline,
                "status": e.status, "source": e.source if e.source != "import" else None,
                "announcement_id": e.announcement_id,
            })  # fmt: skip
            out["events"].append(row)
    return tomli_w.dumps(out, multiline_strings=True)
