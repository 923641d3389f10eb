"""How a name is read (in katakana), for names written with the wrong kanji of the same reading (近紀 for
近畿, 村神 for 村上): SudachiPy's small dictionary, loaded when such a name is first met (about 0.1 s once),
or by `rmo-bot run` before its event loop starts (SudachiPy holds the interpreter while it loads, so a
worker thread loading it would stall the loop all the same), so that no question pays for it there."""

from __future__ import annotations

import functools
import logging
from typing import Any

__all__ = ["load_dictionary", "reading"]

_log = logging.getLogger(__name__)


@functools.cache
def _tokenizer() -> Any:  # noqa: ANN401 - SudachiPy's tokenizer (the package ships no types)
    try:
        from sudachipy import Dictionary  # type: ignore[import-untyped]  # noqa: PLC0415 - on first use only
    except ImportError:
        _log.warning("SudachiPy is not installed: names are matched by their spelling only")
        return None
    return Dictionary(dict="small").tokenizer()


def load_dictionary() -> None:
    """Load the dictionary now (`rmo-bot run` does, before its loop starts) rather than at the first such name."""
    _tokenizer()


@functools.lru_cache(maxsize=4096)
def reading(word: str) -> str:
    """The reading of `word` in katakana ("" when no dictionary can be loaded)."""
    tokenizer = _tokenizer()
    if tokenizer is None:
        return ""
    try:
        return "".join(str(m.reading_form()) for m in tokenizer.tokenize(word))
    except Exception:  # noqa: BLE001 - a reading is a help, never a reason for a question to fail
        _log.warning("could not read %r", word, exc_info=True)
        return ""
