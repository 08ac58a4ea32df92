"""Where an imported BPMN / draw.io file goes: a new process, or an update of an existing one.

A quality lead who keeps a map in a modeller re-imports the edited file and expects the same
process to be updated, keeping what Workbench added (links of each step to documents, records,
risks and KPIs, roles, descriptions, durations). :func:`ask_import_target` reads the file, finds
the processes it could update (same name or code, or shapes with the same ids) and, when there
is one, asks: "New process" or "Update an existing process", showing what the update would add,
change and remove (a dry run: nothing is written while the dialog is open). Removed steps that
had links are shown in bold as a warning.

The caller runs the answer as one undo step — ``controller.edit(target.label(), target.run)`` —
and :func:`show_import_warnings` then shows the importer's remarks.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # pragma: no cover
    from ...core.processmap import ProcessMap
    from ...services.processes import MapFile, MapUpdateReport, ProcessRow
    from ...services.records import Change
    from ...storage.workspace import Workspace


def tr(text: str) -> str:
    return QCoreApplication.translate("import_target", text)


#: names listed per kind of change before "… and N more"
LIST_LIMIT = 25
WARNING_COLOR = "#c0392b"


@dataclass
class ImportTarget:
    """The user's answer: create a new process called ``name``, or update ``process_id``."""

    mode: str  # "new" | "update"
    path: Path
    fmt: str
    map: "ProcessMap"
    name: str  # the new process's name, or the name of the process to update
    source_name: str  # the process name found in the file
    warnings: list[str] = field(default_factory=list)
    process_id: int | None = None
    report: "MapUpdateReport | None" = None  # the dry run shown (update only)

    def label(self) -> str:
        """The undo step's name."""
        if self.mode == "update":
            return tr("Update “{process}” from {file}").format(process=self.name,
                                                              file=self.path.name)
        return tr("Import “{name}”").format(name=self.name)

    def run(self, ws: "Workspace") -> "Change":
        """Do the import (one transaction); the Change's ``result`` is the process id."""
        from ...services import processes

        if self.mode == "update":
            change = processes.merge_map(ws, self.process_id, self.map, warnings=self.warnings,
                                         source_name=self.source_name or self.path.name)
            return change.with_result(self.process_id)
        return processes.save_map(ws, self.map, name=self.name)


# --------------------------------------------------------------------------- report as text


def _field_labels() -> dict[str, str]:
    return {"name": tr("name"), "x": tr("position"), "y": tr("position"), "w": tr("size"),
            "h": tr("size"), "lane_id": tr("lane"), "parent_node_id": tr("container"),
            "kind": tr("type"), "bpmn_type": tr("type"), "extra": tr("layout details"),
            "role_id": tr("role"), "source_id": tr("source"), "target_id": tr("target"),
            "label": tr("label"), "condition": tr("condition"), "waypoints": tr("route"),
            "order": tr("order")}


def _fields_text(fields: list[str]) -> str:
    """The changed fields in user words (never the stored names such as ``extra``)."""
    from ...services.processes import fields_text

    return fields_text(fields, _field_labels())


def _links_text(links: dict[str, int]) -> str:
    labels = {"documents": (tr("document"), tr("documents")),
              "records": (tr("record"), tr("records")),
              "risks": (tr("risk"), tr("risks")), "objectives": (tr("KPI"), tr("KPIs"))}
    return ", ".join(f"{n} {labels[k][n != 1]}" for k, n in links.items() if n and k in labels)


def _names(items, limit: int = LIST_LIMIT, *, with_fields: bool = False) -> str:
    what = {"node": tr("shape"), "edge": tr("connector"), "lane": tr("lane")}
    parts = []
    for it in items[:limit]:
        text = f"{html.escape(it.name or it.key)} <i>({what[it.entity]}"
        if with_fields and it.fields:
            text += f": {html.escape(_fields_text(it.fields))}"
        parts.append(text + ")</i>")
    if len(items) > limit:
        parts.append(tr("… and {n} more").format(n=len(items) - limit))
    return "; ".join(parts)


