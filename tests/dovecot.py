"""A real Dovecot IMAP server (Debian's `dovecot-imapd`) on loopback, with its own configuration, users and
maildirs in a temporary directory: installed on first use when missing (as the Mailman tests install Mailman).

`Dovecot(directory, password=...)` writes the configuration; `start()` runs `dovecot -F -c CONFIG` as a child,
`stop()` ends it, and `append()` delivers a message with IMAP APPEND, as the list server's mail would arrive.
"""

from __future__ import annotations

import contextlib
import fcntl
import imaplib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.botproc import free_port

__all__ = ["USER", "Dovecot", "ensure_dovecot"]

USER = "rmo-bot"


def _found() -> str | None:
    sbin = Path("/usr/sbin/dovecot")
    return shutil.which("dovecot") or (str(sbin) if sbin.exists() else None)


def ensure_dovecot() -> str:
    """The path of the dovecot binary, installing Debian's `dovecot-imapd` first when it is missing."""
    found = _found()
    if found:
        return found
    lock = Path(tempfile.gettempdir()) / "rmo-dovecot-install.lock"
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = [*sudo, "apt-get", "install", "-y", "-q", "--no-install-recommends", "dovecot-imapd"]
        if not _found() and subprocess.run(install, capture_output=True, env=env, check=False).returncode != 0:
            subprocess.run([*sudo, "apt-get", "update", "-q"], capture_output=True, env=env, check=True)
            subprocess.run(install, capture_output=True, env=env, check=True)
    found = _found()
    if not found:
        msg = "dovecot could not be installed"
        raise RuntimeError(msg)
    return found


# What Dovecot 2.3 offers after login, less IDLE and MOVE: a server the intake must poll and COPY from.
_PLAIN_CAPABILITIES = (
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ SORT THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN "
    "NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 ESEARCH SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY"
)


def _config(root: Path, run: Path, mail: Path, port: int, ssl_port: int, *, tls: bool, idle: bool) -> str:
    uid, gid = mail.stat().st_uid, mail.stat().st_gid
    # Non-root: every Dovecot process runs as us. Root: the package's own unprivileged users.
    # Root: the passwd file stays in a private temporary directory, so authentication runs as root too.
    name = pwd.getpwuid(os.getuid()).pw_name
    users = (
        "service auth {\n  user = root\n}\nservice auth-worker {\n  user = root\n}\n"
        if os.getuid() == 0
        else f"default_internal_user = {name}\ndefault_login_user = {name}\n"
    )
    ssl = f"ssl = yes\nssl_cert = <{root}/cert.pem\nssl_key = <{root}/key.pem\n" if tls else "ssl = no\n"
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {run}
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
{users}first_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{mail}/%u
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mailbox_idle_check_interval = 1 secs
{"" if idle else f"imap_capability = {_PLAIN_CAPABILITIES}"}
{ssl}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/home-%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port if tls else 0}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


