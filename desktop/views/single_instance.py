"""One running app per data folder: a second launch asks the first to come forward, then exits.

Uses a QLocalServer named after the user and the data folder, so the sandbox mode (its own data folder)
and the real stores can run side by side while two copies on the same data cannot.
"""
from __future__ import annotations

import getpass
import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

_ACTIVATE = b"activate\n"
_CONNECT_TIMEOUT_MS = 500


def server_name(data_dir: Path) -> str:
    digest = hashlib.sha256(f"{getpass.getuser()}:{data_dir.resolve()}".encode()).hexdigest()[:16]
    return f"hike-bc-sync-{digest}"


def ask_running_instance_to_activate(name: str) -> bool:
    """True when another instance answered (it will show its window); False when none runs."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(_CONNECT_TIMEOUT_MS):
        return False
    socket.write(_ACTIVATE)
    socket.flush()
    socket.waitForBytesWritten(_CONNECT_TIMEOUT_MS)
    socket.disconnectFromServer()
    return True


class SingleInstance(QObject):
    """Listens for later launches; emits ``activation_requested`` when one asks to be shown."""

    activation_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)

    def listen(self) -> bool:
        if self._server.listen(self.name):
            return True
        # a crashed instance can leave its socket file behind; nobody answered, so it is stale
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def close(self) -> None:
        self._server.close()

    @Slot()
    def _on_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(self._on_ready)

    @Slot()
    def _on_ready(self) -> None:
        socket = self.sender()
        if not isinstance(socket, QLocalSocket):
            return
        if bytes(socket.readAll().data()).startswith(_ACTIVATE.strip()):
            self.activation_requested.emit()
        socket.abort()
