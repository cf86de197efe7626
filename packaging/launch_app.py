"""The bundle's entry point for the window (``hike-bc-sync``): PyInstaller needs a script, not an entry point."""
import sys

from desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
