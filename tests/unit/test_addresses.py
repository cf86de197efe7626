"""Where secrets may go (issue 14, findings 4 and 5): ``desktop.sync.addresses``, the one place both clients, the
connections, the CLI and the wizard check an address before anything is sent or saved."""
from __future__ import annotations

import pytest

from desktop.sync.addresses import (UnsafeAddress, bigcommerce_api_base, hike_api_base, is_sandbox_address,
                                    require_api_origin)


@pytest.mark.parametrize("path, base", [
    ("https://api.bigcommerce.com/stores/abc123/v3/", "https://api.bigcommerce.com/stores/abc123/"),
    (" https://API.BigCommerce.com/stores/abc123/v3 ", "https://api.bigcommerce.com/stores/abc123/"),
    ("https://api.bigcommerce.com:443/stores/abc123/v2/", "https://api.bigcommerce.com/stores/abc123/"),
    ("http://127.0.0.1:8123/stores/sbx1/v3/", "http://127.0.0.1:8123/stores/sbx1/"),
    ("http://localhost:8123/stores/sbx1/v3/", "http://localhost:8123/stores/sbx1/"),
    ("http://[::1]:8123/stores/sbx1/v3/", "http://[::1]:8123/stores/sbx1/"),
])
def test_f5_bigcommerce_api_host_and_the_loopback_sandbox_are_accepted_and_rebuilt(path, base):
    """Issue 14 finding 5: the accepted forms, rebuilt from their checked parts."""
    assert bigcommerce_api_base(path)[0] == base


@pytest.mark.parametrize("path, where", [
    ("https://api.bigcommerce.com@127.0.0.1:8443/stores/abc123/v3/", "sends your token to 127.0.0.1:8443"),
    ("https://user:hunter2@api.bigcommerce.com/stores/abc123/v3/", "sends your token to api.bigcommerce.com"),
    ("https://api.bigcommerce.com.evil.example/stores/abc123/v3/", "to api.bigcommerce.com.evil.example"),
    ("https://api.bigcommerce.com:8443/stores/abc123/v3/", "to api.bigcommerce.com:8443"),
    ("https://127.0.0.1:8443/stores/abc123/v3/", "to 127.0.0.1:8443"),
    ("https://evil.example/stores/abc123/v3/", "to evil.example"),
    ("http://api.bigcommerce.com/stores/abc123/v3/", "is plain http"),
    ("http://192.0.2.2:8099/stores/abc123/v3/", "is plain http"),
    ("http://127.0.0.2:8099/stores/abc123/v3/", "is plain http"),
    ("http://api.bigcommerce.com@127.0.0.1:8443/stores/abc123/v3/", "sends your token to 127.0.0.1:8443"),
])
def test_f5_other_hosts_user_info_odd_ports_and_plain_http_are_refused_naming_where(path, where):
    """Issue 14 finding 5: everything else is refused, and the message says where the token would have gone."""
    with pytest.raises(UnsafeAddress) as info:
        bigcommerce_api_base(path)
    assert info.value.message.startswith("The API path must start with https://api.bigcommerce.com/stores/…")
    assert where in info.value.message
    assert "hunter2" not in info.value.message, "a password in the user info is never repeated"


@pytest.mark.parametrize("path", ["https://api.bigcommerce.com/", "https://api.bigcommerce.com/stores//v3/",
                                  "https://api.bigcommerce.com/stores/abc123/v3/?x=1", "api.bigcommerce.com",
                                  "https://api.bigcommerce.com\\@evil.example/stores/abc123/v3/",
                                  "https://api.bigcommerce.com/stores/abc 123/v3/", ""])
def test_f5_an_api_path_of_the_wrong_shape_says_how_to_copy_it(path):
    """Issue 14 finding 5: shapes no BigCommerce API path has (backslashes, blanks, a query) are refused too."""
    with pytest.raises(UnsafeAddress, match="The API path should look like"):
        bigcommerce_api_base(path)


@pytest.mark.parametrize("url, base", [("https://api.hikeup.com", "https://api.hikeup.com"),
                                       ("https://api.hikeup.com/", "https://api.hikeup.com"),
                                       ("http://127.0.0.1:8099", "http://127.0.0.1:8099"),
                                       ("http://localhost:8099/", "http://localhost:8099")])
def test_f4_hike_api_host_and_the_loopback_sandbox_are_accepted(url, base):
    """Issue 14 finding 4: Hike's documented API host (API-NOTES A2), or the sandbox."""
    assert hike_api_base(url) == base


@pytest.mark.parametrize("url, where", [
    ("http://192.0.2.2:8099", "is plain http"),  # finding 4 as reported
    ("http://api.hikeup.com", "is plain http"),
    ("https://api.hikeup.com@127.0.0.1:8443", "sends this app's Hike secret and your sign-in to 127.0.0.1:8443"),
    ("https://api.hikeup.com:8443", "to api.hikeup.com:8443"),
    ("https://my.hikeup.com", "to my.hikeup.com"),
    ("https://127.0.0.1:8443", "to 127.0.0.1:8443"),
])
def test_f4_other_hike_addresses_are_refused_naming_where(url, where):
    """Issue 14 finding 4: anything else would get the client secret and the sign-in code."""
    with pytest.raises(UnsafeAddress) as info:
        hike_api_base(url)
    assert info.value.message.startswith("The Hike API address must be https://api.hikeup.com")
    assert where in info.value.message


@pytest.mark.parametrize("url", ["https://api.hikeup.com/api/v1", "https://api.hikeup.com/?a=1", ""])
def test_f4_a_hike_address_with_a_path_is_refused(url):
    """Issue 14 finding 4: the base address only (the client adds /api/v1 and /oauth itself)."""
    with pytest.raises(UnsafeAddress, match="should be https://api.hikeup.com"):
        hike_api_base(url)


@pytest.mark.parametrize("url, sandbox", [("http://127.0.0.1:1", True), ("http://[::1]:1/x", True),
                                          ("http://localhost:1", True), ("https://127.0.0.1:1", False),
                                          ("http://a@127.0.0.1:1", False), ("http://127.0.0.2:1", False),
                                          ("https://api.hikeup.com", False)])
def test_f6_what_counts_as_the_sandbox(url, sandbox):
    """Issue 14 findings 4–6: plain http to this computer's loopback names only, with nothing before the host."""
    assert is_sandbox_address(url) is sandbox


@pytest.mark.parametrize("store, url", [("BigCommerce", "https://api.hikeup.com/api/v1/"),
                                        ("Hike", "https://api.bigcommerce.com/stores/abc123/"),
                                        ("Hike", "https://api.hikeup.com@127.0.0.1/api/v1/"),
                                        ("Other", "https://api.hikeup.com/")])
def test_f5_the_transport_check_holds_each_store_to_its_own_host(store, url):
    """Issue 14 finding 5 (defence in depth): the transport's own check on every request."""
    with pytest.raises(UnsafeAddress):
        require_api_origin(store, url)
