"""The project's one error tree. Every error the bot raises on purpose derives from RmoBotError."""

from __future__ import annotations

__all__ = [
    "DataFileError",
    "DataFileErrors",
    "RmoBotError",
    "SchemaError",
    "StoreError",
    "StoreLockedError",
]


class RmoBotError(Exception):
    """Root of every error rmo-bot raises on purpose."""


class StoreError(RmoBotError, OSError):
    """The data directory cannot be used."""


class StoreLockedError(StoreError, BlockingIOError):
    """Another rmo-bot process holds the data directory."""


class SchemaError(StoreError):
    """The data directory was written by an incompatible version."""


class DataFileError(RmoBotError, ValueError):
    """A data file (events, blocks, FAQ …) is malformed; the message names the file, line and field."""

    def __init__(self, path: str, line: int | None, field: str, problem: str) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.problem = problem
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {field}: {problem}")


class DataFileErrors(DataFileError):
    """Several entries of a data file are malformed: each is named, one a line; nothing was imported."""

    def __init__(self, problems: list[DataFileError]) -> None:
        first = problems[0]
        super().__init__(first.path, first.line, first.field, first.problem)
        self.problems = tuple(problems)
        listing = "\n".join(f"  {problem}" for problem in problems)
        self.args = (f"{first.path}: {len(problems)} problems, nothing was imported:\n{listing}",)
