"""Side panels of the map editor: the properties of the selection and the validation results."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ..binding import FieldBinding
from ..commands import field_edit_text
from .style import is_process_io, kind_titles

if TYPE_CHECKING:  # pragma: no cover
    from ...services.processes import MapData, MapIssue
    from ..controller import WorkspaceController


def tr(text: str) -> str:
    return QCoreApplication.translate("flowchart", text)


class ChooserDialog(QDialog):
    """Pick one entry of a long list, with a filter box."""

    def __init__(self, title: str, choices: list[tuple[int, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.model = QStandardItemModel(self)
        for cid, text in choices:
            item = QStandardItem(text)
            item.setData(cid, Qt.ItemDataRole.UserRole)
            item.setEditable(False)
            self.model.appendRow(item)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(tr("Type to filter"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        self.list = QListView(self)
        self.list.setModel(self.proxy)
        self.list.doubleClicked.connect(self.accept)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.filter)
        lay.addWidget(self.list)
        lay.addWidget(buttons)
        if self.proxy.rowCount():
            self.list.setCurrentIndex(self.proxy.index(0, 0))
        self.resize(420, 420)

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        if self.proxy.rowCount():
            self.list.setCurrentIndex(self.proxy.index(0, 0))

    def chosen(self) -> int | None:
        idx = self.list.currentIndex()
        if not idx.isValid():
            return None
        return idx.data(Qt.ItemDataRole.UserRole)

    @classmethod
    def choose(cls, parent: QWidget, title: str, choices: list[tuple[int, str]]) -> int | None:
        d = cls(title, choices, parent)
        return d.chosen() if d.exec() == QDialog.DialogCode.Accepted else None


class LinkList(QWidget):
    """The documents (or records, risks, KPIs) a step is linked to, with Link… and Unlink."""

    linkRequested = Signal(str)
    unlinkRequested = Signal(str, int)

    def __init__(self, kind: str, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        self.setObjectName(f"links_{kind}")
        self.title = QLabel(title, self)
        self.list = QListWidget(self)
        self.list.setMaximumHeight(90)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setObjectName(f"list_{kind}")
        self.add = QPushButton(tr("Link…"), self)
        self.add.setObjectName(f"link_{kind}")
        self.remove = QPushButton(tr("Unlink"), self)
        self.remove.setObjectName(f"unlink_{kind}")
        self.remove.setEnabled(False)
        self.add.clicked.connect(lambda: self.linkRequested.emit(self.kind))
        self.remove.clicked.connect(self._unlink)
        self.list.currentItemChanged.connect(lambda cur, _prev: self.remove.setEnabled(
            cur is not None and self.add.isEnabled()))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.title, 1)
        row.addWidget(self.add)
        row.addWidget(self.remove)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.list)

    def set_items(self, items: list[tuple[int, str]]) -> None:
        self.list.clear()
        for tid, text in items:
            it = QListWidgetItem(text)
            it.setData(Qt.ItemDataRole.UserRole, tid)
            self.list.addItem(it)
        self.remove.setEnabled(False)

    def ids(self) -> list[int]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def set_editable(self, on: bool) -> None:
        self.add.setEnabled(on)
        self.remove.setEnabled(on and self.list.currentItem() is not None)

    def _unlink(self) -> None:
        it = self.list.currentItem()
        if it is not None:
            self.unlinkRequested.emit(self.kind, it.data(Qt.ItemDataRole.UserRole))


class PropertiesPanel(QScrollArea):
    """Edits the selected shape (name, description, role, duration, linked process and links),
    connector (label, condition) or lane (name, role). Every edit is one undo step."""

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setObjectName("flowchartProperties")
        self.data: "MapData | None" = None
        self.node: dict | None = None
        self.edge: dict | None = None
        self.lane: dict | None = None
        self._choices: dict | None = None
        self._processes: list[tuple[int, str]] | None = None
        self._loading = False
        self.stack = QStackedWidget()
        self.setWidget(self.stack)

        self.empty = QLabel(tr("Select a shape, connector or lane to see its properties."))
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty.setMargin(8)
        self.stack.addWidget(self.empty)

        # -- a shape
        page = QWidget()
        form = QFormLayout(page)
        self.kind_label = QLabel()
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("nodeName")
        self.desc_edit = QPlainTextEdit()
        self.desc_edit.setObjectName("nodeDescription")
        self.desc_edit.setTabChangesFocus(True)
        self.desc_edit.setMaximumHeight(110)
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("nodeRole")
        self.duration = QDoubleSpinBox()
        self.duration.setObjectName("nodeDuration")
        self.duration.setRange(0, 1_000_000)
        self.duration.setDecimals(0)
        self.duration.setSuffix(tr(" min"))
        self.duration.setSpecialValueText(tr("not set"))
        self.duration.setKeyboardTracking(False)
        self.subprocess_combo = QComboBox()
        self.subprocess_combo.setObjectName("nodeSubprocess")
        self.subprocess_label = QLabel(tr("Opens process"))
        form.addRow(tr("Kind"), self.kind_label)
        form.addRow(tr("Name"), self.name_edit)
        form.addRow(tr("Description"), self.desc_edit)
        form.addRow(tr("Responsible role"), self.role_combo)
        form.addRow(tr("Duration"), self.duration)
        form.addRow(self.subprocess_label, self.subprocess_combo)
        self.links = {
            "document": LinkList("document", tr("Documents")),
            "record": LinkList("record", tr("Records")),
            "risk": LinkList("risk", tr("Risks")),
            "objective": LinkList("objective", tr("KPIs (objectives)")),
        }
        for ll in self.links.values():
            form.addRow(ll)
            ll.linkRequested.connect(self._link)
            ll.unlinkRequested.connect(self._unlink)
        self.node_page = page
        self.node_form = form
        self.stack.addWidget(page)
        self.bind_name = FieldBinding(controller, self.name_edit, "process_node", "name")
        self.bind_desc = FieldBinding(controller, self.desc_edit, "process_node", "description")
        self.role_combo.activated.connect(self._role_chosen)
        self.duration.editingFinished.connect(self._duration_changed)
        self.subprocess_combo.activated.connect(self._subprocess_chosen)

        # -- a connector
        page = QWidget()
        form = QFormLayout(page)
        self.edge_kind = QLabel()
        self.edge_ends = QLabel()
        self.edge_ends.setWordWrap(True)
        self.edge_label = QLineEdit()
        self.edge_label.setObjectName("edgeLabel")
        self.edge_condition = QLineEdit()
        self.edge_condition.setObjectName("edgeCondition")
        form.addRow(tr("Kind"), self.edge_kind)
        form.addRow(tr("Connects"), self.edge_ends)
        form.addRow(tr("Label"), self.edge_label)
        form.addRow(tr("Condition"), self.edge_condition)
        self.edge_page = page
        self.stack.addWidget(page)
        self.bind_edge_label = FieldBinding(controller, self.edge_label, "process_edge", "label")
        self.bind_edge_cond = FieldBinding(controller, self.edge_condition, "process_edge",
                                           "condition")

        # -- a lane
        page = QWidget()
        form = QFormLayout(page)
        self.lane_name = QLineEdit()
        self.lane_name.setObjectName("laneName")
        self.lane_role = QComboBox()
        self.lane_role.setObjectName("laneRole")
        hint = QLabel(tr("Shapes in a lane are done by the lane's role; changing the role "
                         "changes it for the shapes in the lane."))
        hint.setWordWrap(True)
        form.addRow(tr("Name"), self.lane_name)
        form.addRow(tr("Role"), self.lane_role)
        form.addRow(hint)
        self.lane_page = page
        self.stack.addWidget(page)
        self.bind_lane = FieldBinding(controller, self.lane_name, "process_lane", "name")
        self.lane_role.activated.connect(self._lane_role_chosen)

        self.many = QLabel()
        self.many.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.many.setMargin(8)
        self.many.setWordWrap(True)
        self.stack.addWidget(self.many)

    # ------------------------------------------------------------------ data
    @property
    def ws(self):
        return self.controller.workspace

    def choices(self) -> dict:
        if self._choices is None:
            from ...services.processes import link_choices

            self._choices = link_choices(self.ws)
        return self._choices

    def processes(self) -> list[tuple[int, str]]:
        if self._processes is None:
            from ...services.processes import list_processes

            self._processes = [(p.id, f"{p.code} {p.name}".strip()) for p in
                               list_processes(self.ws)]
        return self._processes

    def forget_choices(self, kinds: frozenset[str] | None = None) -> None:
        """Lists of roles, documents, risks, KPIs or processes changed: read them again."""
        if kinds is None or kinds & {"role", "document", "risk", "objective"}:
            self._choices = None
        if kinds is None or "process" in kinds:
            self._processes = None

    _showing = False
    _again = None

    def show_selection(self, data: "MapData | None", nodes: list[int], edges: list[int],
                       lanes: list[int]) -> None:
        if self._showing:  # committing typing below changed data and the editor came back
            self._again = (data, nodes, edges, lanes)
            return
        self._showing = True
        try:
            current = self.node or self.edge or self.lane
            if current is None or [current["id"]] != (nodes or edges or lanes) or \
                    len(nodes) + len(edges) + len(lanes) != 1:
                self._flush_all()  # commit typing for what was shown so far
            self._show_selection(data, nodes, edges, lanes)
        finally:
            self._showing = False
        again, self._again = self._again, None
        if again is not None:
            self.show_selection(*again)

    def _show_selection(self, data, nodes, edges, lanes) -> None:
        self.data = data
        self.node = self.edge = self.lane = None
        total = len(nodes) + len(edges) + len(lanes)
        if data is None or self.ws is None or total == 0:
            self.stack.setCurrentWidget(self.empty)
            return
        if total > 1:
            self.many.setText(tr("{n} items selected. Use Align and Distribute to arrange "
                                 "shapes, or Delete to remove them.").format(n=total))
            self.stack.setCurrentWidget(self.many)
            return
        read_only = self.controller.read_only
        self._loading = True
        try:
            if nodes:
                self.node = next((r for r in data.nodes if r["id"] == nodes[0]), None)
                if self.node is None:
                    self.stack.setCurrentWidget(self.empty)
                    return
                self._show_node(self.node, read_only)
                self.stack.setCurrentWidget(self.node_page)
            elif edges:
                self.edge = next((r for r in data.edges if r["id"] == edges[0]), None)
                if self.edge is None:
                    self.stack.setCurrentWidget(self.empty)
                    return
                self._show_edge(self.edge, read_only)
                self.stack.setCurrentWidget(self.edge_page)
            else:
                self.lane = next((r for r in data.lanes if r["id"] == lanes[0]), None)
                if self.lane is None:
                    self.stack.setCurrentWidget(self.empty)
                    return
                self._show_lane(self.lane, read_only)
                self.stack.setCurrentWidget(self.lane_page)
        finally:
            self._loading = False

    @staticmethod
    def _load(binding: FieldBinding, rid: int, value: str, read_only: bool) -> None:
        if not (binding.rid == rid and binding.pending):  # keep what the user is typing
            binding.set_record(rid, value)
            if isinstance(binding.widget, QLineEdit) and not binding.widget.hasFocus():
                binding.widget.setCursorPosition(0)  # show the start of a long name
        binding.set_read_only(read_only)

    def _flush_all(self) -> None:
        for b in (self.bind_name, self.bind_desc, self.bind_edge_label, self.bind_edge_cond,
                  self.bind_lane):
            b.flush()

    def _fill_roles(self, combo: QComboBox, current: int | None) -> None:
        combo.clear()
        combo.addItem(tr("(none)"), None)
        for rid, name in self.choices()["roles"]:
            combo.addItem(name, rid)
        idx = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(idx, 0))

    def _show_node(self, r: dict, read_only: bool) -> None:
        titles = kind_titles()
        kind = r["kind"]
        bt = r.get("bpmn_type") or ""
        io = is_process_io(r)
        if io:  # an input or output of the whole process: not a step anyone does
            self.kind_label.setText(tr("Data input") if bt == "dataInput" else tr("Data output"))
        else:
            self.kind_label.setText(f"{titles.get(kind, kind)} ({bt})" if bt
                                    else titles.get(kind, kind))
        form = self.node_form
        for widget in (self.role_combo, self.duration, self.links["risk"],
                       self.links["objective"]):
            form.setRowVisible(widget, not io)
        self._load(self.bind_name, r["id"], r["name"] or "", read_only)
        self._load(self.bind_desc, r["id"], r["description"] or "", read_only)
        self._fill_roles(self.role_combo, r["role_id"])
        self.role_combo.setEnabled(not read_only)
        self.duration.setValue(r["duration_minutes"] or 0)
        self.duration.setEnabled(not read_only)
        sub = kind == "subprocess"
        self.subprocess_label.setVisible(sub)
        self.subprocess_combo.setVisible(sub)
        if sub:
            self.subprocess_combo.clear()
            self.subprocess_combo.addItem(tr("(its own content)"), None)
            for pid, name in self.processes():
                if pid != r["process_id"]:
                    self.subprocess_combo.addItem(name, pid)
            idx = self.subprocess_combo.findData(r["subprocess_id"]) \
                if r["subprocess_id"] is not None else 0
            self.subprocess_combo.setCurrentIndex(max(idx, 0))
            self.subprocess_combo.setEnabled(not read_only)
        self.refresh_links(read_only)

    def refresh_links(self, read_only: bool | None = None) -> None:
        if self.node is None or self.ws is None:
            return
        from ...services.processes import step_links

        if read_only is None:
            read_only = self.controller.read_only
        try:
            links = step_links(self.ws, self.node["id"])
        except Exception:  # the step was deleted meanwhile; the next selection fixes the panel
            return
        self.links["document"].set_items(links.documents)
        self.links["record"].set_items(links.records)
        self.links["risk"].set_items(links.risks)
        self.links["objective"].set_items(links.objectives)
        for ll in self.links.values():
            ll.set_editable(not read_only)

    def _show_edge(self, r: dict, read_only: bool) -> None:
        kinds = {"sequence": tr("Sequence flow"), "message": tr("Message flow"),
                 "association": tr("Association")}
        self.edge_kind.setText(kinds.get(r["kind"], r["kind"]))
        names = {n["id"]: (n["name"] or kind_titles().get(n["kind"], n["kind"]))
                 for n in (self.data.nodes if self.data else [])
                 if n["id"] in (r["source_id"], r["target_id"])}
        self.edge_ends.setText(f"{names.get(r['source_id'], '?')} → {names.get(r['target_id'], '?')}")
        self._load(self.bind_edge_label, r["id"], r["label"] or "", read_only)
        self._load(self.bind_edge_cond, r["id"], r["condition"] or "", read_only)

    def _show_lane(self, r: dict, read_only: bool) -> None:
        self._load(self.bind_lane, r["id"], r["name"] or "", read_only)
        self._fill_roles(self.lane_role, r["role_id"])
        self.lane_role.setEnabled(not read_only)

    # ------------------------------------------------------------------ edits
    def _push_field(self, entity: str, rid: int, field: str, old, new) -> bool:
        if old == new or self.ws is None:
            return False
        from ...services import records

        return self.controller.edit(field_edit_text(entity, field), lambda ws: records.update_field(
            ws, entity, rid, field, new)) is not None

    def _role_chosen(self, index: int) -> None:
        if self._loading or self.node is None:
            return
        self._push_field("process_node", self.node["id"], "role_id", self.node["role_id"],
                         self.role_combo.itemData(index))

    def _duration_changed(self) -> None:
        if self._loading or self.node is None:
            return
        value = self.duration.value() or None
        self._push_field("process_node", self.node["id"], "duration_minutes",
                         self.node["duration_minutes"], value)

    def _subprocess_chosen(self, index: int) -> None:
        if self._loading or self.node is None:
            return
        self._push_field("process_node", self.node["id"], "subprocess_id",
                         self.node["subprocess_id"], self.subprocess_combo.itemData(index))

    def _lane_role_chosen(self, index: int) -> None:
        if self._loading or self.lane is None or self.ws is None:
            return
        from ...services import processes

        lid, new = self.lane["id"], self.lane_role.itemData(index)
        if self.lane["role_id"] == new:
            return
        self.controller.edit(tr("Change lane role"),
                             lambda ws: processes.set_lane_role(ws, lid, new))

    def _link(self, kind: str) -> None:
        if self.node is None or self.ws is None:
            return
        key = {"document": "documents", "record": "records", "risk": "risks",
               "objective": "objectives"}[kind]
        have = set(self.links[kind].ids())
        options = [(i, t) for i, t in self.choices()[key] if i not in have]
        if not options:
            from ..errors import show_error

            show_error(self, tr("There is nothing left to link; add it in its own register "
                                "first."))
            return
        titles = {"document": tr("Link a document"), "record": tr("Link a record"),
                  "risk": tr("Link a risk"), "objective": tr("Link a KPI")}
        chosen = ChooserDialog.choose(self, titles[kind], options)
        if chosen is not None:
            self._set_link(kind, chosen, True)

    def _unlink(self, kind: str, target: int) -> None:
        if self.node is None or self.ws is None:
            return
        self._set_link(kind, target, False)

    def _set_link(self, kind: str, target: int, linked: bool) -> None:
        from ...services import processes

        what = {"document": tr("document"), "record": tr("record"), "risk": tr("risk"),
                "objective": tr("KPI")}.get(kind, kind)
        nid = self.node["id"]
        self.controller.edit((tr("Link {what}") if linked else tr("Unlink {what}")).format(
            what=what), lambda ws: processes.set_link(ws, nid, kind, target, linked))


class ValidationPanel(QWidget):
    """The result of Validate: one line per issue; clicking one selects the item on the map."""

    issueActivated = Signal(object)
    validateRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("flowchartValidation")
        self.button = QPushButton(tr("Validate"), self)
        self.button.setObjectName("validateButton")
        self.button.clicked.connect(self.validateRequested)
        self.summary = QLabel(tr("Check the map for unreachable steps, dead ends, decisions "
                                 "with fewer than two exits and steps without a role."), self)
        self.summary.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("issueList")
        self.list.setWordWrap(True)
        self.list.itemClicked.connect(self._activated)
        self.list.itemActivated.connect(self._activated)
        self.issues: list["MapIssue"] = []
        lay = QVBoxLayout(self)
        lay.addWidget(self.button)
        lay.addWidget(self.summary)
        lay.addWidget(self.list, 1)

    def show_issues(self, issues: list["MapIssue"]) -> None:
        self.issues = list(issues)
        self.list.clear()
        style = self.style()
        icons = {"error": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
                 "warning": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)}
        for issue in issues:
            prefix = tr("Error") if issue.severity == "error" else tr("Warning")
            it = QListWidgetItem(icons.get(issue.severity, icons["warning"]),
                                 f"{prefix}: {issue.message}")
            it.setData(Qt.ItemDataRole.UserRole, self.list.count())
            self.list.addItem(it)
        if issues:
            self.summary.setText(tr("{n} issues found; click one to select it on the map.")
                                 .format(n=len(issues)) if len(issues) != 1 else
                                 tr("1 issue found; click it to select it on the map."))
        else:
            self.summary.setText(tr("No issues found: every step is reachable, leads on, and "
                                    "has a responsible role."))

    def clear_issues(self) -> None:
        self.issues = []
        self.list.clear()

    def _activated(self, item: QListWidgetItem) -> None:
        i = item.data(Qt.ItemDataRole.UserRole)
        if 0 <= i < len(self.issues):
            self.issueActivated.emit(self.issues[i])


__all__ = ["ChooserDialog", "LinkList", "PropertiesPanel", "ValidationPanel"]
