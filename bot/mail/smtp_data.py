"""A message's DATA read in the pieces the connection delivers, not a line at a time.

aiosmtpd 1.4 reads DATA line by line (`readuntil(b"\\r\\n")`, a bytearray for each line), then strips the
leading dots and joins the lines, all on the event loop: a 10 MB post is some 175,000 lines, and the last
two steps alone held the loop for 15 to 30 ms at a stretch. Here each read takes everything up to the end
marker that the connection has buffered (`readuntil` of CRLF "." CRLF; a `LimitOverrunError` hands over the
part that cannot hold the marker), and every step on a piece is one call into C: finding the marker,
measuring the lines, undoing the dot-stuffing. The outcome is the same as aiosmtpd's: the same bytes, the
same 552 for a message over the size limit and 500 for a line over the line limit, each read to its end
first (RFC 5321 4.2.5), and nothing read past the end marker.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

__all__ = ["TOO_BIG", "TOO_LONG", "read_data"]

TOO_BIG = "552 Error: Too much mail data"
TOO_LONG = "500 Line too long (see RFC5321 4.5.3.1.6)"
_END = b"\r\n.\r\n"
_LAST_LINE = b".\r\n"


@dataclass(slots=True)
class _Pieces:
    """What has been read so far, and the state a piece's check needs from the pieces before it."""

    size_limit: int | None
    line_limit: int
    parts: list[bytes]
    size: int = 0
    line: int = 0  # the length so far of the line the last piece ended in (its CRLF not yet read)
    tail: bytes = b"\r\n"  # the last two bytes read (the start of DATA counts as a line start)
    error: str | None = None

    def add(self, piece: bytes) -> None:
        """Check and keep one piece of the message, dot-stuffing undone."""
        self.size += len(piece)
        if self.error is None and self.size_limit and self.size > self.size_limit:
            self.error = TOO_BIG
        # A CR that ended the last piece is counted again here, so a CRLF across two pieces is seen.
        carried = self.tail.endswith(b"\r")
        lines = (b"\r" + piece if carried else piece).split(b"\r\n")
        before = self.line - carried
        longest = max([before + len(lines[0]), *map(len, lines[1:])])
        self.line = len(lines[-1]) + (before if len(lines) == 1 else 0)
        if self.error is None and longest + 2 > self.line_limit:
            self.error = TOO_LONG
        work = self.tail + piece
        if self.error is None:
            self.parts.append(work.replace(b"\r\n.", b"\r\n")[len(self.tail) :])
        else:
            self.parts.clear()  # nothing more is kept: the message is refused once its end has come
        self.tail = work[-2:]


async def read_data(reader: asyncio.StreamReader, *, size_limit: int | None, line_limit: int) -> bytes | str | None:
    """The message sent after the 354, up to its end marker; or the reply refusing it (552, 500); or None
    when the connection ended first."""
    pieces = _Pieces(size_limit, line_limit, [])
    try:
        while True:
            if pieces.tail.endswith(b"\r"):  # a CR, and maybe the CRLF of a line the end marker follows
                pieces.add(await reader.readexactly(1))
            elif pieces.tail == b"\r\n":
                # At a line start the end marker's CRLF is read already: is this line the lone dot?
                first = await reader.readexactly(1)
                if first == b".":
                    rest = await reader.readexactly(2)
                    if rest == b"\r\n":
                        break
                    first += rest
                pieces.add(first)
            else:
                try:
                    piece = await reader.readuntil(_END)
                except asyncio.LimitOverrunError as exc:
                    # More is buffered than the reader's limit, with no end marker in it (or only past the
                    # limit): take what cannot be part of a marker.
                    pieces.add(await reader.read(exc.consumed))
                    continue
                pieces.add(piece[: -len(_LAST_LINE)])  # the end marker's CRLF ends the last line
                break
    except asyncio.IncompleteReadError:
        return None
    if pieces.error is not None:
        return pieces.error
    return b"".join(pieces.parts)
