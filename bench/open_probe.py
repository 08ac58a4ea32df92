"""Memory fallback when the app is missing: ``python -m bench.open_probe WORKSPACE``.

Opens the workspace for writing, as the app would, and computes the dashboard's headline figures
(``services.overview``), then exits. No Qt.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m bench.open_probe WORKSPACE", file=sys.stderr)
        return 2
    from qms_desktop.services.overview import overview
    from qms_desktop.storage.workspace import open_workspace

    with open_workspace(Path(args[0])) as ws:
        ov = overview(ws)
    print(f"{sum(ov.counts.values()):,} records and events counted", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
