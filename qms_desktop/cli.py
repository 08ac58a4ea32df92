"""``qms``: the headless command line. Same services as the GUI, no Qt unless a command renders.

Shape: ``qms VERB [KIND] WORKSPACE [ARGS] [-o OUT]``. Exit 0 on success; otherwise a one-line
reason on stderr and a non-zero code (1: the check failed / bad input, 2: usage).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from . import __version__


class CliError(Exception):
    """A one-line reason for the user; exits with ``code``."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def _open(path: str, *, write: bool = False):
    from .storage.workspace import open_workspace

    ws = open_workspace(Path(path), read_only=not write)
    if ws.info.notice:  # a change a stopped writer left unfinished was undone: say so
        print(f"qms: {ws.info.notice}", file=sys.stderr)
    return ws


def _history(ws):
    """The app's check of the log of heads seen (services/heads.check) on ``ws``; the note of a
    log that had to be started afresh is printed. The command line never dismisses a finding."""
    from .services import heads

    try:
        found = heads.check(heads.log_folder(), ws)
    except OSError as e:
        print(f"qms: the log of audit heads seen could not be read ({e.strerror or e})",
              file=sys.stderr)
        return heads.Finding()
    if found.note:
        print(f"qms: {found.note}", file=sys.stderr)
    return found


# --------------------------------------------------------------------------- commands


def cmd_demo(args) -> int:
    from .services.demo import create_demo
    from .storage.workspace import SUFFIX

    target = Path(args.out)
    if target.suffix.lower() != SUFFIX:
        target = target.with_name(target.name + SUFFIX)
    if target.exists() and not target.is_dir() and not args.force:
        # (the service's sentence speaks to the GUI; here the answer is the flag)
        raise CliError(f"{target} already exists; add --force to replace it")
    out = create_demo(Path(args.out), overwrite=args.force)
    print(f"created demo workspace {out}")
    return 0


#: a suffix that is a file type ("x.xlsx"), not part of a name ("ACME v1.2", "Smith & Co. KG")
_FILE_TYPE = re.compile(r"\.(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,5}$")


def _workspace_target(out: str) -> Path:
    """The workspace file ``qms new`` creates for OUT (.qms added), or a CliError saying why
    OUT cannot be one."""
    from .storage.workspace import SUFFIX

    if not out.strip():
        raise CliError("give the workspace a file name, for example: qms new acme.qms", 2)
    given = Path(out)
    if given.is_dir():
        raise CliError(f"{given} is a folder; give a file name for the workspace, for example "
                       f"{given / ('workspace' + SUFFIX)}")
    suffix = given.suffix
    if suffix.lower() != SUFFIX and _FILE_TYPE.search(given.name):
        raise CliError(f"{given.name} ends in {suffix}, but a workspace file ends in {SUFFIX}; "
                       f"name it {given.with_suffix(SUFFIX).name} (or "
                       f"{given.name}{SUFFIX} to keep the dot in the name)")
    target = given if suffix.lower() == SUFFIX else given.with_name(given.name + SUFFIX)
    for folder in target.parents:  # the nearest part of the path that exists must be a folder
        if folder.exists():
            if not folder.is_dir():
                raise CliError(f"{folder} is a file, not a folder; choose a folder for the "
                               "workspace")
            break
    return target


def cmd_new(args) -> int:
    from .storage.workspace import create_workspace

    target = _workspace_target(args.out)
    if target.is_dir():
        raise CliError(f"{target} is a folder; give a file name for the workspace")
    if target.exists() and not args.force:
        raise CliError(f"{target} already exists; add --force to replace it")
    if not target.parent.is_dir():
        raise CliError(f"the folder {target.parent} does not exist; create it first")
    organization = " ".join((args.organization or "").split())
    ws = create_workspace(target, organization=organization, overwrite=args.force)
    ws.close()
    named = f" for {organization}" if organization else ""
    print(f"created empty workspace {target}{named}")
    return 0


def cmd_info(args) -> int:
    from .services.overview import overview

    with _open(args.workspace) as ws:
        ov = overview(ws)
        found = _history(ws)
    if found.problem:
        print(f"qms: {found.problem}", file=sys.stderr)
    if args.json:
        print(json.dumps(ov.as_dict(), indent=2, ensure_ascii=False))
        return 0
    print(f"workspace      {ov.path}")
    print(f"organization   {ov.organization or '-'}")
    for label, n in ov.counts.items():
        print(f"{label.replace('_', ' '):<20} {n:>8,}")
    print(f"{'open actions':<20} {ov.open_actions:>8,}  ({ov.overdue_actions:,} overdue)")
    print(f"audit head     {ov.head_hash} @ event {ov.head_event}")
    return 0


def cmd_processes(args) -> int:
    from .services.processes import list_processes

    with _open(args.workspace) as ws:
        rows = list_processes(ws)
    if args.json:
        print(json.dumps([{"id": r.id, "code": r.code or "", "name": r.name, "steps": r.steps,
                           "status": r.status or ""} for r in rows], indent=2,
                         ensure_ascii=False))
        return 0
    if not rows:
        print("no processes")
        return 0
    wid = max(2, *(len(str(r.id)) for r in rows))
    wcode = max(4, *(len(r.code or "") for r in rows))
    wname = max(4, *(len(" ".join(r.name.split())) for r in rows))
    print(f"{'id':>{wid}}  {'code':<{wcode}}  {'name':<{wname}}  {'steps':>5}  status")
    for r in rows:
        print(f"{r.id:>{wid}}  {(r.code or '-'):<{wcode}}  {' '.join(r.name.split()):<{wname}}  "
              f"{r.steps:>5}  {(r.status or '-').replace('_', ' ')}")
    return 0


