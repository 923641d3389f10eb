"""Child process for the commit-point test: sends one message with bot/mail/transaction.py's `transmit` and
kills itself with SIGKILL right after the final dot was handed over, the first instant a kill can come after
the journal line. A message that counts as sent must then reach the server whole.

Arguments: the server's port and the message's size in bytes. The socket's send buffer is made small, so that
it is full when the last of the message leaves the process, as on a slow link.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

from bot.mail.transaction import open_link, transmit


async def main(port: int, size: int) -> None:
    link = await open_link("127.0.0.1", port, starttls=False, username="", password="")
    sock = link.smtp.transport.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    message = b"Subject: big\r\n\r\n" + b"x" * 76 + b"\r\n" + (b"y" * 998 + b"\r\n") * (size // 1000)

    def commit() -> None:
        print("C", flush=True)
        # Runs before anything else this loop does after the dot was written: the tightest kill there is.
        asyncio.get_running_loop().call_soon(os.kill, os.getpid(), signal.SIGKILL)

    await transmit(link, "rmo-bot@localhost", "member@example.jp", message, commit)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
