"""The findings of a run: what the answers propose, the findings made, their actions.

A nonconform answer proposes a minor nonconformity, a partial one an observation, a conform
one with a note an opportunity for improvement (``core.checklists.proposed_finding_kind``).
"Add finding" makes one of the kind picked next to it (the selected proposal's by default;
kind and description stay editable in the table); "Raise action" asks for the action's title,
owner and due date and puts it in the workspace-wide list; the panel records correction, root
cause, effectiveness check and the verdict on the actions' effectiveness; "Close finding"
follows the ISO 9001 10.2 rule, and a refusal names everything still missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHeaderView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core.checklists import is_nonconformity
from ..table import CHOICE, LONGTEXT, Column, DetailPanel, IdRole, RowModel, TableDelegate, \
    TextBox, ValueCombo, edit_triggers, natural
from .model import finding_kind_items, tr

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController


def status_items():
    return [(tr("Open"), "open", ""), (tr("Closed"), "closed", "")]


def verdict_items():
    """The verdict on the effectiveness of a finding's actions (ISO 9001 10.2.1 d)."""
    return [(tr("Not judged yet"), None, tr("The effectiveness has not been judged")),
            (tr("Effective"), True, tr("The actions removed the cause")),
            (tr("Not effective"), False, tr("The actions did not work: raise a new action"))]


def short_kinds() -> dict[str, str]:
    """The kinds as the findings table shows them (the full name in the cell's tooltip)."""
    return {"major": tr("Major NC"), "minor": tr("Minor NC"), "observation": tr("Observation"),
            "ofi": tr("OFI")}


def short_ref(ref: str) -> str:
    """"IA26-03-F02" → "F02": the run is named above the table (the full ID in the tooltip)."""
    tail = (ref or "").rsplit("-", 1)[-1]
    return tail if tail[:1] in ("F", "f") and tail != ref else ref or ""


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def finding_columns() -> tuple[Column, ...]:
    kinds = short_kinds()
    full = {v: t for t, v, _ in finding_kind_items()}
    return (
        Column("ref", tr("Ref."), sort=lambda r: natural(r.ref), display=lambda r: short_ref(
            r.ref), tip=lambda r: r.ref or None, samples=lambda: ["F02"]),
        Column("kind", tr("Kind"), editor=CHOICE, items=lambda r: finding_kind_items(),
               display=lambda r: kinds.get(r.kind, r.kind or ""),
               tip=lambda r: full.get(r.kind) or None, samples=lambda: [tr("Observation")]),
        Column("clause", tr("Clause"), samples=lambda: ["10.2.1"]),
        # one line, elided; the whole text in the tooltip and in the panel below
        Column("description", tr("Description"), editor=LONGTEXT, width=260,
               display=lambda r: _one_line(r.description),
               tip=lambda r: r.description or None),
        Column("status", tr("Status"), editor=CHOICE, items=lambda r: status_items(),
               tip=lambda r: "\n".join(r.closure_problems) or None),
        Column("actions", tr("Actions"), display=lambda r: tr("{n} ({open} open)").format(
            n=r.actions, open=r.open_actions) if r.actions else "0",
            samples=lambda: ["3 (3 open)"]),
    )


