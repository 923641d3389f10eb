"""A real headless Chromium (Debian's `chromium`) for looking at pages as members do: installed on first use
when missing (as the Mailman tests install Mailman), driven over the DevTools protocol on loopback.

`Browser.look(url, width)` loads a page at a window width and returns its text, whether it scrolls
sideways, and a PNG screenshot of it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fcntl
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import aiohttp

from tests.botproc import free_port

__all__ = ["Browser", "Look", "ensure_chromium"]


def _has_japanese_font() -> bool:
    listed = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True, check=False)
    return bool(listed.stdout.strip())


def ensure_chromium() -> str:
    """The path of Chromium, installing Debian's package (and a Japanese font, without which a screenshot
    shows boxes) first if either is not there."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found and shutil.which("fc-list") and _has_japanese_font():
        return found
    lock = Path(tempfile.gettempdir()) / "rmo-chromium-install.lock"
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        found = shutil.which("chromium")
        if found and _has_japanese_font():
            return found
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = [
            *sudo,
            "apt-get",
            "install",
            "-y",
            "-q",
            "--no-install-recommends",
            "chromium",
            "fonts-ipafont-gothic",
        ]
        if subprocess.run(install, capture_output=True, env=env, check=False).returncode != 0:
            subprocess.run([*sudo, "apt-get", "update", "-q"], capture_output=True, env=env, check=True)
            subprocess.run(install, capture_output=True, env=env, check=True)
    found = shutil.which("chromium")
    if not found:
        msg = "chromium could not be installed"
        raise RuntimeError(msg)
    return found


@dataclass(frozen=True, slots=True)
class Look:
    text: str
    scrolls_sideways: bool
    png: bytes


class Browser:
    """One headless Chromium for a test; `async with Browser() as browser`."""

    def __init__(self) -> None:
        self._proc: asyncio.subprocess.Process | None = None
        self._profile = tempfile.TemporaryDirectory(ignore_cleanup_errors=True)
        self._port = free_port()
        self._ids = itertools.count(1)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        chromium = await asyncio.to_thread(ensure_chromium)
        self._proc = await asyncio.create_subprocess_exec(
            chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
            f"--remote-debugging-port={self._port}", "--remote-debugging-address=127.0.0.1",
            f"--user-data-dir={self._profile.name}", "about:blank",
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        self._session = aiohttp.ClientSession()
        deadline = time.monotonic() + 60
        while True:
            try:
                async with self._session.get(f"http://127.0.0.1:{self._port}/json/version") as response:
                    await response.json()
                break
            except aiohttp.ClientError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
        if self._proc is not None and self._proc.returncode is None:
            # Chromium's helpers are its children: end the whole group, so none outlives the test.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(self._proc.wait(), timeout=10)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self._proc.pid, signal.SIGKILL)
                await self._proc.wait()
        self._profile.cleanup()

    async def look(self, url: str, width: int, height: int = 900, *, full_page: bool = True) -> Look:
        assert self._session is not None
        async with self._session.put(f"http://127.0.0.1:{self._port}/json/new?about:blank") as response:
            target = await response.json()
        async with self._session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:

            async def call(method: str, **params: Any) -> dict[str, Any]:
                number = next(self._ids)
                await ws.send_json({"id": number, "method": method, "params": params})
                while True:
                    message = json.loads((await ws.receive()).data)
                    if message.get("id") == number:
                        if "error" in message:
                            raise RuntimeError(f"{method}: {message['error']}")
                        return dict(message.get("result", {}))

            await call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                       mobile=width < 600)  # fmt: skip
            await call("Page.enable")
            await call("Page.navigate", url=url)
            deadline = time.monotonic() + 30
            while (await call("Runtime.evaluate", expression="document.readyState", returnByValue=True))["result"][
                "value"
            ] != "complete":
                if time.monotonic() > deadline:
                    msg = f"{url} did not finish loading"
                    raise RuntimeError(msg)
                await asyncio.sleep(0.1)
            text = (await call("Runtime.evaluate", expression="document.body.innerText", returnByValue=True))["result"]
            wide = await call(
                "Runtime.evaluate", returnByValue=True,
                expression="document.documentElement.scrollWidth > window.innerWidth",
            )  # fmt: skip
            shot = await call("Page.captureScreenshot", format="png", captureBeyondViewport=full_page)
        async with self._session.get(f"http://127.0.0.1:{self._port}/json/close/{target['id']}"):
            pass
        return Look(str(text["value"]), bool(wide["result"]["value"]), base64.b64decode(shot["data"]))
