"""Take the README's screenshots of the real app on the sandbox stores.

Run on a (virtual) screen:  xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshots.py
Writes docs/screenshots/*.png. Each screen is grabbed from a real window after it has been shown.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"


def grab_and_quit() -> None:
    from desktop.views.main_window import MainWindow

    app = QApplication.instance()
    windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    if not windows:
        QTimer.singleShot(200, grab_and_quit)
        return
    window = windows[0]
    OUT.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(OUT / "main-window.png"))
    print(f"wrote {OUT / 'main-window.png'}")
    window.close()
    app.quit()


def main() -> int:
    from desktop import app

    QApplication.instance() or QApplication(sys.argv[:1])
    QTimer.singleShot(1500, grab_and_quit)
    with tempfile.TemporaryDirectory() as data:
        return app.main(["--sandbox", "--data-dir", data])


if __name__ == "__main__":
    sys.exit(main())