class FindingPanel(DetailPanel):
    """Correction, root cause, effectiveness check and the verdict on the actions'
    effectiveness of the current finding."""

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        super().__init__(controller, "finding", parent)
        self.description = self.bind("description", TextBox(self))
        self.description.setObjectName("findingDescription")
        self.correction = self.bind("correction", TextBox(self))
        self.root_cause = self.bind("root_cause", TextBox(self))
        self.effectiveness_check = self.bind("effectiveness_check", TextBox(self))
        self.effective = self.bind("effective", ValueCombo(verdict_items(), self))
        self.effective.setObjectName("findingVerdict")
        self.missing = QLabel(self)
        self.missing.setObjectName("findingMissing")
        self.missing.setWordWrap(True)
        self.missing.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout(self)
        form.addRow(tr("&Description"), self.description)
        form.addRow(tr("Co&rrection"), self.correction)
        form.addRow(tr("Root &cause"), self.root_cause)
        form.addRow(tr("Effectiveness c&heck"), self.effectiveness_check)
        form.addRow(tr("Actions &were"), self.effective)
        form.addRow(self.missing)
        for e in (self.description, self.correction, self.root_cause, self.effectiveness_check):
            e.setMaximumHeight(self.fontMetrics().height() * 3)

    def commit_value(self, field: str, value: Any) -> bool:
        """A picked value (the verdict) through the service, as one undo step."""
        from ...services import checklists

        fid = self.row.id
        ok = self.controller.edit(tr("Change finding"), lambda ws: checklists.update_finding(
            ws, fid, {field: value})) is not None
        if ok:
            self.controller.flush_undo_merges()
        return ok

    def fill(self, row: Any) -> None:
        if row is None or not row.closure_problems:
            self.missing.setText("" if row is None or row.status == "closed" else
                                 tr("It may be closed."))
        else:
            self.missing.setText(tr("Before it can close:") + "".join(
                f"\n• {tr(p)}" for p in row.closure_problems))


