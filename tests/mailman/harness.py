"""A real GNU Mailman 3 on loopback, for acceptance tests of the mail intake.

Mailman lives in a virtualenv of its own (``.mailman-venv`` at the repository
root, git-ignored), made on first use by :func:`ensure_venv`.  :class:`Mailman`
runs one throw-away instance in a temporary directory: SQLite, no MTA
integration (``NullMTA``), LMTP and REST on free loopback ports, and all
outgoing mail sent by SMTP to the one host and port the test names (the
intake, or a sink standing in for it).  Leaving the ``with`` block stops
Mailman and makes sure none of its processes outlive the test.

Only the standard library is used here, so the harness runs in the project's
own virtualenv; Mailman is driven through its command line, its REST API and
LMTP, never imported.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from base64 import b64encode
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parseaddr
from pathlib import Path
from typing import Any, Self

ROOT = Path(__file__).parents[2]
DEFAULT_VENV = ROOT / ".mailman-venv"

# The set that was installed and proven together (Python 3.11, 2026-11): the
# issue's `pip install mailman 'sqlalchemy>=2.0,<2.1'`, resolved, then frozen.
# Mailman 3.3.10 (2024) sets no upper bounds, so a new falcon, click, gunicorn
# or SQLAlchemy 2.1 could otherwise break the test overnight.
MAILMAN_REQUIREMENTS = (
    "mailman==3.3.10",
    "SQLAlchemy==2.0.58",
    "aiosmtpd==1.4.6",
    "alembic==1.20.1",
    "atpublic==9.0.0",
    "authheaders==0.16.3",
    "authres==1.2.0",
    "click==8.5.1",
    "dnspython==2.9.2",
    "falcon==4.4.0",
    "flufl.bounce==6.0.0",
    "flufl.i18n==8.0.0",
    "flufl.lock==10.0.0",
    "gunicorn==27.0.1",
    "lazr.config==4.0.0",
    "lazr.delegates==4.0.0",
    "passlib==1.7.4",
    "python-dateutil==4.0.0",
    "requests==2.34.2",
    "zope.component==7.1",
    "zope.configuration==7.1",
    "zope.event==6.2",
    "zope.interface==8.7",
)

# Runners a list needs to take a post in and send it out: lmtp -> in ->
# pipeline -> out, plus rest for the API and virgin for Mailman's own notices.
# The others (archive, bounces, command, digest, retry, task) are not started:
# fewer Python processes start faster on a small machine.
IDLE_RUNNERS = ("archive", "bounces", "command", "digest", "retry", "task")
# Queue runners sleep this long when their queue is empty (Mailman's default
# is 1 s per hop, three hops from LMTP to SMTP).
QUEUE_SLEEP = "0.1s"

# Mailman's own gunicorn.cfg, plus: no control socket.  gunicorn >= 25.1 opens
# one at $XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl, a path outside the
# instance that two instances would share.  Mailman passes on only the keys
# the installed gunicorn knows, so older ones ignore the line.
GUNICORN_CFG = """\
[gunicorn]
graceful_timeout = 30
timeout = 360
control_socket_disable = true
"""

ADMIN_USER = "restadmin"
ADMIN_PASS = "restpass"  # loopback only, one throw-away instance


class MailmanError(RuntimeError):
    """Mailman could not be installed, started or driven."""


def ensure_venv(path: Path = DEFAULT_VENV) -> Path:
    """Make (once) a virtualenv at ``path`` with Mailman in it; return its ``mailman`` executable.

    Idempotent: an existing ``bin/mailman`` is reused as it is.  A lock file
    keeps two test processes from building it at once, and a half-built one is
    removed so that the next call starts afresh.
    """
    mailman = path / "bin" / "mailman"
    if mailman.exists():
        return mailman
    path.parent.mkdir(parents=True, exist_ok=True)
    # The lock lives in the temporary directory, keyed by the virtualenv's path,
    # so that the work tree gains no stray file.
    lock_file = Path(tempfile.gettempdir()) / f"mailman-venv-{hashlib.sha256(str(path).encode()).hexdigest()[:16]}.lock"
    with lock_file.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if mailman.exists():  # built by another process while we waited
            return mailman
        shutil.rmtree(path, ignore_errors=True)
        try:
            _run([sys.executable, "-m", "venv", str(path)], "creating the Mailman virtualenv")
            _run(
                [str(path / "bin" / "python"), "-m", "pip", "install", "--quiet", *MAILMAN_REQUIREMENTS],
                "installing Mailman",
            )
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        if not mailman.exists():
            msg = f"installing Mailman left no {mailman}"
            raise MailmanError(msg)
    return mailman


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        msg = f"{what} failed ({done.returncode}): {' '.join(argv)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        raise MailmanError(msg)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class Mailman:
    """One Mailman 3 instance on loopback that delivers every list message to ``smtp_host:smtp_port``.

    >>> with Mailman("127.0.0.1", sink_port) as mm:
    ...     mm.create_list("announce@lists.example.org", "RMO Announce", posters=["jimukyoku@example.org"])
    ...     mm.subscribe("announce@lists.example.org", "bot@intake.example.org")
    ...     mm.post(raw_message)
    """

    def __init__(
        self,
        smtp_host: str,
        smtp_port: int,
        *,
        mailman: Path | None = None,
        workdir: Path | None = None,
        startup_timeout: float = 60.0,
        host: str = "127.0.0.1",
    ) -> None:
        self.smtp_host = smtp_host
        self.smtp_port = smtp_port
        self.host = host
        self.startup_timeout = startup_timeout
        self._mailman = mailman
        self._workdir_arg = workdir
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.workdir = Path()
        self.lmtp_port = 0
        self.rest_port = 0
        self.master_pid: int | None = None
        self.startup_seconds = 0.0

    # -- paths ---------------------------------------------------------------

    @property
    def config_file(self) -> Path:
        return self.workdir / "mailman.cfg"

    @property
    def gunicorn_file(self) -> Path:
        return self.workdir / "gunicorn.cfg"

    @property
    def var_dir(self) -> Path:
        return self.workdir / "var"

    @property
    def rest_url(self) -> str:
        return f"http://{self.host}:{self.rest_port}/3.1"

    # -- life cycle ----------------------------------------------------------

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        mailman = self._mailman or ensure_venv()
        self._mailman = mailman
        if self._workdir_arg is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="mailman-harness-")
            self.workdir = Path(self._tmp.name)
        else:
            self.workdir = self._workdir_arg
            self.workdir.mkdir(parents=True, exist_ok=True)
        self.lmtp_port = free_port(self.host)
        self.rest_port = free_port(self.host)
        self.config_file.write_text(self._config_text(), encoding="utf-8")
        self.gunicorn_file.write_text(GUNICORN_CFG, encoding="utf-8")
        began = time.monotonic()
        try:
            self._mailman_command("start")
            self._wait_until_ready(began + self.startup_timeout)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began

    def stop(self) -> None:
        """Stop Mailman; whatever is still running after a grace period is killed."""
        if not self.workdir.parts or not self.config_file.exists():
            return
        self._read_master_pid()
        if self.master_pid is not None and _alive(self.master_pid):
            # The master passes SIGTERM on to its runners and waits for them.
            with contextlib.suppress(MailmanError, subprocess.TimeoutExpired):
                self._mailman_command("stop", timeout=30)
        else:
            # No master (it died, or never got so far): stop the orphans directly.
            for pid in self._our_pids():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while self._our_pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        for _ in range(3):
            left = self._our_pids()
            if not left:
                break
            if self.master_pid is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.master_pid, signal.SIGKILL)
            for pid in left:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.2)
        if self._our_pids():
            msg = f"Mailman processes survived SIGKILL: {self._our_pids()}"
            raise MailmanError(msg)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def _config_text(self) -> str:
        runners = "".join(f"[runner.{name}]\nstart: no\n\n" for name in IDLE_RUNNERS)
        runners += "".join(
            f"[runner.{name}]\nsleep_time: {QUEUE_SLEEP}\n\n" for name in ("in", "pipeline", "out", "virgin")
        )
        return f"""\