def cmd_nonconformities(args) -> int:
    from .services.nonconformities import list_nonconformities

    with _open(args.workspace) as ws:
        rows = list_nonconformities(ws)
    if args.json:
        print(json.dumps([{"id": r.id, "ref": r.ref, "status": r.status, "title": r.title}
                          for r in rows], indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("no nonconformities")
        return 0
    wref = max(3, *(len(r.ref) for r in rows))
    print(f"{'ID':<{wref}}  {'status':<13}  title")
    for r in rows:
        print(f"{r.ref:<{wref}}  {r.status:<13}  {' '.join(r.title.split())}")
    return 0


def cmd_verify(args) -> int:
    from .services.audit_trail import parse_stamp
    from .services.verify import check_expected, verify

    try:
        expected = [parse_stamp(e) for e in args.expect or ()]
    except ValueError as e:
        raise CliError(str(e), 2) from None
    with _open(args.workspace) as ws:
        say = (lambda m: print(m, file=sys.stderr)) if args.verbose else None
        rep = verify(ws, progress=say)
        if expected:  # said first: a missing head explains the mismatches that follow it
            rep.problems[:0] = check_expected(ws, expected)
        found = _history(ws)  # the heads this app and qms saw before, as the app checks them
        if found.untrusted:
            rep.problems[:0] = [found.problem]
        elif found.problem:  # an older copy, or one edited apart: said, not failed
            print(f"qms: {found.problem}", file=sys.stderr)
    if rep.ok:
        held = f"; the {len(expected)} expected heads are in it" if len(expected) > 1 else \
            "; the expected head is in it" if expected else ""
        print(f"ok: file intact, {rep.events:,} audit events chained, {rep.records:,} records "
              f"match their trail; head {rep.head_hash} @ event {rep.events}{held}")
        return 0
    print(f"qms: verify failed: {rep.first_problem}", file=sys.stderr)
    for p in rep.problems[1:]:
        print(f"  also: {p}", file=sys.stderr)
    return 1


def cmd_backup(args) -> int:
    dest = Path(args.dest)
    if dest.is_dir():
        dest = dest / Path(args.workspace).name
    if dest.suffix.lower() != ".qms":
        dest = dest.with_name(dest.name + ".qms")
    if dest.exists() and not args.force:
        raise CliError(f"{dest} already exists; add --force to replace it")
    with _open(args.workspace) as ws:
        dest = ws.save_copy(dest)
        _note_head(ws, dest, "backup")
    print(f"copied to {dest}")
    return 0


def cmd_recover(args) -> int:
    from .storage.workspace import ReadOnlyFileError, open_workspace

    path = Path(args.workspace)
    try:
        ws = open_workspace(path, recover=True)
    except ReadOnlyFileError:
        raise CliError(f"{path.name} is read-only (or its folder is), so it cannot be recovered "
                       f"where it is; copy it together with {path.name}-journal (if there is "
                       "one) to a folder you can write to and run qms recover on the copy") \
            from None
    with ws:
        info = ws.info
    if info.notice:
        kept = (f" The file as it was before, with its journal, is kept in "
                f"“{info.safety_copy}”.") if info.safety_copy else ""
        print(info.notice + kept)
    elif info.journal_removed:
        print(f"“{path.name}” was not closed properly last time, but no change was under way: "
              "nothing was lost, and the empty journal it left was removed.")
    else:
        print(f"nothing to recover: “{path.name}” was closed properly; its pages were checked "
              "and it is ready to use.")
    return 0


def _print_import(report, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str))
        return
    for line in _reading_lines(report):
        print(line)
    for r in report.rows:
        if r.messages or r.status != "ok":
            rows = f"{r.row_number}" if r.last_row in (0, r.row_number) else \
                f"{r.row_number}-{r.last_row}"
            skipped = " (skipped)" if r.status == "error" and report.skip_invalid else ""
            print(f"row {rows:>5}  {r.status:<7}  {r.ref}  " + "; ".join(r.messages) + skipped)
    told = [r for r in getattr(report, "action_rows", []) if r.messages or r.status != "ok"]
    if told:
        print(f"rows of sheet “{report.action_sheet}”:")
    for r in told:
        skipped = " (skipped)" if r.status == "error" and report.skip_invalid else ""
        print(f"row {r.row_number:>5}  {r.status:<7}  {r.ref or '(no ID)'} → "
              f"{r.risk_ref or '(no risk)'}  " + "; ".join(r.messages) + skipped)
    for n in getattr(report, "notes", []):
        print(f"note: {n}")
    print(report.summary())


def _reading_lines(report) -> list[str]:
    """How the file was read: sheet, header row, column → field, ratings read from text."""
    lines = [f"sheet “{report.sheet}”, header row {report.header_row}"]
    for passed in report.passed_over:
        lines.append(f"  (sheet “{passed['sheet']}” not read: {passed['reason']})")
    if getattr(report, "action_sheet", ""):
        lines.append(report.actions_read())
    lines.append("columns:")
    width = max([len(c["header"].replace("\n", " ")) for c in report.columns] + [6])
    width = min(width, 48)
    for c in report.columns:
        header = " ".join(c["header"].split()) or "(no header)"
        if len(header) > width:
            header = header[:width - 1] + "…"
        target = f"{c['field']} ({c['label']})" if c["field"] else c["label"]
        lines.append(f"  {c['column']:>3}  {header:<{width}}  → {target}")
    for rating in report.ratings:
        shown = sorted(rating["values"], key=lambda v: (v["number"] is None, v["number"] or 0))
        values = ", ".join(f"{v['text']} → " + (str(v["number"]) if v["number"] is not None
                                                 else "empty" if v["how"] == "placeholder"
                                                 else "?") for v in shown[:12])
        more = ", …" if len(rating["values"]) > 12 else ""
        lines.append(f"ratings in {rating['column']} “{' '.join(rating['header'].split())}” "
                     f"({rating['field']}, 1–{rating['scale']}; {rating['rule']}): "
                     f"{values}{more}")
    for skipped in report.skipped:
        rows = (f"rows {skipped['row']}-{skipped['last_row']}"
                if skipped["last_row"] != skipped["row"] else f"row {skipped['row']}")
        lines.append(f"{rows}: no risk ({skipped['reason']})")
    return lines


#: the GUI's choices in the service's row messages, and the flags that are those choices here
_GUI_CHOICES = ((re.compile(r"\(choose [“\"']give new IDs[”\"'] to import this row under a new "
                            r"ID, or [“\"']update existing[”\"'] to overwrite (the existing "
                            r"risk \S+) with it\)"),
                 r"(add --renumber to import this row under a new ID, or --update-existing to "
                 r"overwrite \1 with this row)"),
                (re.compile(r"\(choose [“\"']give new IDs[”\"'] or [“\"']update existing[”\"']\)"),
                 r"(add --renumber to import the action under a new ID, or --update-existing "
                 r"to overwrite the existing action with it)"))


def _cli_words(message: str) -> tuple[str, bool]:
    """A service message with the GUI's choice replaced by the command-line flag; True when
    something was replaced."""
    hit = False
    for pattern, flag in _GUI_CHOICES:
        message, n = pattern.subn(flag, message)
        hit = hit or n > 0
    return message, hit


def cmd_import_risks(args) -> int:
    from .services.risks import import_risks

    if args.update_existing and args.renumber:
        raise CliError("choose either --renumber or --update-existing, not both", 2)
    on_existing = "update" if args.update_existing else \
        "renumber" if args.renumber else "error"
    with _open(args.workspace, write=not args.dry_run) as ws:
        rep = import_risks(ws, Path(args.file), sheet=args.sheet, dry_run=args.dry_run,
                           on_existing=on_existing,
                           column_map=args.map or (), skip_invalid=args.skip_invalid)
    for r in [*rep.rows, *rep.action_rows]:
        r.messages[:] = [_cli_words(msg)[0] for msg in r.messages]
    # what to do about IDs that already exist is said once, at the end (not on every row)
    existing = rep.clashes + rep.action_clashes
    _print_import(rep, args.json)
    if not rep.rows:
        raise CliError(f"no risk rows were found in {Path(args.file).absolute()}; check that "
                       "it is the register and that its header row names the columns (for "
                       "example ID, Title, Likelihood, Impact)")
    hint = (f"; {existing} of them have an ID that already exists: add --renumber to give "
            "those rows new IDs (--update-existing would overwrite the existing risks with "
            "those IDs)" if existing else "")
    if rep.errors and not args.skip_invalid:
        raise CliError(f"{rep.errors} rows have errors; nothing was imported{hint}"
                       + (", or add" if hint else " (or add")
                       + " --skip-invalid to import the other rows" + ("" if hint else ")"))
    if rep.errors and not (rep.created or rep.updated):
        raise CliError(f"all {rep.errors} rows have errors; nothing was imported{hint}")
    if existing and not args.json:  # (skipped rows): what to do about them, once
        print(f"note: {existing} rows have an ID that already exists: add --renumber to give "
              "those rows new IDs (--update-existing would overwrite the existing records "
              "with those IDs)")
    return 0


def cmd_import_training(args) -> int:
    import datetime as dt

    from .services.imports.training import ImportOptions, import_training

    undated = None
    if args.undated_as:
        try:
            undated = dt.date.fromisoformat(args.undated_as)
        except ValueError:
            raise CliError(f"--undated-as “{args.undated_as}” is not a date; write it as "
                           "YYYY-MM-DD", 2) from None
    options = ImportOptions(date_order=args.date_order, undated_as=undated, shape=args.shape,
                            new_people=args.new_person or (), new_courses=args.new_course or ())
    with _open(args.workspace, write=not args.dry_run) as ws:
        rep = import_training(ws, Path(args.file), sheet=args.sheet, column_map=args.map or (),
                              options=options, dry_run=args.dry_run,
                              skip_errors=args.skip_errors)
    if args.json:
        print(json.dumps(rep.as_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        print("\n".join(rep.lines()))
    for kind, name in rep.unmatched_new:
        what = "name" if kind == "person" else "course"
        print(f"warning: --new-{kind} “{name}” matches no {what} in the file, so it "
              "confirms nothing", file=sys.stderr if args.json else sys.stdout)
    if rep.problem:
        raise CliError(rep.problem.rstrip("."))
    if not rep.rows:
        raise CliError(f"no rows with people or training were found in "
                       f"{Path(args.file).absolute()}")
    if rep.errors and not args.skip_errors:
        import shlex

        near = [f"--new-person {shlex.quote(p.name)}" for p in rep.people
                if p.near and not p.confirmed]
        near += [f"--new-course {shlex.quote(c.label)}" for c in rep.courses if c.blocked]
        hint = ("; a name that only looks like one in the workspace and really is new is "
                "confirmed with " + " ".join(near[:5]) + (" …" if len(near) > 5 else "")
                if near else "")
        raise CliError(f"{rep.errors} {'row has' if rep.errors == 1 else 'rows have'} errors; "
                       f"nothing {'would be' if args.dry_run else 'was'} imported (add "
                       f"--skip-errors to import the other rows{hint})")
    return 0


def _need_suffix(path: str, *suffixes: str) -> Path:
    p = Path(path)
    if p.suffix.lower() not in suffixes:
        raise CliError(f"{p.name}: the output must end with {' or '.join(suffixes)}", 2)
    return p


def _note_head(ws, copy: Path, why: str) -> None:
    """Note, in the log of heads seen, the head of ``copy`` (just taken of ``ws``) as seen in
    ``ws``."""
    from .services import heads
    from .services.audit_trail import head_stamp
    from .storage.workspace import WorkspaceError, open_workspace

    try:
        with open_workspace(copy, read_only=True) as c:
            stamp = head_stamp(c)
        note = heads.record(heads.log_folder(), ws, why, stamp=stamp)
    except (OSError, WorkspaceError) as e:
        note = (f"the audit head could not be noted in the log of heads seen "
                f"({getattr(e, 'strerror', None) or e})")
    if note:
        print(f"qms: {note}", file=sys.stderr)


def _exported(ws, before: tuple[str, int], out: Path, what: str = "") -> None:
    """After an export: note the head the file carries in the log of heads seen (as the app
    does) and print it, so that it can be compared with the file later (``what``: the record
    written, printed in brackets after the file)."""
    from .services import heads
    from .services.audit_trail import head_stamp, stamp_text

    after = head_stamp(ws)
    try:
        note = heads.record(heads.log_folder(), ws, "export", stamp=after)
    except OSError as e:
        note = (f"the audit head could not be noted in the log of heads seen "
                f"({e.strerror or e})")
    if note:
        print(f"qms: {note}", file=sys.stderr)
    meanwhile = "" if after == before else \
        " (the workspace was edited during the export: check the head written in the file)"
    what = f" ({what})" if what else ""
    print(f"wrote {out}{what} — {stamp_text(*after)}{meanwhile}")


def cmd_export_risks(args) -> int:
    from .services.audit_trail import head_stamp
    from .services.risks import export_risks

    _need_suffix(args.output, ".xlsx")
    with _open(args.workspace) as ws:
        before = head_stamp(ws)
        out = export_risks(ws, Path(args.output))
        _exported(ws, before, out)
    return 0


def cmd_import_map(args) -> int:
    if args.into is not None:
        return _import_map_into(args)
    if args.dry_run:
        return _import_map_dry_run(args)
    from .services.processes import import_map_file, remark_prefix

    with _open(args.workspace, write=True) as ws:
        got = import_map_file(ws, Path(args.file), args.kind, name=args.name,
                              page=getattr(args, "page", None)).result
    if args.json:
        from dataclasses import asdict

        print(json.dumps(asdict(got), indent=2, ensure_ascii=False))
        return 0
    for w in got.warnings:
        print(remark_prefix(w), w)
    print(f"created process {got.process_id} “{got.name}”: {got.nodes} shapes, {got.edges} "
          f"connectors, {got.lanes} lanes")
    return 0


def _import_map_dry_run(args) -> int:
    """``--dry-run`` without ``--into``: what a new process would get (under the very name a
    real import would give it); the workspace is opened read-only, nothing is written."""
    from .services.processes import read_map, remark_prefix, unique_name

    with _open(args.workspace) as ws:  # a missing or foreign file fails as a real import does
        got = read_map(Path(args.file), args.kind, page=getattr(args, "page", None))
        name = unique_name(ws, args.name or got.name)
    pm = got.map
    if args.json:
        print(json.dumps({"dry_run": True, "name": name, "nodes": len(pm.nodes),
                          "edges": len(pm.edges), "lanes": len(pm.lanes),
                          "warnings": got.warnings}, indent=2, ensure_ascii=False))
        return 0
    for w in got.warnings:
        print(remark_prefix(w), w)
    print(f"would create process “{name}”: {len(pm.nodes)} shapes, {len(pm.edges)} connectors, "
          f"{len(pm.lanes)} lanes (dry run: nothing was changed)")
    return 0


def _import_map_into(args) -> int:
    """``--into PROCESS``: update that process's map from the file (``--dry-run``: report only)."""
    from .services.processes import (fields_text, process_id_by_ref, remark_prefix,
                                     update_map_from_file)

    if args.name:
        raise CliError("--name cannot be used with --into: the process keeps its name.", 2)
    with _open(args.workspace, write=not args.dry_run) as ws:
        pid = process_id_by_ref(ws, args.into)
        rep = update_map_from_file(ws, pid, Path(args.file), args.kind,
                                   dry_run=args.dry_run, page=getattr(args, "page", None)).result
    if args.json:
        print(json.dumps(rep.as_dict(), indent=2, ensure_ascii=False))
        return 0
    for w in rep.warnings:
        print(remark_prefix(w), w)
    for it in rep.items:
        if it.action in ("added", "updated", "removed", "kept"):
            what = {"node": "shape", "edge": "connector", "lane": "lane"}[it.entity]
            line = f"{it.action:<9} {what:<9} {it.name or it.key}"
            if it.action == "updated":
                line += f"  ({fields_text(it.fields)})"
            if it.action == "kept":
                line += "  (not in the file)"
            print(line)
    for it in rep.removed_with_links:
        print(f"warning: the removed step “{it.name or it.key}” had {it.links_text()}; "
              "those links are removed with it")
    source = Path(args.file).name
    if not rep.writes:
        print(f"nothing to update: process {rep.process_id} “{rep.process_name}” already "
              f"matches {source}: {rep.summary()}")
        return 0
    verb = "would update" if rep.dry_run else "updated"
    print(f"{verb} process {rep.process_id} “{rep.process_name}” from {source}: "
          f"{rep.summary()}" + (" (dry run: nothing was changed)" if rep.dry_run else ""))
    return 0


def cmd_export_bpmn(args) -> int:
    from .services.processes import export_bpmn_file, process_id_by_ref

    from .services.audit_trail import head_stamp

    _need_suffix(args.output, ".bpmn", ".xml")
    with _open(args.workspace) as ws:
        before = head_stamp(ws)
        out = export_bpmn_file(ws, process_id_by_ref(ws, args.process), Path(args.output))
        _exported(ws, before, out)
    return 0


def cmd_export_diagram(args) -> int:
    from .services.processes import process_id_by_ref

    from .services.audit_trail import head_stamp

    _need_suffix(args.output, ".png", ".svg", ".pdf")
    with _open(args.workspace) as ws:
        before = head_stamp(ws)
        pid = process_id_by_ref(ws, args.process)
        from .ui.flowchart.render import PageOptions, render_map  # Qt only because it renders

        # render_map refuses page options for PNG and SVG (one check, one message)
        pages = PageOptions(mode=args.pages, paper=args.paper, orientation=args.orientation,
                            scale=args.scale)
        out = render_map(ws, pid, Path(args.output), dpi=args.dpi,
                         pages=None if pages == PageOptions() else pages)
        _exported(ws, before, out)
    return 0


#: kinds of controlled document in the manual, in this order (as the app's Export manual)
MANUAL_KINDS = ("policy", "procedure", "work_instruction")


def _map_drawer(ws):
    """A ``map_png=`` callable for the Word exports: the process map drawn as the app draws it
    (``ui.documents.exporting.map_png``: Qt, imported only when a document has a process, as
    ``qms export diagram`` does), once per process; a map that cannot be drawn is left out
    with a note on stderr."""
    drawn: dict[int, bytes | None] = {}

    def draw(pid: int):
        if pid in drawn:
            return drawn[pid]
        try:
            from .ui.documents.exporting import map_png  # Qt only because it renders

            drawn[pid] = map_png(ws, pid)
        except Exception as e:  # the map is left out, never the document
            print(f"qms: the process map could not be drawn ({str(e).rstrip('.')}); the "
                  "document is written without it", file=sys.stderr)
            drawn[pid] = None
        return drawn[pid]

    return draw


def _template(path: str | None) -> Path | None:
    if not path:
        return None
    t = Path(path)
    if not t.is_file():
        raise CliError(f"the template {t} does not exist (give a .docx letterhead)")
    return t


def cmd_export_procedure(args) -> int:
    from .services import documents
    from .services.audit_trail import head_stamp
    from .services.exports.procedure_docx import write_procedure

    out = _need_suffix(args.output, ".docx")
    template = _template(args.template)
    with _open(args.workspace) as ws:
        before = head_stamp(ws)
        doc = documents.find_document(ws, args.document)
        rid = None
        if args.revision:
            revs = documents.revisions(ws, doc.id)
            hit = [r for r in revs if r.number.casefold() == args.revision.strip().casefold()]
            if not hit:
                have = ", ".join(r.number for r in reversed(revs)) or "none"
                raise CliError(f"{doc.number} has no revision “{args.revision}” (its "
                               f"revisions: {have})")
            rid = hit[0].id
        data = documents.procedure_export_data(ws, doc.id, rid, map_png=_map_drawer(ws))
        out = write_procedure(data, out, template=template)
        _exported(ws, before, out)
    return 0


def cmd_export_review(args) -> int:
    from .services import review
    from .services.audit_trail import head_stamp
    from .services.exports.review_docx import export_review

    out = _need_suffix(args.output, ".docx")
    template = _template(args.template)
    with _open(args.workspace) as ws:
        before = head_stamp(ws)
        row = review.find_review(ws, args.review)
        out = export_review(ws, row.id, out, template=template)
        _exported(ws, before, out)
    return 0


def cmd_export_8d(args) -> int:
    from .services import nonconformities
    from .services.audit_trail import head_stamp
    from .services.exports.eightd_docx import export_data, write_8d

    out = _need_suffix(args.output, ".docx")
    template = _template(args.template)
    with _open(args.workspace) as ws:
        before = head_stamp(ws)
        nc = nonconformities.find(ws, args.nonconformity)
        out = write_8d(export_data(ws, nc.id), out, template=template)
        _exported(ws, before, out, f"{nc.ref} {' '.join(nc.title.split())}")
    return 0


def cmd_export_manual(args) -> int:
    from .services import documents
    from .services.audit_trail import head_stamp
    from .services.exports.procedure_docx import write_manual

    out = _need_suffix(args.output, ".docx")
    template = _template(args.template)
    with _open(args.workspace) as ws:
        before = head_stamp(ws)
        rows = sorted((r for r in documents.list_documents(ws)
                       if r.status == "effective" and r.kind in MANUAL_KINDS and r.in_force_id),
                      key=lambda r: (MANUAL_KINDS.index(r.kind), r.number.casefold()))
        if not rows:
            raise CliError("no policy, procedure or work instruction is in force, so there is "
                           "no manual to write")
        draw = _map_drawer(ws)
        items = (documents.procedure_export_data(ws, r.id, map_png=draw) for r in rows)

        def progress(done: int, total: int) -> None:
            if 0 < done <= len(rows):
                print(f"qms: {done}/{total} {rows[done - 1].name}", file=sys.stderr)

        out = write_manual(items, out, template=template, count=len(rows), progress=progress,
                           title=args.title or "Quality management system manual")
        _exported(ws, before, out)
    return 0


def cmd_import_docx(args) -> int:
    from .services import documents
    from .services.imports.docx_procedure import DocxProblem, read_folder, read_procedure

    skip = set(args.skip or ())
    found: list = []        # (path, DocxProcedure | None, problem)
    for given in args.files:
        p = Path(given)
        if p.is_dir():
            for got in read_folder(p):
                found.append((got.path, None, got.message) if isinstance(got, DocxProblem)
                             else (got.path, got, ""))
        else:
            try:
                found.append((p, read_procedure(p), ""))
            except ValueError as e:  # DocxReadError: one sentence naming the file
                found.append((p, None, str(e)))
    names = {p.name for p, _i, _m in found}
    unknown = sorted(skip - names)
    if unknown:
        raise CliError(f"--skip {unknown[0]}: no such file among those given", 2)
    with _open(args.workspace) as ws:
        used = {d.number.casefold(): d.number for d in documents.list_documents(ws)}
    problems, paths = 0, []
    for p, info, problem in found:
        if p.name in skip:
            print(f"{p.name}: skipped")
            continue
        number = (info.number or "").strip() if info is not None else ""
        if info is not None and number and number.casefold() in used:
            problem = f"the number {number} is already registered"
        if problem:
            problems += 1
            print(f"{p.name}: cannot be registered: {problem}")
            continue
        if number:
            used[number.casefold()] = number
        paths.append(p)
        print(f"{p.name}: {number or '(next free number)'} rev {info.revision or 'A'} "
              f"“{info.title or p.stem}” ({info.kind.replace('_', ' ')}, "
              f"{len(info.sections)} sections)")
        for w in info.warnings:
            print(f"  warning: {w}")
    if problems:
        raise CliError(f"{problems} file{'s' if problems != 1 else ''} cannot be registered; "
                       "nothing was registered (leave them out with --skip NAME)")
    if not paths:
        raise CliError("there is no Word file (.docx) to register")
    if args.dry_run:
        print(f"would register {len(paths)} document{'s' if len(paths) != 1 else ''} (dry "
              "run: nothing was changed)")
        return 0
    with _open(args.workspace, write=True) as ws:
        ids = documents.register_files(ws, paths, import_sections=not args.no_sections).result
        numbers = [r.number for r in documents.get_documents(ws, ids)]
    print(f"registered {len(ids)} document{'s' if len(ids) != 1 else ''} in force from today: "
          + ", ".join(numbers))
    return 0


def _read_password(prompt: str, *, stdin: bool, twice: bool) -> str:
    import getpass

    if stdin:
        line = sys.stdin.readline()
        if not line:
            raise CliError("--password-stdin: no password was given on standard input", 2)
        return line.rstrip("\r\n")
    first = getpass.getpass(prompt)
    if twice and getpass.getpass("Repeat it: ") != first:
        raise CliError("the two passwords differ; nothing was changed")
    return first


def cmd_users_add(args) -> int:
    from .services import documents

    rights = [r.strip() for r in (args.rights or "authored,reviewed,approved").split(",")
              if r.strip()]
    with _open(args.workspace, write=True) as ws:
        first = not documents.has_users(ws)
        if not first and not args.admin:
            raise CliError("this workspace already has signing users, so an administrator "
                           "confirms a new one: add --admin NAME")
        password = _read_password(f"Password for {args.username}: ",
                                  stdin=args.password_stdin, twice=True)
        from .core.signatures import password_problem

        problem = password_problem(password, username=args.username.strip())
        if problem:  # said before the administrator is asked
            raise CliError(problem.rstrip("."))
        admin = None
        if not first:
            admin = (args.admin, _read_password(f"Password of the administrator {args.admin}: ",
                                                stdin=args.password_stdin, twice=False))
        documents.add_user(ws, args.username, args.full_name, password, rights=rights,
                           is_admin=args.make_admin, admin=admin)
    role = " — the workspace's first user, its administrator" if first else \
        " (administrator)" if args.make_admin else ""
    print(f"added signing user {args.username} “{' '.join(args.full_name.split())}”, may sign "
          f"as {', '.join(rights)}{role}")
    return 0


def cmd_users_list(args) -> int:
    from .services import documents

    with _open(args.workspace) as ws:
        rows = documents.list_users(ws)
    if not rows:
        print("no signing users")
        return 0
    for u in rows:
        flags = [x for x, on in (("administrator", u.is_admin), ("inactive", not u.active)) if on]
        print(f"{u.username:<16} {u.full_name:<28} {','.join(u.rights) or '-'}"
              + (f"  ({', '.join(flags)})" if flags else ""))
    return 0


def cmd_export_training_matrix(args) -> int:
    from .services.audit_trail import head_stamp, stamp_text
    from .services.exports import training_xlsx
    from .services.training import load_matrix

    out = _need_suffix(args.output, ".xlsx", ".pdf")
    if args.window is not None and not 1 <= args.window <= 3650:
        raise CliError("--window must be between 1 and 3650 days", 2)
    with _open(args.workspace) as ws:
        before = head_stamp(ws)
        matrix = load_matrix(ws, window=args.window)
        if out.suffix.lower() == ".pdf":
            from .ui.training.print import write_matrix_pdf  # Qt only because it paints

            out = write_matrix_pdf(matrix, out, title="Training matrix",
                                   head_text=stamp_text(*before))
        else:
            out = training_xlsx.write_matrix_xlsx(matrix, out, head_hash=before[0],
                                                  head_event=before[1])
        _exported(ws, before, out)
    return 0


def cmd_export_training_record(args) -> int:
    from .services.audit_trail import head_stamp, stamp_text
    from .services.exports import training_xlsx

    out = _need_suffix(args.output, ".pdf", ".xlsx")
    with _open(args.workspace) as ws:
        before = head_stamp(ws)
        record = training_xlsx.load_record(ws, training_xlsx.person_id_by_ref(ws, args.person))
        if out.suffix.lower() == ".pdf":
            from .ui.training.print import write_record_pdf  # Qt only because it paints

            out = write_record_pdf(record, out, head_text=stamp_text(*before))
        else:
            out = training_xlsx.write_record_xlsx(record, out, head_hash=before[0],
                                                  head_event=before[1])
        _exported(ws, before, out)
    return 0


def cmd_export_checklist(args) -> int:
    from .services.audit_trail import head_stamp
    from .services.exports import checklist_xlsx

    out = _need_suffix(args.output, ".pdf", ".docx", ".xlsx")
    with _open(args.workspace) as ws:
        before = head_stamp(ws)
        kind, rid = checklist_xlsx.checklist_ref(ws, args.checklist)
        tid, run = (rid, None) if kind == "template" else (None, rid)
        blank = True if (args.blank or run is None) else False
        doc = checklist_xlsx.load_checklist(ws, tid, run, blank=blank)
        suffix = out.suffix.lower()
        if suffix == ".pdf":
            from .ui.checklists.print import paint_checklist  # Qt only because it paints

            out = paint_checklist(doc, out)[0]
        elif suffix == ".docx":
            from .services.exports.checklist_docx import write_checklist_docx

            out = write_checklist_docx(doc, out)
        else:
            out = checklist_xlsx.write_checklist_xlsx(doc, out)
        _exported(ws, before, out)
    return 0


def cmd_export_audit_report(args) -> int:
    from .services.audit_trail import head_stamp
    from .services.exports import checklist_xlsx
    from .services.exports.checklist_docx import write_audit_report_docx

    out = _need_suffix(args.output, ".docx")
    with _open(args.workspace) as ws:
        before = head_stamp(ws)
        kind, rid = checklist_xlsx.checklist_ref(ws, args.run)
        if kind != "run":
            raise CliError(f"“{args.run}” is a checklist template; an audit report is written "
                           "for a run (give its code)")
        out = write_audit_report_docx(checklist_xlsx.load_checklist(ws, run_id=rid,
                                                                    blank=False), out)
        _exported(ws, before, out)
    return 0


def _audit_log_day(text: str | None, option: str):
    """A --since/--until day (ISO or a form core/dates.py reads), or a CliError."""
    from .core.dates import read_date

    if text is None:
        return None
    got = read_date(text)
    if got.date is None:
        raise CliError(f"{option}: {got.problem or f'“{text}” is not a date'}", 2)
    return got.date


def cmd_export_audit_log(args) -> int:
    from .services.audit_trail import AuditFilter, head_stamp, users
    from .services.exports import audit_log_xlsx

    out = _need_suffix(args.output, ".xlsx")
    since = _audit_log_day(args.since, "--since")
    until = _audit_log_day(args.until, "--until")
    if since and until and since > until:
        raise CliError(f"--since {since} is after --until {until}", 2)
    try:
        entity = audit_log_xlsx.entity_by_word(args.entity) if args.entity else ""
    except ValueError as e:
        raise CliError(f"--entity: {e}", 2) from None
    with _open(args.workspace) as ws:
        user = ""
        if args.user is not None:
            known = users(ws)
            same = [u for u in known if u.casefold() == args.user.strip().casefold()]
            if args.user in known or len(same) == 1:
                user = args.user if args.user in known else same[0]
            else:
                raise CliError(f"--user: “{args.user}” made no change in this workspace; "
                               f"users who did: {', '.join(known) or 'none'}")
        flt = AuditFilter(entity=entity, exact_user=user,
                          since=since.isoformat() if since else "",
                          until=until.isoformat() if until else "")
        before = head_stamp(ws)
        got = audit_log_xlsx.export_audit_log(ws, out, flt=flt,
                                              full_verify=args.full_verify)
        print(f"{got.events:,} events on {', '.join(got.trail_sheets)}, {got.findings:,} "
              f"findings, {got.approvals:,} document approvals; {got.check}")
        _exported(ws, before, got.path)
    return 0


# --------------------------------------------------------------------------- parser


#: how PROCESS is given, in the help of every command taking one
PROCESS_HELP = "id, exact name or code; `qms processes WS` lists them"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="qms", description="QMS Workbench on the command line (headless).")
    p.add_argument("--version", action="version", version=f"qms {__version__}")
    sub = p.add_subparsers(dest="verb", metavar="VERB", required=True)

    s = sub.add_parser("demo", help="create the demo workspace",
                       description="Create a realistic demo workspace (a small manufacturer).")
    s.add_argument("out", metavar="OUT.qms")
    s.add_argument("--force", action="store_true", help="replace OUT if it exists")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("new", help="create an empty workspace",
                       description="Create a new, empty workspace file (.qms is added to the "
                                   "name if missing).")
    s.add_argument("out", metavar="WS", help="the workspace file to create")
    s.add_argument("--organization", metavar="NAME", help="the organization's name")
    s.add_argument("--force", action="store_true", help="replace WS if it exists")
    s.set_defaults(func=cmd_new)

    s = sub.add_parser("info", help="headline counts of a workspace",
                       description="Print a workspace's headline counts.")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=cmd_info)

    s = sub.add_parser(
        "processes", help="list the processes (id, code, name, steps, status)",
        description="List every process with its id, code, name, number of steps and status: "
                    "the id, exact name or code is what PROCESS takes in the other commands.")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=cmd_processes)

    s = sub.add_parser(
        "nonconformities", help="list the nonconformities (ID, status, title)",
        description="List every nonconformity with its ID, status and title: the ID (or its "
                    "number) is what NC takes in `qms export 8d`.")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=cmd_nonconformities)

    s = sub.add_parser(
        "verify", help="check the file, the audit chain and every record",
        description="Check SQLite integrity, the audit trail's hash chain, and that every "
                    "record equals what its audit events say. Exit 0 when intact, 1 naming "
                    "the first broken record or event.")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("-v", "--verbose", action="store_true", help="print progress on stderr")
    s.add_argument("--expect", action="append", metavar="HASH[@N]",
                   help="fail unless the audit chain holds this head (at event N when given): "
                        "a head noted elsewhere, e.g. printed on an export as "
                        "'audit head HASH @ event N' (that text is accepted too); repeatable")
    s.set_defaults(func=cmd_verify)

    s = sub.add_parser("backup", help="write a consistent copy of a workspace",
                       description="Copy a workspace with SQLite's online backup API "
                                   "(safe while the app has it open).")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("dest", metavar="DEST", help="a file (.qms is added) or an existing folder")
    s.add_argument("--force", action="store_true", help="replace DEST if it exists")
    s.set_defaults(func=cmd_backup)

    s = sub.add_parser(
        "recover", help="finish what a stopped program left unfinished in a workspace",
        description="Open a workspace for writing to finish its recovery: a change left "
                    "unfinished by a program that stopped (a \"-journal\" file beside it) is "
                    "undone, keeping every saved change; a file another program switched to "
                    "write-ahead logging is switched back. Says in one line what was done.")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.set_defaults(func=cmd_recover)

    users = sub.add_parser("users", help="signing users of controlled documents",
                           description="The users who sign controlled documents.")
    usub = users.add_subparsers(dest="action", metavar="ACTION", required=True)
    s = usub.add_parser(
        "add", help="add a signing user",
        description="Add a user who signs documents. The password is asked twice (not "
                    "echoed); the workspace's first user becomes its administrator, later "
                    "ones are confirmed by an administrator's password.")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("username", metavar="USERNAME")
    s.add_argument("--full-name", required=True, metavar="NAME",
                   help="the name printed with the user's signatures")
    s.add_argument("--rights", metavar="LIST",
                   help="what the user may sign: authored,reviewed,approved (default: all)")
    s.add_argument("--admin", metavar="NAME", help="the administrator who confirms (asked "
                                                   "for their password)")
    s.add_argument("--make-admin", action="store_true", help="make the new user an "
                                                             "administrator too")
    s.add_argument("--password-stdin", action="store_true",
                   help="read the password from standard input's first line (the "
                        "administrator's from the second), for scripts")
    s.set_defaults(func=cmd_users_add)
    s = usub.add_parser("list", help="list the signing users")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.set_defaults(func=cmd_users_list)

    imp = sub.add_parser("import", help="import a file into a workspace",
                         description="Import a file; all or nothing, with a per-row report.")
    isub = imp.add_subparsers(dest="kind", metavar="KIND", required=True)
    s = isub.add_parser(
        "risks", help="a risk register (.xlsx or .csv)",
        description="Import a risk register from .xlsx or .csv. The sheet, the header row and "
                    "each column's field are recognised (headers in English, French, German); "
                    "the report starts with what was chosen, so a dry run shows the mapping. "
                    "All or nothing unless --skip-invalid.")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("file", metavar="FILE")
    s.add_argument("--sheet", help="sheet name (default: the sheet whose header matches best; "
                                   "legend and instruction sheets are passed over)")
    s.add_argument("--map", action="append", metavar="COLUMN=FIELD",
                   help="read COLUMN (a header, a letter or a number) as FIELD (e.g. title, "
                        "cause, effect, inherent_likelihood) instead of the guess; FIELD \"-\" "
                        "(or \"ignore\") leaves the column out, not even copied into the "
                        "notes; repeatable")
    s.add_argument("--dry-run", action="store_true", help="report per row, change nothing")
    s.add_argument("--skip-invalid", action="store_true",
                   help="import the rows without errors (in one transaction) and report the "
                        "others with their reasons (default: any error imports nothing)")
    s.add_argument("--update-existing", action="store_true",
                   help="a row whose ID already exists in the workspace overwrites that risk "
                        "(default: an error)")
    s.add_argument("--renumber", action="store_true",
                   help="a row whose ID already exists in the workspace is imported under a "
                        "new ID (the next free number of its own prefix, R- or O-) and keeps "
                        "its own ID in the notes (default: an error)")
    s.add_argument("--json", action="store_true", help="machine-readable report")
    s.set_defaults(func=cmd_import_risks)

    s = isub.add_parser(
        "training", help="a training matrix or list of training records (.xlsx or .csv)",
        description="Import training records: a matrix (people in rows, courses in columns "
                    "holding dates or marks such as x, n/a, expired) or one row per record. "
                    "The shape, the sheet, the header row and the columns are recognised and "
                    "printed first; people and courses are matched by employee number, then "
                    "name, and the proposed matches are listed. Ambiguous or impossible dates "
                    "are flagged with their cell. All or nothing unless --skip-errors.")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("file", metavar="FILE")
    s.add_argument("--sheet", help="sheet name (default: the sheet whose header matches best)")
    s.add_argument("--map", action="append", metavar="COLUMN=FIELD",
                   help="read COLUMN (a header, a letter or a number) as FIELD (person, "
                        "employee_no, department, role, course, completed_on, expires_on, "
                        "trainer, result, evidence, notes, course_column) or \"-\" to leave "
                        "it out; repeatable")
    s.add_argument("--shape", choices=("matrix", "records"),
                   help="the file's shape (default: detected)")
    s.add_argument("--date-order", choices=("dmy", "mdy"),
                   help="read slash dates such as 03/04/2025 day first (dmy) or month first "
                        "(mdy); default: detected from the file, ambiguous ones flagged")
    s.add_argument("--undated-as", metavar="YYYY-MM-DD",
                   help="record matrix marks such as x or ✓ that give no date as completed on "
                        "this day (default: they are flagged)")
    s.add_argument("--new-person", action="append", metavar="NAME",
                   help="NAME (as the file writes it) is a new person although it looks like "
                        "someone in the workspace (default: such a near match is an error); "
                        "repeatable")
    s.add_argument("--new-course", action="append", metavar="NAME",
                   help="NAME (as the file writes it) is a new course although it looks like "
                        "one in the workspace (default: an error); repeatable")
    s.add_argument("--dry-run", action="store_true", help="report per row, change nothing")
    s.add_argument("--skip-errors", action="store_true",
                   help="import the rows without errors (in one transaction) and name the "
                        "others (default: any error imports nothing)")
    s.add_argument("--json", action="store_true", help="machine-readable report")
    s.set_defaults(func=cmd_import_training)

    for kind, what in (("bpmn", "a BPMN 2.0 XML model (.bpmn)"),
                       ("drawio", "a draw.io diagram (.drawio/.xml, plain or compressed)")):
        s = isub.add_parser(
            kind, help=what,
            description=f"Import {what} as a new process with its map, or with --into update "
                        "the map of an existing process: shapes, connectors and lanes are "
                        "matched by their id in the file, so kept steps keep their links "
                        "(documents, records, risks, KPIs), roles and descriptions; steps no "
                        "longer in the file are removed with their links; shapes drawn in "
                        "Workbench that the file never had are kept. All or nothing.")
        s.add_argument("workspace", metavar="WORKSPACE")
        s.add_argument("file", metavar="FILE")
        s.add_argument("--name", help="process name (default: from the file)")
        s.add_argument("--into", metavar="PROCESS",
                       help=f"update this process ({PROCESS_HELP}) instead of creating one")
        if kind == "drawio":
            s.add_argument("--page", metavar="NAME|N",
                           help="the page to import, by name or by number from 1 (default: "
                                "the first page; a file of several pages says which it has)")
        s.add_argument("--dry-run", action="store_true",
                       help="report what would change, change nothing")
        s.add_argument("--json", action="store_true", help="machine-readable output")
        s.set_defaults(func=cmd_import_map)

    s = isub.add_parser(
        "docx", help="existing Word procedures (.docx files or a folder of them)",
        description="Register existing Word files as controlled documents in force from "
                    "today (approved outside QMS Workbench), each keeping its file: number, "
                    "title, revision and kind are read from the file, its headings become "
                    "sections. All or nothing; a file that cannot be read or whose number is "
                    "registered already stops the registration (leave it out with --skip).")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("files", metavar="FILE_OR_FOLDER", nargs="+")
    s.add_argument("--no-sections", action="store_true",
                   help="keep the text in the attached file only (no sections)")
    s.add_argument("--skip", action="append", metavar="NAME",
                   help="leave out the file NAME (its name, not its path); repeatable")
    s.add_argument("--dry-run", action="store_true", help="report per file, change nothing")
    s.set_defaults(func=cmd_import_docx)

    exp = sub.add_parser("export", help="export from a workspace",
                         description="Export part of a workspace to a file.")
    esub = exp.add_subparsers(dest="kind", metavar="KIND", required=True)
    s = esub.add_parser("risks", help="the risk register as a formatted .xlsx",
                        description="Write the risk register as a formatted Excel workbook.")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    s.set_defaults(func=cmd_export_risks)

    s = esub.add_parser("bpmn", help="a process map as BPMN 2.0 XML",
                        description="Write a process map as BPMN 2.0 XML (opens in bpmn.io "
                                    "and Camunda Modeler).")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("process", metavar="PROCESS", help=PROCESS_HELP)
    s.add_argument("-o", "--output", required=True, metavar="FILE.bpmn")
    s.set_defaults(func=cmd_export_bpmn)

    s = esub.add_parser("diagram", help="a process map as PNG, SVG or PDF",
                        description="Draw a process map to PNG (at --dpi), SVG or PDF.")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("process", metavar="PROCESS", help=PROCESS_HELP)
    s.add_argument("-o", "--output", required=True, metavar="FILE.(png|svg|pdf)")
    s.add_argument("--dpi", type=float, default=150, help="PNG resolution (default 150)")
    s.add_argument("--pages", choices=("auto", "fit", "tile"), default="auto",
                   help="PDF: one page scaled to fit (fit), a grid of pages at a readable or "
                        "given scale to tape together (tile), or one page when it stays "
                        "readable, else tiles (auto, the default)")
    s.add_argument("--paper", choices=("A4", "A3"), default="A4", type=str.upper,
                   help="PDF paper size (default A4)")
    s.add_argument("--orientation", choices=("auto", "portrait", "landscape"), default="auto",
                   help="PDF page orientation (default: the one needing fewer pages)")
    s.add_argument("--scale", type=float, default=None, metavar="PCT",
                   help="PDF: print the map at PCT %% (10–400) on as many pages as it needs")
    s.set_defaults(func=cmd_export_diagram)

    s = esub.add_parser("procedure", help="a controlled document as a Word file (.docx)",
                        description="Write a procedure, work instruction or policy as .docx: "
                                    "document control, approvals with their e-signatures, "
                                    "revision history, the sections, the process map, linked "
                                    "risks, training and records, the audit head in the "
                                    "footer. The revision in force unless --revision.")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("document", metavar="DOCUMENT", help="id, number or exact title")
    s.add_argument("-o", "--output", required=True, metavar="FILE.docx")
    s.add_argument("--template", metavar="T.docx",
                   help="the company's letterhead .docx (default: the built-in template)")
    s.add_argument("--revision", metavar="R", help="this revision (e.g. B) instead")
    s.set_defaults(func=cmd_export_procedure)

    s = esub.add_parser("8d", help="a nonconformity's 8D report as a Word file (.docx)",
                        description="Write the 8D report of a nonconformity: D1 team to D8 "
                                    "effectiveness and closure, the 5 Whys, the fishbone, the "
                                    "corrective actions, the audit head in the footer.")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("nonconformity", metavar="NC",
                   help="its ID (e.g. NC-0147), the ID's number (147) or its database id; "
                        "`qms nonconformities WS` lists them")
    s.add_argument("-o", "--output", required=True, metavar="FILE.docx")
    s.add_argument("--template", metavar="T.docx",
                   help="the company's letterhead .docx (default: the built-in template)")
    s.set_defaults(func=cmd_export_8d)

    s = esub.add_parser("review", help="a management review pack as a Word file (.docx)",
                        description="Write a management review's pack as .docx: cover, the "
                                    "ISO 9001 9.3.2 inputs with their charts, the outputs and "
                                    "their actions, the minutes, the audit head in the footer.")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("review", metavar="REVIEW", help="id or exact title")
    s.add_argument("-o", "--output", required=True, metavar="FILE.docx")
    s.add_argument("--template", metavar="T.docx",
                   help="the company's letterhead .docx (default: the built-in template)")
    s.set_defaults(func=cmd_export_review)

    s = esub.add_parser("manual", help="the policies, procedures and work instructions in "
                                       "force as one Word manual",
                        description="Write every effective policy, procedure and work "
                                    "instruction as one numbered manual with contents "
                                    "(progress on stderr).")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("-o", "--output", required=True, metavar="FILE.docx")
    s.add_argument("--template", metavar="T.docx",
                   help="the company's letterhead .docx (default: the built-in template)")
    s.add_argument("--title", help="the manual's title (default: Quality management system "
                                   "manual)")
    s.set_defaults(func=cmd_export_manual)

    s = esub.add_parser("training-matrix", help="the training matrix as .xlsx or PDF",
                        description="Write the competence matrix (people × required courses, "
                                    "a symbol and a date per cell) as a formatted .xlsx or a "
                                    "PDF of landscape A4 pages.")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("-o", "--output", required=True, metavar="FILE.(xlsx|pdf)")
    s.add_argument("--window", type=int, default=None, metavar="DAYS",
                   help="days before expiry that count as expiring (default: the workspace's "
                        "setting)")
    s.set_defaults(func=cmd_export_training_matrix)

    s = esub.add_parser("training-record", help="one person's training record as PDF or .xlsx",
                        description="Write one person's training record: details, roles, "
                                    "each required course with its status and why, and the "
                                    "full history.")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("person", metavar="PERSON",
                   help="id, employee number or exact name")
    s.add_argument("-o", "--output", required=True, metavar="FILE.(pdf|xlsx)")
    s.set_defaults(func=cmd_export_training_record)

    s = esub.add_parser("checklist", help="a checklist (blank) or a run as PDF, .docx or .xlsx",
                        description="Write a checklist template as a blank for the shop floor, "
                                    "or a run as its completed form (with --blank: the run's "
                                    "blank with its code, to be typed back by item number).")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("checklist", metavar="TEMPLATE|RUN",
                   help="id (template:N or run:N when both exist), run code or exact name")
    s.add_argument("-o", "--output", required=True, metavar="FILE.(pdf|docx|xlsx)")
    s.add_argument("--blank", action="store_true",
                   help="print a run's blank (its code and item numbers, no answers)")
    s.set_defaults(func=cmd_export_checklist)

    s = esub.add_parser("audit-report", help="an internal audit's report as .docx",
                        description="Write the report of an internal audit: scope, dates, "
                                    "auditors, the ISO 19011 steps, results and score, "
                                    "findings with their actions, sign-off. A gap analysis "
                                    "or an inspection gets no audit report; export it with "
                                    "`qms export checklist`.")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("run", metavar="RUN", help="run code, run:N or the run's exact title")
    s.add_argument("-o", "--output", required=True, metavar="FILE.docx")
    s.set_defaults(func=cmd_export_audit_report)

    s = esub.add_parser("audit-log", help="the audit trail as a formatted .xlsx",
                        description="Write the audit trail (every change, oldest first, "
                                    "records by name), the internal-audit findings and the "
                                    "document approvals as an Excel workbook, with a cover "
                                    "naming the chain's head and the result of its check.")
    s.add_argument("workspace", metavar="WORKSPACE")
    s.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    s.add_argument("--since", metavar="DATE", help="first day (UTC), e.g. 2026-01-01")
    s.add_argument("--until", metavar="DATE", help="last day (UTC), included")
    s.add_argument("--entity", metavar="KIND",
                   help="one kind of record: a table name or its word (risk, training record)")
    s.add_argument("--user", metavar="LOGIN", help="changes by this user only")
    s.add_argument("--full-verify", action="store_true",
                   help="check every record against its history too (as `qms verify`), "
                        "not only the hash chain")
    s.set_defaults(func=cmd_export_audit_log)
    return p


def main(argv: list[str] | None = None) -> int:
    from .storage.workspace import WorkspaceError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CliError as e:
        print(f"qms: {e}", file=sys.stderr)
        return e.code
    except WorkspaceError as e:
        print(f"qms: {e}", file=sys.stderr)
        return 1
    except ValueError as e:  # bad input files raise ValueError subclasses with clear messages
        print(f"qms: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("qms: interrupted", file=sys.stderr)
        return 130
    except OSError as e:
        print(f"qms: {e.strerror or e}: {e.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
