"""Security checks (issue 9 item 6): tokens travel only over verified TLS (plain http only to the loopback
sandbox), and a store whose certificate cannot be verified gets no request at all, so never sees a token.
(OAuth ``state`` mismatch: tests/unit/test_hike_oauth.py and tests/integration/test_hike_client.py; links limited
to the connected store, M6: the monitor's tests; no secret on disk after the whole suite: tests/conftest.py.)
"""
from __future__ import annotations

import datetime as dt
import ssl
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from desktop.sync import errors
from desktop.sync.bigcommerce import BigCommerceClient
from desktop.sync.addresses import require_api_origin
from desktop.sync.http import RetryPolicy

TOKEN = "sec-test-token-not-for-strangers"


@pytest.mark.parametrize("store, url", [("BigCommerce", "http://api.bigcommerce.com/stores/abc/v3/"),
                                        ("Hike", "http://api.hikeup.com"), ("Hike", "ftp://api.hikeup.com"),
                                        ("Hike", "api.hikeup.com"), ("Hike", "http://192.168.1.20:8080")])
def test_n1_plain_http_to_anything_but_loopback_is_refused(store, url):
    with pytest.raises(ValueError, match="only sends tokens over https"):
        require_api_origin(store, url)


@pytest.mark.parametrize("store, url", [("Hike", "https://api.hikeup.com"), ("Hike", "http://127.0.0.1:8123"),
                                        ("BigCommerce", "http://localhost:9000/x"),
                                        ("BigCommerce", "https://api.bigcommerce.com/stores/abc123/v3/")])
def test_n1_https_and_the_loopback_sandbox_are_accepted(store, url):
    require_api_origin(store, url)


def test_n1_hike_client_refuses_a_plain_http_address():
    from desktop.sync.hike import HikeClient
    with pytest.raises(ValueError, match="https"):
        HikeClient("http://api.hikeup.com", "client", "sec-test-client-secret-9f3e", credentials=None)


@pytest.fixture
def untrusted_https_server(tmp_path):
    """A real TLS server on 127.0.0.1 with a self-signed certificate (as a man in the middle would present)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - stdlib name
            seen.append(dict(self.headers))
            body = b'{"id": "abc123", "name": "Impostor"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://localhost:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_n1_a_certificate_that_cannot_be_verified_gets_no_request_and_a_clear_error(untrusted_https_server,
                                                                                   monkeypatch):
    base, seen = untrusted_https_server
    # an interceptor answering for api.bigcommerce.com (the only host the token may go to): its connections land
    # on the self-signed server, as a man in the middle's would
    import socket

    port = int(base.rsplit(":", 1)[1])
    connect = socket.create_connection

    def to_interceptor(address, *args, **kwargs):
        return connect(("127.0.0.1", port) if address[0] == "api.bigcommerce.com" else address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", to_interceptor)
    client = BigCommerceClient("https://api.bigcommerce.com/stores/abc123/v3/", TOKEN,
                               retry=RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.01))
    try:
        with pytest.raises(errors.SyncError) as info:
            client.store_info()
    finally:
        client.close()
    assert seen == [], "the TLS handshake failed before any request (and its token) was sent"
    assert "certificate" in str(info.value).lower(), str(info.value)
    assert TOKEN not in str(info.value)


# -- issue 14: a secret never reaches the wrong address ------------------------------------------------------------
# Every refused address below leads to a RecordingListener on this computer, so a client that sent anything there
# would be caught. 127.0.0.2 is this computer too (all of 127/8 is), but the app trusts only 127.0.0.1, localhost
# and [::1] (its sandbox): it stands in for the finding's http://192.0.2.2:8099, a stranger on the network.
STRANGER_HOST = "127.0.0.2"
CLIENT_SECRET = "sec-test-hike-app-secret-4c1d"
STOLEN_CODE = "sec-test-code-for-a-stranger"

HIKE_REFUSED = [
    "http://127.0.0.2:{stranger}",  # plain http to something that is not the sandbox (finding 4)
    "http://api.hikeup.com@127.0.0.1:{local}",  # user info: the host is 127.0.0.1, not Hike
    "https://api.hikeup.com@127.0.0.1:{local}",
    "https://127.0.0.1:{local}",  # https, but not Hike's API host
    "https://localhost:{local}",
]
BC_REFUSED = [
    "https://api.bigcommerce.com@127.0.0.1:{local}/stores/abc123/v3/",  # finding 5 as reported
    "http://api.bigcommerce.com@127.0.0.1:{local}/stores/abc123/v3/",
    "http://127.0.0.2:{stranger}/stores/abc123/v3/",
    "https://127.0.0.1:{local}/stores/abc123/v3/",
    "https://localhost:{local}/stores/abc123/v3/",
]


@pytest.fixture
def listeners():
    from tests.recorder import RecordingListener

    with RecordingListener("127.0.0.1") as local, RecordingListener(STRANGER_HOST) as stranger:
        yield {"local": local, "stranger": stranger}


def _address(template: str, listeners) -> str:
    return template.format(local=listeners["local"].port, stranger=listeners["stranger"].port)


def _nothing_arrived(listeners) -> None:
    for name, listener in listeners.items():
        assert listener.connections == 0, f"the {name} listener was reached: {listener.text()[:300]!r}"


class StrangerBrowser:
    """The page behind a refused address, played at once: it hands the app's loopback listener a sign-in code, as
    a stranger's server would, so a client that went ahead would exchange it (with the client secret) there."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def __call__(self, url: str) -> None:
        import httpx
        from urllib.parse import parse_qs, urlsplit

        self.opened.append(url)
        query = parse_qs(urlsplit(url).query)
        httpx.get(query["redirect_uri"][0], params={"code": STOLEN_CODE, "state": query["state"][0]}, timeout=5)