# Written by tests/mailman/harness.py for one test run.
[mailman]
layout: harness
site_owner: postmaster@{self.host}

[paths.harness]
var_dir: {self.var_dir}

[database]
class: mailman.database.sqlite.SQLiteDatabase
url: sqlite:///$DATA_DIR/mailman.db

[mta]
incoming: mailman.mta.null.NullMTA
outgoing: mailman.mta.deliver.deliver
smtp_host: {self.smtp_host}
smtp_port: {self.smtp_port}
smtp_secure_mode: smtp
lmtp_host: {self.host}
lmtp_port: {self.lmtp_port}

[webservice]
hostname: {self.host}
port: {self.rest_port}
admin_user: {ADMIN_USER}
admin_pass: {ADMIN_PASS}
workers: 1
configuration: {self.gunicorn_file}

{runners}"""

    def _mailman_command(self, *args: str, timeout: float = 60) -> None:
        argv = [str(self._mailman)]
        if os.geteuid() == 0:
            argv.append("--run-as-root")
        argv += ["-C", str(self.config_file), *args]
        # The master inherits the output of `mailman start`: send it to a file,
        # since a pipe would stay open for as long as Mailman runs.
        with (self.workdir / f"mailman-{args[0]}.out").open("ab") as out:
            done = subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                cwd=self.workdir,
                check=False,
            )
        if done.returncode != 0:
            msg = f"`mailman {' '.join(args)}` exited {done.returncode}\n{self.log_tail()}"
            raise MailmanError(msg)

    def _wait_until_ready(self, deadline: float) -> None:
        """Poll until the REST API answers and LMTP accepts connections."""
        rest_ok = lmtp_ok = False
        last_error: object = None
        while time.monotonic() < deadline:
            self._read_master_pid()
            if self.master_pid is not None and not _alive(self.master_pid):
                msg = f"Mailman's master process {self.master_pid} died during startup\n{self.log_tail()}"
                raise MailmanError(msg)
            if not rest_ok:
                try:
                    self.rest("GET", "system/versions", timeout=2)
                    rest_ok = True
                except (OSError, MailmanError) as error:
                    last_error = error
            if rest_ok and not lmtp_ok:
                try:
                    with smtplib.LMTP(self.host, self.lmtp_port, timeout=2) as lmtp:
                        lmtp.noop()
                    lmtp_ok = True
                except OSError as error:
                    last_error = error
            if rest_ok and lmtp_ok:
                return
            time.sleep(0.1)
        msg = (
            f"Mailman did not answer within {self.startup_timeout:.0f} s "
            f"(REST {'up' if rest_ok else 'down'}, LMTP {'up' if lmtp_ok else 'down'}; last error: {last_error!r})\n"
            f"{self.log_tail()}"
        )
        raise MailmanError(msg)

    def _read_master_pid(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.master_pid = int((self.var_dir / "master.pid").read_text().strip())

    def running_pids(self) -> list[int]:
        """Every live process of this instance; empty once :meth:`stop` has returned."""
        return self._our_pids()

    def _our_pids(self) -> list[int]:
        """Every live process of this instance: its session (the master calls setsid) or its config file."""
        ours = []
        marker = str(self.config_file).encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            try:
                cmdline = (entry / "cmdline").read_bytes()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if state[0] == "Z":  # a zombie is gone already; its parent reaps it
                continue
            in_session = self.master_pid is not None and int(state[3]) == self.master_pid
            if in_session or marker in cmdline:
                ours.append(pid)
        return ours

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of Mailman's own logs, for failure messages."""
        parts = []
        files = sorted(self.workdir.glob("mailman-*.out"))
        if (self.var_dir / "logs").is_dir():
            files += sorted((self.var_dir / "logs").glob("*.log"))
        for path in files:
            with contextlib.suppress(OSError):
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()
                if text:
                    parts.append(f"--- {path.name} (last {min(lines, len(text))} lines)\n" + "\n".join(text[-lines:]))
        return "\n".join(parts) or "(no Mailman logs)"

    # -- REST ----------------------------------------------------------------

    def rest(self, method: str, path: str, data: dict[str, Any] | None = None, *, timeout: float = 30) -> Any:
        """Call Mailman's REST API; ``data`` is sent form-encoded, as mailmanclient does."""
        url = path if path.startswith("http") else f"{self.rest_url}/{path.lstrip('/')}"
        body = None
        headers = {"Authorization": "Basic " + b64encode(f"{ADMIN_USER}:{ADMIN_PASS}".encode()).decode()}
        if data is not None:
            body = urllib.parse.urlencode({k: _form_value(v) for k, v in data.items()}, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                payload = response.read()
                location = response.headers.get("Location")
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")
            msg = f"{method} {url} -> {error.code}: {detail}"
            raise MailmanError(msg) from None
        if payload:
            return json.loads(payload)
        return location

    def create_domain(self, mail_host: str) -> None:
        try:
            self.rest("GET", f"domains/{mail_host}")
        except MailmanError:
            self.rest("POST", "domains", {"mail_host": mail_host})

    def create_list(
        self,
        fqdn_listname: str,
        display_name: str,
        *,
        style: str = "legacy-announce",
        posters: tuple[str, ...] | list[str] = (),
        **attrs: Any,
    ) -> str:
        """Create an announce list and return its list-id (``name.domain``).

        ``legacy-announce`` is Mailman's announce-only style.  On top of it:
        members' own posts are held (only ``posters`` may post), ``posters``
        are nonmembers whose posts are accepted without moderation, and Mailman
        sends no mail of its own (welcome, goodbye, "your post is held", owner
        notices), so the only mail leaving it is list traffic.  The subject
        prefix follows the display name (Mailman computes it from the name the
        list is created with, and does not update it).  ``attrs`` are further
        list settings, applied last.
        """
        self.create_domain(fqdn_listname.rpartition("@")[2])
        self.rest("POST", "lists", {"fqdn_listname": fqdn_listname, "style_name": style})
        list_id = self.list_id(fqdn_listname)
        settings: dict[str, Any] = {
            "display_name": display_name,
            "subject_prefix": f"[{display_name}] ",
            "default_member_action": "hold",
            "default_nonmember_action": "hold",
            "send_welcome_message": False,
            "send_goodbye_message": False,
            "admin_immed_notify": False,
            "respond_to_post_requests": False,
        }
        settings.update(attrs)
        self.set_list_attributes(list_id, **settings)
        for poster in posters:
            self.allow_poster(list_id, poster)
        return list_id

    def list_id(self, mlist: str) -> str:
        return str(self.rest("GET", f"lists/{mlist}")["list_id"])

    def set_list_attributes(self, mlist: str, **attrs: Any) -> None:
        """PATCH ``/lists/{id}/config``; names are those of ``GET /3.1/lists/{id}/config``."""
        if attrs:
            self.rest("PATCH", f"lists/{mlist}/config", attrs)

    def list_config(self, mlist: str) -> dict[str, Any]:
        return dict(self.rest("GET", f"lists/{mlist}/config"))

    def subscribe(self, mlist: str, address: str, display_name: str = "") -> str:
        """Subscribe ``address`` as a regular member, verified, confirmed and approved, delivery on."""
        location = self.rest(
            "POST",
            "members",
            {
                "list_id": self.list_id(mlist),
                "subscriber": address,
                "display_name": display_name,
                "pre_verified": True,
                "pre_confirmed": True,
                "pre_approved": True,
                "send_welcome_message": False,
                "delivery_mode": "regular",
                "delivery_status": "enabled",
            },
        )
        return str(location)

    def allow_poster(self, mlist: str, address: str) -> None:
        """Let ``address`` post to the list unmoderated: a nonmember whose moderation action is ``accept``."""
        list_id = self.list_id(mlist)
        found = self.rest("POST", "members/find", {"list_id": list_id, "subscriber": address, "role": "nonmember"})
        entries = found.get("entries", []) if isinstance(found, dict) else []
        if entries:
            member = entries[0]["self_link"]
        else:
            member = self.rest("POST", "members", {"list_id": list_id, "subscriber": address, "role": "nonmember"})
        self.rest("PATCH", member, {"moderation_action": "accept"})

    def set_template(self, mlist: str, name: str, text: str) -> None:
        """Override one of the list's templates, e.g. ``list:member:regular:footer``, with ``text``.

        The text is written to a file in the instance's directory and the list's
        template URI pointed at it (``PATCH /lists/{id}/uris``, ``file:`` URL).
        Mailman caches template contents, so set it before the first post.
        """
        list_id = self.list_id(mlist)
        path = self.workdir / "templates" / list_id / f"{name.replace(':', '_')}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.rest("PATCH", f"lists/{list_id}/uris", {name: path.as_uri()})

    def held(self, mlist: str) -> list[dict[str, Any]]:
        """Messages held for moderation (a post that never arrives is often here)."""
        return list(self.rest("GET", f"lists/{mlist}/held").get("entries", []))

    # -- mail in -------------------------------------------------------------

    def post(self, raw: bytes, recipient: str | None = None, sender: str | None = None) -> None:
        """Hand ``raw`` to Mailman by LMTP, as an MTA would.

        ``recipient`` defaults to the message's To: address (the list's posting
        address) and ``sender`` (the envelope MAIL FROM) to its From: address.
        """
        headers = BytesHeaderParser().parsebytes(raw)
        if recipient is None:
            recipient = getaddresses([str(headers.get("To", ""))])[0][1]
        if sender is None:
            sender = parseaddr(str(headers.get("From", "")))[1]
        with smtplib.LMTP(self.host, self.lmtp_port, timeout=30) as lmtp:
            refused = lmtp.sendmail(sender, [recipient], raw)
        if refused:
            msg = f"Mailman refused {recipient}: {refused}"
            raise MailmanError(msg)


def _form_value(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
