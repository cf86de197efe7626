"""The bundle's entry point for the headless ``hike-bc-sync-cli``."""
import sys

from desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