@pytest.mark.real_keyring
@pytest.mark.parametrize("template", HIKE_REFUSED)
def test_f4_hike_sign_in_at_a_refused_address_sends_no_secret_and_saves_nothing(template, listeners,
                                                                                 secret_service, db, tmp_path):
    """Issue 14 finding 4: a Hike address that is not https://api.hikeup.com (or the loopback sandbox) is refused
    before the browser opens: no client_secret or code reaches it, nothing lands in the keyring or the database."""
    import uuid

    from desktop.storage.credentials import Credentials
    from desktop.storage.models import Connection
    from desktop.sync.connections import HikeApp, connect_hike
    from tests.keyrings import keyring_entries

    profile = f"f4-{uuid.uuid4().hex[:8]}"
    credentials = Credentials(profile, backend=secret_service, state_file=tmp_path / "keyring.json")
    browser = StrangerBrowser()
    with pytest.raises(ValueError) as info:
        connect_hike(HikeApp(_address(template, listeners), "app-1", CLIENT_SECRET), credentials, browser,
                     timeout_s=5)
    assert "https://api.hikeup.com" in str(info.value), str(info.value)
    assert CLIENT_SECRET not in str(info.value)
    assert browser.opened == [], "refused before the browser opens"
    _nothing_arrived(listeners)
    assert keyring_entries(secret_service, profile) == set()
    assert Connection.select().count() == 0


@pytest.mark.real_keyring
def test_f4_cli_connect_hike_over_plain_http_is_refused_as_invalid_input(listeners, secret_service, monkeypatch,
                                                                        capsys):
    """Issue 14 finding 4, as reported: ``connect hike --base-url http://…`` exits 2 naming https, before the
    browser opens; nothing is sent there and nothing is saved."""
    import uuid

    from desktop import cli
    from desktop.storage import paths
    from desktop.storage.db import close_db, init_db
    from desktop.storage.models import Connection
    from tests.keyrings import keyring_entries

    profile = f"f4cli-{uuid.uuid4().hex[:8]}"
    browser = StrangerBrowser()
    monkeypatch.setattr(cli, "open_system_browser", browser)
    code = cli.main(["--profile", profile, "connect", "hike", "--base-url",
                     f"http://{STRANGER_HOST}:{listeners['stranger'].port}", "--client-id", "app-1",
                     "--client-secret", CLIENT_SECRET, "--timeout", "5"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "https://api.hikeup.com" in err and CLIENT_SECRET not in err
    assert browser.opened == []
    _nothing_arrived(listeners)
    assert keyring_entries(secret_service, profile) == set()
    init_db(paths.app_paths().database)
    try:
        assert Connection.select().count() == 0
    finally:
        close_db()


@pytest.mark.real_keyring
@pytest.mark.parametrize("template", BC_REFUSED)
def test_f5_bigcommerce_api_path_off_api_bigcommerce_com_gets_no_token(template, listeners, secret_service, db,
                                                                       tmp_path):
    """Issue 14 finding 5: an API path that is not https://api.bigcommerce.com/stores/HASH/v3/ (nor the loopback
    sandbox) is refused before any call: no X-Auth-Token arrives, nothing is saved."""
    import uuid

    from desktop.storage.credentials import Credentials
    from desktop.storage.models import Connection
    from desktop.sync.connections import connect_bigcommerce
    from tests.keyrings import keyring_entries

    profile = f"f5-{uuid.uuid4().hex[:8]}"
    credentials = Credentials(profile, backend=secret_service, state_file=tmp_path / "keyring.json")
    with pytest.raises(ValueError) as info:
        connect_bigcommerce(_address(template, listeners), TOKEN, credentials)
    assert "https://api.bigcommerce.com/stores/" in str(info.value), str(info.value)
    assert TOKEN not in str(info.value)
    _nothing_arrived(listeners)
    assert keyring_entries(secret_service, profile) == set()
    assert Connection.select().count() == 0


def test_f5_the_user_info_path_is_named_with_where_it_would_send_the_token():
    """Issue 14 finding 5: the message says plainly where the ``@`` path points."""
    from desktop.sync.bigcommerce import parse_api_path

    with pytest.raises(ValueError) as info:
        parse_api_path("https://api.bigcommerce.com@127.0.0.1:8443/stores/abc123/v3/")
    message = str(info.value)
    assert message.startswith("The API path must start with https://api.bigcommerce.com/stores/"), message
    assert "'https://api.bigcommerce.com@127.0.0.1:8443/…' sends your token to 127.0.0.1" in message, message
