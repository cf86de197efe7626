"""Hike ↔ BigCommerce Sync: a desktop app that keeps a Hike POS store and a BigCommerce store in sync."""

__version__ = "0.1.0"
APP_NAME = "Hike ↔ BigCommerce Sync"  # the one name shown to people (windows, tray, dialogs, wizard)
APP_ID = "hike-bc-sync"
