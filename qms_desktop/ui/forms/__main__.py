"""Regenerate the compiled forms: ``python -m qms_desktop.ui.forms [--check]``.

Without options, writes ``qms_desktop/ui/forms/ui_<name>.py`` for every ``forms/<name>.ui``.
With ``--check``, writes nothing and exits 1 when a compiled module is missing or out of date.
"""

from __future__ import annotations

import argparse
import sys

from .build import FORMS_DIR, PACKAGE_DIR, comparable, compile_ui, module_name, ui_files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qms_desktop.ui.forms",
                                     description="Compile the Qt Designer forms with pyside6-uic.")
    parser.add_argument("--check", action="store_true",
                        help="only check that the compiled modules are current")
    args = parser.parse_args(argv)
    files = ui_files()
    if not files:
        print(f"no .ui files found in {FORMS_DIR}", file=sys.stderr)
        return 1
    stale = []
    for ui in files:
        try:
            source = compile_ui(ui)
        except RuntimeError as e:
            print(e, file=sys.stderr)
            return 1
        target = PACKAGE_DIR / module_name(ui)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current is not None and comparable(current) == comparable(source):
            continue
        stale.append(target.name)
        if not args.check:
            target.write_text(source, encoding="utf-8", newline="\n")
            print(f"wrote {target.name}")
    if args.check and stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