def _children(parent: int) -> list[int]:
    """The processes whose parent is `parent`, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rpartition(")")[2].split()[1]) == parent:
                found.append(int(stat.parent.name))
    return found


class Dovecot:
    """One Dovecot for a test: user `rmo-bot` with `password`; `port` (plain or STARTTLS) and `ssl_port`;
    `idle=False` offers neither IDLE nor MOVE; with `token`, XOAUTH2 accepts that access token (checked by a
    loopback stand-in for the provider's token introspection endpoint)."""

    def __init__(
        self, root: Path, *, password: str = "imap-secret", tls: bool = False, idle: bool = True, token: str = ""
    ) -> None:
        self.binary = ensure_dovecot()
        self.root = root
        self.password = password
        self.tls = tls
        self.port = free_port()
        self.ssl_port = free_port()
        (root / "state").mkdir(parents=True, exist_ok=True)
        # Dovecot never reads mail as root: run as root, the mail belongs to `nobody`, in a directory it reaches.
        # Its sockets live there too: a socket's path must stay under 108 bytes, which a test's own
        # directory (deep under pytest's, longer still under xdist) can exceed.
        self._mail_root = Path(tempfile.mkdtemp(prefix="rmo-dovecot-"))
        run = self._mail_root / "run"
        run.mkdir()
        self.mail = self._mail_root / "mail"
        self.mail.mkdir()
        if os.getuid() == 0:
            self._mail_root.chmod(0o711)
            nobody = pwd.getpwnam("nobody")
            os.chown(self.mail, nobody.pw_uid, nobody.pw_gid)
        (root / "passwd").write_text(f"{USER}:{{PLAIN}}{password}::::::\n", encoding="utf-8")
        if tls:
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                 "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                 "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")],
                check=True, capture_output=True,
            )  # fmt: skip
        self.config = root / "dovecot.conf"
        config = _config(root, run, self.mail, self.port, self.ssl_port, tls=tls, idle=idle)
        self._introspection: HTTPServer | None = None
        if token:
            config += self._oauth2(token)
        self.config.write_text(config, encoding="utf-8")
        self.proc: subprocess.Popen[bytes] | None = None

    def _oauth2(self, token: str) -> str:
        """Dovecot's oauth2 passdb, asking a loopback introspection endpoint whether a token is `token`."""

        class Introspection(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                body = json.dumps({"active": query.get("token") == [token], "username": USER}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._introspection = HTTPServer(("127.0.0.1", 0), Introspection)
        threading.Thread(target=self._introspection.serve_forever, daemon=True).start()
        port = self._introspection.server_port
        (self.root / "oauth2.conf").write_text(
            f"introspection_mode = get\nintrospection_url = http://127.0.0.1:{port}/introspect?token=\n"
            "username_attribute = username\nactive_attribute = active\nactive_value = true\n",
            encoding="utf-8",
        )
        return (
            "auth_mechanisms = plain login xoauth2 oauthbearer\n"
            f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {self.root}/oauth2.conf\n}}\n"
        )

    @property
    def ca_file(self) -> Path:
        return self.root / "cert.pem"

    def start(self, timeout: float = 30) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                if s.recv(100).startswith(b"* OK"):
                    return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode() if self.proc.poll() is not None and self.proc.stderr else ""
                msg = f"dovecot did not start: {err}\n{self.log()}"
                self.stop()
                raise RuntimeError(msg)
            time.sleep(0.1)

    def stop(self) -> None:
        """End the master and every process it started, as `systemctl restart` ends the whole service."""
        if self.proc is None:
            return
        children = _children(self.proc.pid)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None
        for pid in children:  # an IMAP session's process outlives the master stopped with SIGTERM
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        # Its children (imap, imap-login) end with the master; wait until the port is free again.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind(("127.0.0.1", self.port))
                except OSError:
                    time.sleep(0.1)
                    continue
                return

    def close(self) -> None:
        """Stop, and remove the mail directory kept outside the test's own."""
        self.stop()
        if self._introspection is not None:
            self._introspection.shutdown()
            self._introspection.server_close()
        shutil.rmtree(self._mail_root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def _client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        client.login(USER, self.password)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver one message into `folder` with IMAP APPEND."""
        client = self._client()
        try:
            client.create(folder)  # "already exists" is a NO: fine
            status, detail = client.append(folder, None, None, raw)
            assert status == "OK", detail
        finally:
            client.logout()

    def recreate(self, folder: str) -> None:
        """Delete `folder` and create it anew: a fresh UIDVALIDITY, its UIDs start over."""
        client = self._client()
        try:
            client.delete(folder)
            client.create(folder)
        finally:
            client.logout()

    def uids(self, folder: str, criterion: str = "ALL") -> list[int]:
        """The UIDs in `folder` that match `criterion` (e.g. "SEEN")."""
        client = self._client()
        try:
            client.select(folder, readonly=True)
            status, data = client.uid("SEARCH", criterion)
            assert status == "OK", data
            return [int(n) for n in data[0].split()]
        finally:
            client.logout()
