"""Issue 17, findings 2-4, under pytest-qt against both sandbox stores over real HTTP: Connect Hike with the
registration the build carries (finding 2), finishing the wizard from its button row (3), Cancel keeps the work (4).
"""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from desktop.sync import hike_registration
from tests.gui.test_wizard import connect_hike_for_real, credentials, event_loops_run, make_wizard, sandbox  # noqa: F401


@pytest.fixture
def build_registration(monkeypatch, tmp_path):
    """The registration file the build carries (here: a file named by the developer override)."""
    for name in (hike_registration.CLIENT_ID_ENV, hike_registration.CLIENT_SECRET_ENV):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "hike_app.json"
    monkeypatch.setenv(hike_registration.REGISTRATION_FILE_ENV, str(path))
    yield path
    path.unlink(missing_ok=True)  # the build's file holds the app secret: it leaves nothing on disk (N1)


# -- finding 2: a shop manager sees just Sign in ------------------------------------------------------------------
def test_f2_hike_registration_from_the_build_signs_in_with_advanced_collapsed(qtbot, make_wizard, sandbox,
                                                                              build_registration):
    hike = sandbox.info["hike"]
    build_registration.write_text(json.dumps({"api_address": hike["base_url"], "app_id": hike["client_id"],
                                              "app_secret": hike["client_secret"]}))
    wizard = make_wizard(hike_app=None)
    page = wizard.hike_page
    qtbot.mouseClick(wizard.welcome.real, Qt.MouseButton.LeftButton)
    assert wizard.page() is page
    assert not page.advanced.isVisible() and not page.client_id.isVisible(), "the registration is tucked away"
    assert page.advanced_toggle.isVisible() and "Advanced" in page.advanced_toggle.text().replace("&", "")
    assert not page.no_registration.isVisible()
    assert page.sign_in.isEnabled()
    connect_hike_for_real(qtbot, wizard)
    assert wizard.ctx.hike is not None and page.banner.kind == "ok"

    qtbot.mouseClick(page.advanced_toggle, Qt.MouseButton.LeftButton)  # developers: prefilled from the build
    assert page.advanced.isVisible()
    assert (page.base_url.text(), page.client_id.text()) == (hike["base_url"], hike["client_id"])
    assert page.client_secret.text() == hike["client_secret"]


def test_f2_a_build_without_the_registration_says_so_and_sign_in_waits(qtbot, make_wizard, sandbox,
                                                                       build_registration):
    wizard = make_wizard(hike_app=None)  # no file where the build's registration belongs
    page = wizard.hike_page
    qtbot.mouseClick(wizard.welcome.real, Qt.MouseButton.LeftButton)
    text = page.no_registration.text()
    assert page.no_registration.isVisible() and "built without Hike access" in text
    assert hike_registration.REGISTRATION_FILE in text and hike_registration.REGISTRATION_FILE_ENV in text
    assert "Partner Dashboard" not in text
    assert not page.sign_in.isEnabled() and "no Hike registration" in page.sign_in.toolTip()

    # a developer opens Advanced and types the registration in
    qtbot.mouseClick(page.advanced_toggle, Qt.MouseButton.LeftButton)
    hike = sandbox.info["hike"]
    page.base_url.setText(hike["base_url"])
    qtbot.keyClicks(page.client_id, hike["client_id"])
    assert not page.sign_in.isEnabled()
    qtbot.keyClicks(page.client_secret, hike["client_secret"])
    assert page.sign_in.isEnabled()
    connect_hike_for_real(qtbot, wizard)
    assert wizard.ctx.hike is not None


def test_f2_the_sandbox_keeps_its_own_registration(qtbot, make_wizard, sandbox, build_registration):
    wizard = make_wizard(hike_app=None, sandbox=sandbox)
    page = wizard.hike_page
    assert not page.no_registration.isVisible() and page.sign_in.isEnabled()
    assert page.client_id.text() == sandbox.info["hike"]["client_id"]
