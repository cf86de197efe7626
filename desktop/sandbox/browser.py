"""A stand-in for the person at the browser, for the sandbox only: completes the sandbox Hike sign-in and consent
pages over plain HTTP and follows the redirect back to the app's loopback listener.

Used by ``hike-bc-sync-cli connect sandbox`` (a loopback sandbox has no real person to click "Allow") and by the
tests. It knows nothing of the app's client: it reads the pages the way a browser would.
"""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": (a.get("method") or "get").lower(),
                               "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value") or ""


def forms_of(page: httpx.Response) -> list[dict]:
    parser = _Forms()
    parser.feed(page.text)
    return parser.forms


def person_for(info: dict) -> "SandboxPerson":
    """The person who signs in to the Hike sandbox described by ``info`` (the JSON ``python -m desktop.sandbox``
    prints) and clicks "Allow"."""
    return SandboxPerson(info["hike"]["username"], info["hike"]["password"])


class SandboxPerson:
    """``open_browser`` for ``hike_oauth.sign_in`` against the sandbox: sign in, choose, land on the app's page."""

    def __init__(self, username: str, password: str, decision: str = "allow"):
        self.username = username
        self.password = password
        self.decision = decision
        self.final_page: httpx.Response | None = None

    def __call__(self, url: str) -> None:
        if urlsplit(url).hostname not in {"127.0.0.1", "localhost", "::1"}:
            raise ValueError("the sandbox sign-in only completes pages served on this computer")
        with httpx.Client(timeout=10, follow_redirects=False) as browser:
            page = browser.get(url)
            page.raise_for_status()
            (login,) = forms_of(page)
            page = browser.post(urljoin(url, login["action"]),
                                data=dict(login["fields"], username=self.username, password=self.password))
            page.raise_for_status()
            choice = next(f for f in forms_of(page) if f["fields"].get("decision") == self.decision)
            page = browser.post(urljoin(url, choice["action"]), data=choice["fields"])
            if page.status_code != 302:
                raise ValueError(f"the sandbox sign-in did not redirect back (HTTP {page.status_code})")
            self.final_page = browser.get(page.headers["Location"])
