"""Mail channel fixtures: people around one school, a mail builder, and a real Dovecot IMAP server started for the
test session (own config in a temporary directory, own port in 21000-21099, plain-text login on 127.0.0.1)."""

import imaplib
import os
import shutil
import subprocess
import tempfile
import time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest

from helpdesk.mailchannel import services
from helpdesk.platform.timeutil import utcnow
from helpdesk.users.models import Role
from tests.factories import BasinFactory, KeywordFactory, SchoolFactory, UserFactory
from tests.ports import free_port_in

PORTS = range(21000, 21100)
IMAP_USER, IMAP_PASSWORD = "assistance", "mailbox-secret-42"
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


@pytest.fixture
def people(session):
    basin = BasinFactory(name="Toulouse Nord")
    school = SchoolFactory(basin=basin, name="Collège Jean Jaurès")
    found = {
        "school": school,
        "teacher": UserFactory(school=school, email="camille.martin@ac-toulouse.fr", full_name="Camille Martin"),
        "n1": UserFactory(school=None, roles=[Role.AGENT_N1], email="agent.n1@ac-toulouse.fr", full_name="Morgan Niveau Un"),
        "edulab": UserFactory(school=None, roles=[Role.EDULAB], basins=[basin], email="edulab@ac-toulouse.fr"),
        "password": KeywordFactory(label="mot de passe ENT personnel", slug="mot-de-passe-ent", service="navigateur_acces",
                                   tier="n1", synonyms=["mot de passe oublié", "identifiant perdu", "connexion impossible"]),
        "mailbox": KeywordFactory(label="paramétrage messagerie", slug="parametrage-messagerie", service="messagerie",
                                  tier="edulab", synonyms=["messagerie ne marche pas", "courriels ne partent pas", "boîte de réception"]),
    }  # fmt: skip
    session.commit()
    return found


@pytest.fixture
def settings(app):
    return services.MailSettings.from_config(app.config)


def make_mail(*, sender="camille.martin@ac-toulouse.fr", to="assistance-ent@ac-toulouse.example", subject="Question",
              body="Bonjour", html=None, message_id=None, headers=None, attachments=()) -> EmailMessage:  # fmt: skip
    mail = EmailMessage()
    mail["From"] = f"Camille Martin <{sender}>"
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(utcnow())
    mail["Message-ID"] = message_id or make_msgid(domain="ac-toulouse.fr")
    for name, value in (headers or {}).items():
        mail[name] = value
    if body is not None:
        mail.set_content(body)
        if html:
            mail.add_alternative(html, subtype="html")
    elif html:
        mail.set_content(html, subtype="html")
    for name, data, maintype, subtype in attachments:
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return mail


def free_port(ports: range = PORTS) -> int:
    return free_port_in(ports)


def _config(root: Path, port: int) -> str:
    """Dovecot's master runs as the current user; mail processes may not run as root, so under root they take
    Dovecot's own unprivileged users (created by the Debian package)."""
    import grp
    import pwd

    is_root = os.getuid() == 0
    user = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    mail_user, mail_group = ("dovecot", "dovecot") if is_root else (user, group)
    login_user = "dovenull" if is_root else user
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user if not is_root else "dovecot"}
default_internal_group = {group if not is_root else "dovecot"}
default_login_user = {login_user}
mail_location = maildir:{root}/mail/%u
mail_uid = {mail_user}
mail_gid = {mail_group}
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
namespace inbox {{
  inbox = yes
}}
"""


@pytest.fixture(scope="session")
def dovecot(tmp_path_factory):
    """A real Dovecot IMAP server (Debian's dovecot-imapd, installed by `make install-test`). Missing: the test fails."""
    if not Path(DOVECOT).exists():
        pytest.fail("dovecot is not installed: run `make install-test` (it installs Debian's dovecot-imapd)")
    if os.getuid() == 0:
        # Dovecot's unprivileged users must reach the directory: pytest's own temporary directories are 0700.
        root = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
        root.chmod(0o755)
    else:
        root = tmp_path_factory.mktemp("dovecot")
    (root / "mail").mkdir()
    if os.getuid() == 0:
        shutil.chown(root / "mail", "dovecot", "dovecot")
    (root / "passwd").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}::::::\n")
    port = free_port()
    (root / "dovecot.conf").write_text(_config(root, port))
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT)  # fmt: skip
    deadline = time.monotonic() + 20
    while True:
        try:
            client = imaplib.IMAP4("127.0.0.1", port, timeout=5)
            client.login(IMAP_USER, IMAP_PASSWORD)
            client.logout()
            break
        except (OSError, imaplib.IMAP4.error):
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                pytest.fail(f"dovecot did not start: {log[-2000:]}")
            time.sleep(0.2)
    yield {"host": "127.0.0.1", "port": port, "root": root}
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if os.getuid() == 0:
        shutil.rmtree(root, ignore_errors=True)


class Mailbox:
    """The test's view of the assistance mailbox: deliver (APPEND) and look."""

    def __init__(self, server):
        self.server = server

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.server["host"], self.server["port"], timeout=10)
        client.login(IMAP_USER, IMAP_PASSWORD)
        return client

    def deliver(self, mail, folder="INBOX") -> None:
        client = self.client()
        try:
            kind, data = client.append(folder, None, None, bytes(mail) if not isinstance(mail, bytes) else mail)
            assert kind == "OK", data
        finally:
            client.logout()

    def uids(self, folder="INBOX", criteria="ALL") -> list[bytes]:
        client = self.client()
        try:
            kind, _ = client.select(f'"{folder}"')
            if kind != "OK":
                return []
            return client.uid("SEARCH", None, criteria)[1][0].split()
        finally:
            client.logout()

    def empty(self) -> None:
        client = self.client()
        try:
            for line in client.list()[1]:
                name = line.decode().rsplit(' "." ', 1)[-1].strip('"')
                kind, count = client.select(f'"{name}"')
                if kind == "OK" and int(count[0] or 0):
                    client.store("1:*", "+FLAGS", "(\\Deleted)")
                    client.expunge()
        finally:
            client.logout()


@pytest.fixture
def mailbox(app, dovecot):
    """An empty assistance mailbox, and the app configured to read it (restored after the test)."""
    box = Mailbox(dovecot)
    box.empty()
    keys = {"MAIL_IMAP_HOST": dovecot["host"], "MAIL_IMAP_PORT": dovecot["port"], "MAIL_IMAP_SECURITY": "none",
            "MAIL_IMAP_USERNAME": IMAP_USER, "MAIL_IMAP_PASSWORD": IMAP_PASSWORD, "MAIL_IMAP_FOLDER": "INBOX",
            "MAIL_IMAP_DONE_FOLDER": "", "MAIL_IMAP_QUARANTINE_FOLDER": "Quarantaine"}  # fmt: skip
    saved = {key: app.config.get(key) for key in keys}
    app.config.update(keys)
    yield box
    app.config.update(saved)