def report_html(report: "MapUpdateReport") -> str:
    """The dry-run report as rich text: counts per kind, removed steps with links (bold, as a
    warning), then the names of what is added, updated, removed and kept."""
    rows = [(tr("Shapes"), report.nodes), (tr("Connectors"), report.edges),
            (tr("Lanes"), report.lanes)]
    heads = [tr("added"), tr("updated"), tr("removed"), tr("unchanged"),
             tr("kept (not in the file)")]
    title = tr("Update <b>{process}</b> from the file:").format(
        process=html.escape(report.process_name))
    out = [f"<p>{title}</p>", "<table cellspacing='0' cellpadding='3'><tr><th></th>"
           + "".join(f"<th align='right'>{h}</th>" for h in heads) + "</tr>"]
    for label, c in rows:
        cells = [c.added, c.updated, c.removed, c.unchanged, c.kept]
        out.append(f"<tr><td>{label}</td>"
                   + "".join(f"<td align='right'>{n}</td>" for n in cells) + "</tr>")
    out.append("</table>")
    linked = report.removed_with_links
    if linked:
        out.append(f"<p style='color:{WARNING_COLOR}'><b>"
                   + tr("These steps are not in the file any more; they are removed with their "
                        "links:") + "</b></p><ul>")
        for it in linked:
            out.append(f"<li style='color:{WARNING_COLOR}'><b>{html.escape(it.name or it.key)}"
                       f"</b> — {html.escape(_links_text(it.links))}</li>")
        out.append("</ul>")
    if not report.writes:
        out.append(f"<p><b>{html.escape(nothing_to_update_text(report))}</b></p>")
    elif not report.changed:
        out.append("<p>" + tr("The map already looks like the file; only the ids and details "
                              "the file knows its elements by are stored.") + "</p>")
    for action, title in (("added", tr("Added")), ("updated", tr("Updated")),
                          ("removed", tr("Removed")), ("kept", tr("Kept (not in the file)"))):
        items = report.of(action)
        if items:
            out.append(f"<p><b>{title}:</b> {_names(items, with_fields=action == 'updated')}</p>")
    if report.warnings:
        out.append("<p><b>" + tr("Remarks on the file:") + "</b></p><ul>"
                   + "".join(f"<li>{html.escape(w)}</li>" for w in report.warnings) + "</ul>")
    return "".join(out)


def nothing_to_update_text(report: "MapUpdateReport") -> str:
    """The sentence telling that updating from the file would change nothing."""
    return tr("“{process}” already matches the file: updating it would change nothing.").format(
        process=report.process_name)


def is_no_op(target: "ImportTarget | None") -> bool:
    """``target`` updates a process that already matches the file (nothing would be written)."""
    return (target is not None and target.mode == "update" and target.report is not None
            and not target.report.writes)


def new_process_html(got: "MapFile", name: str) -> str:
    pm = got.map
    out = ["<p>" + tr("Creates the new process <b>{name}</b> with {nodes} shapes, {edges} "
                      "connectors and {lanes} lanes.").format(
        name=html.escape(name), nodes=len(pm.nodes), edges=len(pm.edges),
        lanes=len(pm.lanes)) + "</p>"]
    if got.warnings:
        out.append("<p><b>" + tr("Remarks on the file:") + "</b></p><ul>"
                   + "".join(f"<li>{html.escape(w)}</li>" for w in got.warnings) + "</ul>")
    return "".join(out)


# --------------------------------------------------------------------------- the dialog


