"""Run a command and print its peak resident memory: ``python -m bench.peak_rss -- CMD ...``.

Prints one JSON line ``{"rc": EXIT_CODE, "peak_rss_mb": MB, "seconds": WALL}`` on stdout (the
command's own output goes to stderr). The peak comes from ``getrusage(RUSAGE_CHILDREN)``, so this
wrapper must run only the one command; it is a separate process for exactly that reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time


def peak_children_mb() -> float | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    raw = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # Linux reports kilobytes, macOS bytes
    return raw / (1024 * 1024) if sys.platform == "darwin" else raw / 1024


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        print("usage: python -m bench.peak_rss -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    start = time.perf_counter()
    proc = subprocess.run(args, stdout=sys.stderr, stderr=sys.stderr)
    wall = time.perf_counter() - start
    print(json.dumps({"rc": proc.returncode, "peak_rss_mb": peak_children_mb(),
                      "seconds": wall}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
