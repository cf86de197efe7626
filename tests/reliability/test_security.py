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
from desktop.sync.http import RetryPolicy, require_secure_url

TOKEN = "sec-test-token-not-for-strangers"


@pytest.mark.parametrize("url", ["http://api.bigcommerce.com/stores/abc/v3/", "http://api.hikeup.com",
                                 "ftp://api.hikeup.com", "api.hikeup.com", "http://192.168.1.20:8080"])
def test_n1_plain_http_to_anything_but_loopback_is_refused(url):
    with pytest.raises(ValueError, match="only sends tokens over https"):
        require_secure_url("Hike", url)


@pytest.mark.parametrize("url", ["https://api.hikeup.com", "http://127.0.0.1:8123", "http://localhost:9000/x"])
def test_n1_https_and_the_loopback_sandbox_are_accepted(url):
    require_secure_url("Hike", url)


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


def test_n1_a_certificate_that_cannot_be_verified_gets_no_request_and_a_clear_error(untrusted_https_server):
    base, seen = untrusted_https_server
    client = BigCommerceClient(f"{base}/stores/abc123/v3/", TOKEN,
                               retry=RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.01))
    try:
        with pytest.raises(errors.SyncError) as info:
            client.store_info()
    finally:
        client.close()
    assert seen == [], "the TLS handshake failed before any request (and its token) was sent"
    assert "certificate" in str(info.value).lower(), str(info.value)
    assert TOKEN not in str(info.value)