class FindingsPanel(QWidget):
    #: a record to show on its page (the nonconformity raised from a finding)
    openRecord = Signal(str, int)

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.run_id: int | None = None
        self.response_id: int | None = None
        self.stale = True

        self.proposals = QListWidget(self)
        self.proposals.setObjectName("findingProposals")
        self.proposals.setWordWrap(True)
        self.proposals.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.proposals.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.proposals.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.proposals.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.proposals.setAlternatingRowColors(True)
        self.proposals.itemActivated.connect(lambda _i: self.add_from_proposal())
        self.proposals.currentItemChanged.connect(lambda *_: self._follow_proposal())
        self.kind_combo = ValueCombo([(t, v, tip) for t, v, tip in finding_kind_items()], self)
        self.kind_combo.setObjectName("findingKind")
        self.kind_combo.setToolTip(tr("The kind of the finding to add (the proposal's by "
                                      "default)"))
        self.add_button = QPushButton(tr("&Add finding"), self)
        self.add_button.setToolTip(tr("A finding of the chosen kind from the selected proposal, "
                                      "or for the current item"))
        self.add_button.clicked.connect(lambda: self.add_from_proposal())

        self.model = RowModel(finding_columns(), kind="finding", load=self._load,
                              commit=self._commit, order=None, parent=self)
        self.table = QTableView(self)
        self.table.setObjectName("findingsTable")
        self.table.setModel(self.model)
        self.table.setItemDelegate(TableDelegate(self.table))
        self.table.setEditTriggers(edit_triggers())
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        # the description takes the width left on one line (elided; the whole text in its
        # tooltip and in the panel below), so the table shows many findings; the other columns
        # fit their (short) content
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.model.column_of["description"],
                                    QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.raise_button = QPushButton(tr("Raise a&ction"), self)
        self.raise_button.setToolTip(tr("A corrective action in the Actions list, linked to the "
                                        "finding"))
        self.raise_button.clicked.connect(lambda: self.raise_action())
        self.nc_button = QPushButton(tr("Raise &nonconformity"), self)
        self.nc_button.setObjectName("raiseNonconformity")
        self.nc_button.setToolTip(tr("Record the nonconformity on the Nonconformities page, "
                                     "linked to this finding, for its root cause and "
                                     "corrective actions (8D)"))
        self.nc_button.clicked.connect(lambda: self.raise_nonconformity())
        #: finding id → (id, ID) of the nonconformity raised from it
        self.ncs: dict[int, tuple[int, str]] = {}
        self.close_button = QPushButton(tr("C&lose finding"), self)
        self.close_button.clicked.connect(lambda: self.close_current())
        self.detail = FindingPanel(controller, self)

        top = QWidget(self)
        self.top = top
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(QLabel(tr("Proposed by the answers"), top))
        self.no_proposals = QLabel(tr("None: every answer that proposes a finding has one."),
                                   top)
        self.no_proposals.setObjectName("noProposals")
        tl.addWidget(self.no_proposals)
        tl.addWidget(self.proposals, 1)
        row = QHBoxLayout()
        kind_label = QLabel(tr("as &kind"), top)
        kind_label.setBuddy(self.kind_combo)
        row.addWidget(self.add_button)
        row.addWidget(kind_label)
        row.addWidget(self.kind_combo)
        row.addStretch(1)
        tl.addLayout(row)
        table_box = QWidget(self)
        bl = QVBoxLayout(table_box)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(QLabel(tr("Findings of the run"), table_box))
        bl.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.raise_button)
        row.addWidget(self.nc_button)
        row.addWidget(self.close_button)
        row.addStretch(1)
        bl.addLayout(row)
        # the panel scrolls when the tab is short, so the table keeps its share of the height
        scroll = QScrollArea(self)
        scroll.setObjectName("findingDetailScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.detail)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(table_box)
        splitter.addWidget(scroll)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 3)
        splitter.setSizes([120, 260, 320])
        self.splitter = splitter
        QVBoxLayout(self).addWidget(splitter)

    # ------------------------------------------------------------------ data
    def _load(self, ids):
        from ...services import checklists

        ws = self.controller.workspace
        if ws is None or self.run_id is None:
            return []
        rows = checklists.findings(ws, self.run_id)
        return rows if ids is None else [r for r in rows if r.id in ids]

    def _commit(self, row, column: Column, value: Any) -> bool:
        from ...services import checklists

        fid = row.id
        return self.controller.edit(tr("Change finding"), lambda ws: checklists.update_finding(
            ws, fid, {column.key: value})) is not None

    def set_run(self, run_id: int | None) -> None:
        self.run_id = run_id
        self.stale = True

    def set_current_response(self, response_id: int | None) -> None:
        self.response_id = response_id

    def refresh(self) -> None:
        from ...services import checklists

        self.stale = False
        ws = self.controller.workspace
        current = self.current_finding()
        self.proposals.clear()
        if ws is not None and self.run_id is not None:
            kinds = {v: t for t, v, _ in finding_kind_items()}
            for p in checklists.proposals(ws, self.run_id):
                item = QListWidgetItem(f"{p.clause or '—'} · {kinds.get(p.kind, p.kind)} · "
                                       f"{p.description}", self.proposals)
                item.setData(Qt.ItemDataRole.UserRole, (p.response_id, p.kind, p.description))
                item.setToolTip(p.description)
        self._follow_proposal()
        # no proposals: a line saying so, and the room goes to the findings
        empty = self.proposals.count() == 0
        self.proposals.setVisible(not empty)
        self.no_proposals.setVisible(empty)
        self.top.setMaximumHeight(self.top.sizeHint().height() if empty else 16777215)
        self.model.read_only = self.controller.read_only
        self.model.reload()
        self.ncs = {}
        if ws is not None and self.run_id is not None:
            from ...services import nonconformities

            self.ncs = nonconformities.nc_of_findings(ws, [r.id for r in self.model.rows])
        if current is not None and self.model.row_of(current.id) is not None:
            self.select(current.id)
        self._show_current()

    def _follow_proposal(self) -> None:
        """The kind picker shows the selected proposal's kind (the default when adding)."""
        item = self.proposals.currentItem()
        if item is not None:
            self.kind_combo.set_value(item.data(Qt.ItemDataRole.UserRole)[1])

    # ------------------------------------------------------------------ selection
    def current_finding(self) -> Any:
        index = self.table.currentIndex()
        return self.model.get(index.data(IdRole)) if index.isValid() else None

    def select(self, fid: int) -> None:
        pos = self.model.row_of(fid)
        if pos is not None:
            self.table.setCurrentIndex(self.model.index(pos, 0))

    def _show_current(self) -> None:
        row = self.current_finding()
        ro = self.controller.read_only or self.controller.workspace is None
        self.detail.show_row(row)
        self.detail.set_read_only(ro or row is None)
        self.add_button.setEnabled(not ro and self.run_id is not None)
        self.kind_combo.setEnabled(not ro and self.run_id is not None)
        self.raise_button.setEnabled(not ro and row is not None)
        nc = self.ncs.get(row.id) if row is not None else None
        if nc is not None:  # raised already: the button opens it (read-only too)
            self.nc_button.setText(tr("Open {ref}").format(ref=nc[1] or nc[0]))
            self.nc_button.setToolTip(tr("Show the nonconformity raised from this finding on "
                                         "the Nonconformities page"))
            self.nc_button.setEnabled(True)
        else:
            self.nc_button.setText(tr("Raise &nonconformity"))
            self.nc_button.setToolTip(tr("Record the nonconformity on the Nonconformities "
                                         "page, linked to this finding and its actions, for "
                                         "its root cause and corrective actions (8D)"))
            self.nc_button.setEnabled(not ro and row is not None and is_nonconformity(row.kind))
        self.close_button.setEnabled(not ro and row is not None and row.status != "closed")

    # ------------------------------------------------------------------ commands
    def add_from_proposal(self, kind: str | None = None,
                          description: str | None = None) -> int | None:
        """A finding from the selected proposal (or for the current item), one undo step:
        the kind given, else the one picked next to "Add finding" (which follows the selected
        proposal); the description as proposed unless given."""
        from ...services import checklists

        if self.run_id is None:
            return None
        item = self.proposals.currentItem()
        values: dict[str, Any] = {}
        if item is not None:
            response_id, pkind, pdesc = item.data(Qt.ItemDataRole.UserRole)
            values = {"kind": pkind, "description": pdesc}
        else:
            response_id = self.response_id
        if kind is None and item is not None:
            kind = self.kind_combo.value()
        if kind is not None:
            values["kind"] = kind
        if description is not None:
            values["description"] = description
        run_id = self.run_id
        fid = self.controller.edit(tr("Add finding"), lambda ws: checklists.add_finding(
            ws, run_id, response_id, values))
        if fid is None:
            return None
        self.refresh()
        self.select(fid)
        return fid

    def raise_nonconformity(self) -> int | None:
        """A nonconformity raised from the current (major or minor) finding, with the
        finding's actions, one undo step, then shown on the Nonconformities page; a finding
        that has one already shows that one (its id is returned)."""
        from ...services import nonconformities

        row = self.current_finding()
        if row is None or self.controller.workspace is None:
            return None
        if row.id in self.ncs:
            nid = self.ncs[row.id][0]
            self.openRecord.emit("nonconformity", nid)
            return nid
        fid = row.id
        nid = self.controller.edit(tr("Raise nonconformity from {ref}").format(ref=row.ref),
                                   lambda ws: nonconformities.raise_from_finding(ws, fid))
        if nid is not None:
            self.refresh()
            self.openRecord.emit("nonconformity", nid)
        return nid

    def raise_action(self, values: dict[str, Any] | None = None) -> int | None:
        """An action in the workspace-wide list from the current finding, one undo step.
        Without ``values`` the user is asked for its title, owner and due date (None when
        they cancel)."""
        from ...services import checklists
        from .dialogs import RaiseActionDialog

        row = self.current_finding()
        if row is None or self.controller.workspace is None:
            return None
        title = tr("Correct {ref}: {text}").format(ref=row.ref, text=row.description)[:200]
        if values is None:
            dialog = RaiseActionDialog(self.controller.workspace, title, self)
            if dialog.exec() != RaiseActionDialog.DialogCode.Accepted:
                return None
            values = dialog.values()
        values = dict(values)
        values.setdefault("title", title)
        values.setdefault("kind", "corrective")
        fid = row.id
        aid = self.controller.edit(tr("Raise action"), lambda ws: checklists.add_action(
            ws, fid, values))
        if aid is not None:
            self.refresh()
        return aid

    def close_current(self) -> bool:
        """Close the current finding; refused (with the service's sentence) until the
        closure rule holds."""
        from ...services import checklists

        row = self.current_finding()
        if row is None:
            return False
        self.detail.flush()
        fid = row.id
        return self.controller.edit(tr("Close finding"), lambda ws: checklists.update_finding(
            ws, fid, {"status": "closed"})) is not None