class ImportTargetDialog(QDialog):
    """New process vs update of an existing one, with the dry-run report of the update."""

    def __init__(self, parent: QWidget | None, ws: "Workspace", path: Path, got: "MapFile",
                 processes: list["ProcessRow"], candidates: list[int],
                 current_pid: int | None = None, *, new_name: str = "",
                 prefer_update: bool | None = None):
        super().__init__(parent)
        self.setObjectName("importTargetDialog")
        self.setWindowTitle(tr("Import process map"))
        self.ws = ws
        self.path = Path(path)
        self.got = got
        self.processes = {p.id: p for p in processes}
        self._reports: dict[int, "MapUpdateReport | Exception"] = {}

        pm = got.map
        intro = QLabel(tr("“{file}” holds the process map “{name}”: {nodes} shapes, {edges} "
                          "connectors, {lanes} lanes.").format(
            file=self.path.name, name=got.name or self.path.stem, nodes=len(pm.nodes),
            edges=len(pm.edges), lanes=len(pm.lanes)), self)
        intro.setWordWrap(True)

        self.new_radio = QRadioButton(tr("Create a &new process named"), self)
        self.new_radio.setObjectName("importAsNew")
        self.name_edit = QLineEdit(new_name or got.name or self.path.stem, self)
        self.name_edit.setObjectName("newProcessName")
        self.update_radio = QRadioButton(tr("&Update an existing process:"), self)
        self.update_radio.setObjectName("importIntoExisting")
        self.combo = QComboBox(self)
        self.combo.setObjectName("targetProcess")
        order = sorted(processes, key=lambda p: (p.code or "", p.name.casefold(), p.id))
        for p in order:
            label = f"{p.code} — {p.name}" if p.code else p.name
            self.combo.addItem(label, p.id)
        self.group = QButtonGroup(self)
        self.group.addButton(self.new_radio)
        self.group.addButton(self.update_radio)

        hint = QLabel(tr("An update matches shapes, connectors and lanes by their id in the "
                         "file: kept steps keep their links, roles and descriptions; steps no "
                         "longer in the file are removed with their links; shapes drawn in "
                         "Workbench are kept. Undo puts the previous map back."), self)
        hint.setWordWrap(True)
        hint.setObjectName("importHint")

        self.report_view = QTextBrowser(self)
        self.report_view.setObjectName("importReport")
        self.report_view.setOpenLinks(False)
        self.report_view.setMinimumSize(520, 220)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        grid = QGridLayout()
        grid.addWidget(self.new_radio, 0, 0)
        grid.addWidget(self.name_edit, 0, 1)
        grid.addWidget(self.update_radio, 1, 0)
        grid.addWidget(self.combo, 1, 1)
        grid.setColumnStretch(1, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(grid)
        lay.addWidget(hint)
        lay.addWidget(self.report_view, 1)
        lay.addWidget(self.buttons)

        preselect = next((pid for pid in candidates if pid in self.processes), None)
        if preselect is None and current_pid in self.processes:
            preselect = current_pid
        if preselect is not None:
            self.combo.setCurrentIndex(self.combo.findData(preselect))
        if not processes:
            self.update_radio.setEnabled(False)
            self.combo.setEnabled(False)
        if prefer_update is None:
            prefer_update = bool(candidates)
        (self.update_radio if prefer_update and processes else self.new_radio).setChecked(True)

        self.new_radio.toggled.connect(lambda _on: self.refresh())
        self.combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.name_edit.textChanged.connect(lambda _t: self.refresh())
        self.refresh()

    # ------------------------------------------------------------------ state
    @property
    def mode(self) -> str:
        return "update" if self.update_radio.isChecked() else "new"

    def selected_process_id(self) -> int | None:
        pid = self.combo.currentData()
        return int(pid) if pid is not None else None

    def report(self) -> "MapUpdateReport | None":
        """The dry run of updating the selected process (computed once per process)."""
        from ...services.processes import merge_map

        pid = self.selected_process_id()
        if pid is None:
            return None
        if pid not in self._reports:
            try:
                self._reports[pid] = merge_map(self.ws, pid, self.got.map, dry_run=True,
                                               warnings=self.got.warnings,
                                               source_name=self.got.name).result
            except Exception as e:  # e.g. the process was deleted meanwhile
                self._reports[pid] = e
        got = self._reports[pid]
        if isinstance(got, Exception):
            raise got
        return got

    def nothing_to_do(self) -> bool:
        """Updating the selected process would change nothing (it already matches the file):
        the dialog then offers only Close (or a new process)."""
        if self.mode != "update":
            return False
        try:
            rep = self.report()
        except Exception:
            return False
        return rep is not None and not rep.writes

    def _buttons(self, ok_enabled: bool, *, close_only: bool = False) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        ok.setEnabled(ok_enabled and not close_only)
        ok.setVisible(not close_only)
        cancel.setText(tr("Close") if close_only else tr("Cancel"))
        (cancel if close_only else ok).setDefault(True)

    def refresh(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        updating = self.mode == "update"
        self.name_edit.setEnabled(not updating)
        self.combo.setEnabled(updating and self.combo.count() > 0)
        if not updating:
            name = self.name_edit.text().strip()
            self.report_view.setHtml(new_process_html(self.got, name or self.path.stem))
            ok.setText(tr("Create process"))
            self._buttons(bool(name))
            return
        ok.setText(tr("Update process"))
        try:
            rep = self.report()
        except Exception as e:
            self.report_view.setHtml(f"<p style='color:{WARNING_COLOR}'>"
                                     f"{html.escape(str(e))}</p>")
            self._buttons(False)
            return
        if rep is None:
            self.report_view.setHtml("<p>" + tr("Choose the process to update.") + "</p>")
            self._buttons(False)
            return
        self.report_view.setHtml(report_html(rep))
        # nothing to write: only Close (choosing "new process" brings the button back)
        self._buttons(True, close_only=not rep.writes)

    def accept(self) -> None:
        if self.nothing_to_do():  # e.g. Enter pressed: there is nothing to update
            return
        super().accept()

    def target(self) -> ImportTarget:
        got = self.got
        if self.mode == "update":
            pid = self.selected_process_id()
            row = self.processes.get(pid)
            rep = self._reports.get(pid)
            return ImportTarget("update", self.path, got.fmt, got.map,
                                row.name if row else "", got.name, list(got.warnings),
                                process_id=pid,
                                report=rep if not isinstance(rep, Exception) else None)
        from ...services.processes import unique_name

        name = self.name_edit.text().strip() or self.path.stem
        return ImportTarget("new", self.path, got.fmt, got.map, unique_name(self.ws, name),
                            got.name, list(got.warnings))


# --------------------------------------------------------------------------- entry points


def ask_import_target(parent: QWidget | None, ws: "Workspace", path, fmt: str,
                      current_pid: int | None, *, always: bool = False) -> ImportTarget | None:
    """Read the file at ``path`` (``fmt`` "bpmn" or "drawio") and ask where it goes.

    The question is asked when an existing process could be the one the file updates (same
    name or code, or shapes with the same ids), or always with ``always=True`` (an explicit
    "Update from file", which preselects ``current_pid``); otherwise the file becomes a new
    process without a question, as a first import. Without ``always``, ``current_pid`` is
    preselected only when no process matches the file better. Returns ``None`` when the user
    cancels, and also when the chosen process already matches the file (updating it would
    write nothing: the user is told so, and no empty undo step is made). A file that cannot be
    read raises ``OSError``; one that is not a process map raises ``ValueError`` with a
    one-sentence message (nothing is stored)."""
    from ...services.processes import (
        list_processes,
        matching_processes,
        parse_map,
        unique_name,
    )

    path = Path(path)
    data = path.read_bytes()
    page = None
    if fmt == "drawio":
        from ...services.imports.drawio import drawio_pages

        pages = drawio_pages(data)
        if len(pages) > 1:
            page = choose_drawio_page(parent, path, pages)
            if page is None:
                return None
    got = parse_map(data, fmt, fallback_name=path.stem, page=page)
    processes = list_processes(ws)
    candidates = [pid for pid, _score in matching_processes(ws, got.map, got.name)]
    if always and current_pid is not None:  # "update this process from a file"
        candidates = [current_pid] + [pid for pid in candidates if pid != current_pid]
    new_name = unique_name(ws, got.name or path.stem)
    if not processes or (not candidates and not always):
        return ImportTarget("new", path, fmt, got.map, new_name, got.name, list(got.warnings))
    dlg = ImportTargetDialog(parent, ws, path, got, processes, candidates, current_pid,
                             new_name=new_name,
                             prefer_update=True if always else None)
    try:
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        target = dlg.target()
    finally:
        dlg.deleteLater()
    if is_no_op(target):
        # the process already matches the file: say so, and push no empty undo step
        show_nothing_to_update(parent, target)
        return None
    return target


def choose_drawio_page(parent: QWidget | None, path: Path, pages: list[str]) -> int | None:
    """Ask which page of a draw.io file of several pages to import; its index, or None when
    the user cancels."""
    from PySide6.QtWidgets import QInputDialog

    items = [tr("{n}. {page}").format(n=i + 1, page=name) for i, name in enumerate(pages)]
    item, ok = QInputDialog.getItem(
        parent, tr("Choose a page"),
        tr("{file} has {n} pages; choose the one to import as a process:").format(
            file=path.name, n=len(pages)),
        items, 0, False)
    if not ok or item not in items:
        return None
    return items.index(item)


def choose_map_file(parent: QWidget | None, fmt: str | None) -> Path | None:
    """Ask for a BPMN (``"bpmn"``), draw.io (``"drawio"``) or either (``None``) file."""
    from ..dialogs import last_dir, remember_dir

    if fmt == "bpmn":
        filt = tr("BPMN 2.0 XML (*.bpmn *.bpmn2 *.xml);;All files (*)")
    elif fmt == "drawio":
        filt = tr("draw.io diagrams (*.drawio *.xml *.dio);;All files (*)")
    else:
        filt = tr("Process maps (*.bpmn *.bpmn2 *.drawio *.dio *.xml);;All files (*)")
    name, _ = QFileDialog.getOpenFileName(parent, tr("Import process map"), last_dir(), filt)
    if not name:
        return None
    path = Path(name)
    remember_dir(path.parent)
    return path


def show_nothing_to_update(parent: QWidget | None, target: ImportTarget) -> QMessageBox:
    """Tell (non-blocking) that the process already matches the file and nothing changed."""
    box = QMessageBox(parent)
    box.setObjectName("nothingToUpdate")
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(tr("Import"))
    box.setText(nothing_to_update_text(target.report) if target.report is not None
                else tr("The process already matches the file: nothing was changed."))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def show_import_warnings(parent: QWidget | None, target: ImportTarget) -> None:
    """The importer's remarks (non-blocking), when there are any."""
    if not target.warnings:
        return
    from ...services.imports.bpmn import is_note
    from ...services.processes import import_remarks_headline

    box = QMessageBox(parent)
    box.setObjectName("importRemarks")
    only_notes = all(is_note(w) for w in target.warnings)
    box.setIcon(QMessageBox.Icon.Information if only_notes else QMessageBox.Icon.Warning)
    box.setWindowTitle(tr("Import"))
    box.setText(import_remarks_headline(target.warnings))
    lines = [f"{tr('Note') if is_note(w) else tr('Warning')}: {w}" for w in target.warnings]
    if len(lines) <= 3:
        box.setInformativeText("\n\n".join(lines))
    else:
        box.setDetailedText("\n\n".join(lines))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


__all__ = ["ImportTarget", "ImportTargetDialog", "ask_import_target", "choose_drawio_page",
           "choose_map_file",
           "is_no_op", "new_process_html", "nothing_to_update_text", "report_html",
           "show_import_warnings", "show_nothing_to_update"]
