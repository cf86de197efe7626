"""Setup wizard and Manage dialog (issue #7).

The app calls::

    wizard = SetupWizard(credentials)          # first start
    wizard.setupSaved.connect(start_first_sync_and_show_main_window)   # receives the saved Settings
    dialog = ManageDialog(credentials)         # "Manage"
    dialog.settingsSaved.connect(...)          # Settings, saved as a new SettingsVersion
    dialog.disconnected.connect(...)           # bool: the local history was wiped too

One module per page; ``context.py`` holds what the pages share, ``background.py`` runs store calls off the GUI
thread. ``python -m desktop.views.setup [--sandbox] [--manage]`` opens either window on its own.
"""
from desktop.views.setup.manage import DisconnectDialog, ManageDialog
from desktop.views.setup.wizard import SetupWizard

__all__ = ["SetupWizard", "ManageDialog", "DisconnectDialog"]
