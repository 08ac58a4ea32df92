"""``python -m qms_desktop``: start the GUI (the same as ``qms-desktop``)."""

import sys

from .app import main

if __name__ == "__main__":
    sys.exit(main())
