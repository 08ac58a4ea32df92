"""The Documents page: the register of controlled documents, their revisions and signatures.

Built from the table kit (columns as data, filters, inline edits, saved column layout). Below
the register, the selected document: its workflow steps (enabled by the state of its revision,
with the reason in the tooltip when not), and tabs for its register fields, its text, its
revision history with signatures, and the files of a revision.

Every change is one ``controller.edit`` line; a signature is ``final=True`` (an act on record:
the undo history is cleared). Keys: Insert adds a document (Ctrl+N is File ▸ New workspace),
Delete deletes the selected ones, F2 edits the title, Ctrl+Enter opens the linked process.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..attachments import AttachmentsWidget
from ..pages.base import Page, heading
from ..table import ColumnLayout, Item, TableDelegate, ValueCombo, edit_triggers, \
    format_date
from ..table.choices import command, people_items, process_items
from ..table import selection
from ..table.filterbar import FilterBar, owner_filter_items
from .details import DocumentDetails
from .model import DEFAULT_COLUMNS, kind_items, make_model, make_proxy, status_filter_items, \
    status_words, tr
from .revisions import RevisionsView
from .workflow import STEPS, step_texts, workflow_state

if TYPE_CHECKING:  # pragma: no cover
    from ...storage.changes import Change
    from ..controller import WorkspaceController
    from ..pages import PageSpec

#: the register's share of the height below the toolbar, until the user drags the splitter (at
#: 1280×800 it shows 13 documents)
REGISTER_SHARE = 0.58
#: the register's share while the Text tab is shown: writing needs the room (a few rows of the
#: register stay visible above it)
TEXT_SHARE = 0.25

KINDS = frozenset({"document", "revision", "document_section", "signature", "attachment",
                   "app_user", "person", "process", "setting"})


class RevisionFiles(AttachmentsWidget):
    """The files of one revision; only a draft's files change (they are part of what is
    signed)."""

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        self.locked = False
        super().__init__(controller, parent)

    @property
    def writable(self) -> bool:
        return AttachmentsWidget.writable.fget(self) and not self.locked

    def set_revision(self, rid: int | None, locked: bool) -> None:
        self.locked = locked
        self.set_owner("revision", rid)


def back_dated_text(rev: str, doc: str, on: dt.date, day: str) -> str:
    """What making revision ``rev`` effective on the earlier day ``on`` (shown as ``day``)
    means: said before it is done."""
    days = (dt.date.today() - on).days
    ago = tr("yesterday") if days == 1 else tr("{n} days ago").format(n=days)
    return tr("Back-dated: revision {rev} of {doc} takes effect on {day} ({ago}), not today. "
              "The day you choose and your name are recorded in the audit trail.").format(
        rev=rev, doc=doc, day=day, ago=ago)


class EffectiveDayDialog(QDialog):
    """Asks the day revision ``rev`` of ``doc`` takes effect (today or earlier); an earlier day
    is said at once in red (and confirmed again after OK). The explanation and the warning wrap
    at a readable width, and the dialog grows to show them in full."""

    def __init__(self, rev: str, doc: str, parent: QWidget | None = None):
        from ..table import DateEditor
        from .signing import error_colour

        super().__init__(parent)
        self.rev, self.doc = rev, doc
        self.setWindowTitle(tr("Make Effective"))
        # wrapped labels have no width of their own: give them one a line can be read at
        width = self.fontMetrics().averageCharWidth() * 52
        self.note = QLabel(tr("Revision {rev} of {doc} takes effect on this day (today or "
                              "earlier); the revision in force before it becomes "
                              "obsolete.").format(rev=rev, doc=doc), self)
        self.note.setWordWrap(True)
        self.note.setMinimumWidth(width)
        #: required, today or earlier: a later day (or none) is refused with a sentence and OK
        #: keeps the dialog open
        self.day = DateEditor(self)
        self.day.setObjectName("effectiveDay")
        self.day.set_required(True, tr("Give the day the revision takes effect."))
        self.day.set_latest(dt.date.today(), tr(
            "{day} is in the future: a revision takes effect today ({latest}) or earlier; make "
            "it effective on that day."))
        self.day.set_value(dt.date.today())
        #: said as soon as an earlier day is chosen (and confirmed again after OK)
        self.back = QLabel(self)
        self.back.setObjectName("backDatedNote")
        self.back.setWordWrap(True)
        self.back.setMinimumWidth(width)
        self.back.setStyleSheet(f"color: {error_colour()};")
        self.back.hide()
        self.day.dateChanged.connect(self.day_changed)
        self.day.editingFinished.connect(self._day_typed)
        self.day.lineEdit().textEdited.connect(  # said as soon as a typed day reads
            lambda text: None if self.day.read(text).problem else self.day_changed())
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(tr("&Effective on:"), self.day)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(form)
        layout.addWidget(self.back)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.adjustSize()

    def _day_typed(self) -> None:
        if self.day.accept_text():
            self.day_changed()

    def accept(self) -> None:
        """OK: only with a day the field takes (else it stays open, the field saying why)."""
        if not self.day.accept_text():
            self.day.setFocus()
            self.day.selectAll()
            return
        self.day_changed()
        super().accept()

    def day_changed(self, _d=None) -> None:
        on = self.day.value()
        earlier = on < dt.date.today()
        if earlier:
            self.back.setText(back_dated_text(self.rev, self.doc, on, format_date(on)))
        self.back.setVisible(earlier)
        self.fit()

    def fit(self) -> None:
        """Grow (never shrink below what the user made it) so every label shows in full."""
        self.layout().activate()
        hint = self.sizeHint()
        width = max(self.width(), hint.width())
        height = max(self.height(), self.layout().totalHeightForWidth(width)
                     if self.layout().hasHeightForWidth() else hint.height())
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)


class RegisterSplitter(QSplitter):
    """The register above the selected document's tabs: until the user drags it, the register
    keeps ``share`` of the height at every resize (the tabs below scroll)."""

    def __init__(self, parent: QWidget | None = None, share: float = REGISTER_SHARE):
        super().__init__(Qt.Orientation.Vertical, parent)
        #: the register's share; None once the user has placed the splitter
        self.share: float | None = share
        self.splitterMoved.connect(lambda *_a: setattr(self, "share", None))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.apply_share()

    def apply_share(self) -> None:
        total = sum(self.sizes())
        if self.share is None or self.count() < 2 or total <= 0:
            return
        lower = max(self.widget(1).minimumSizeHint().height(), round(total * (1 - self.share)))
        self.blockSignals(True)  # not the user's move
        try:
            self.setSizes([max(0, total - lower), lower])
        finally:
            self.blockSignals(False)


class NewDocumentDialog(QDialog):
    """Kind and title of a new document, with the number it will get."""

    def __init__(self, ws, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws = ws
        self.setWindowTitle(tr("New Document"))
        self.kind = ValueCombo(kind_items(), self)
        self.title = QLineEdit(self)
        self.title.setPlaceholderText(tr("e.g. Control of nonconforming output"))
        self.number = QLabel(self)
        form = QFormLayout(self)
        form.addRow(tr("&Kind:"), self.kind)
        form.addRow(tr("&Title:"), self.title)
        form.addRow(tr("Number:"), self.number)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.kind.currentIndexChanged.connect(lambda _i: self._update())
        self.title.textChanged.connect(lambda _t: self._update())
        self._update()

    def _update(self) -> None:
        from ...services import documents

        self.number.setText(documents.next_document_number(self.ws, self.kind.value()))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self.title.text().strip()))

    def values(self) -> dict[str, Any]:
        return {"kind": self.kind.value(), "title": self.title.text().strip()}


class DocumentsPage(Page):
    kinds = KINDS
    #: the user asked to see a record linked to a document (entity / table name, id)
    openRecord = Signal(str, int)

    def __init__(self, controller: "WorkspaceController", spec: "PageSpec",
                 parent: QWidget | None = None):
        super().__init__(controller, spec, parent)
        self._people: list[Item] | None = None
        self._processes: list[Item] | None = None
        self.revs: list = []
        self.model = make_model(controller, self.people_items, self.process_items, self)
        self.proxy = make_proxy(self)
        self.proxy.setSourceModel(self.model)

        # -- filters
        self.filters = FilterBar(self.proxy, tr("Search number, title, owner, status…"), self)
        self.search = self.filters.search
        self.kind_filter = self.filters.add_choice(
            "kind", [(tr("Any kind"), None, "")] + kind_items(), chars=11)
        self.status_filter = self.filters.add_choice("status", status_filter_items(), chars=11)
        self.owner_filter = self.filters.add_choice("owner", [(tr("Any owner"), None, "")],
                                                    searchable=True, chars=11)
        self.overdue_only = self.filters.add_flag(
            "review_overdue", tr("Review &overdue"),
            tr("Documents in force whose periodic review is past its date"))
        self.filters.changed.connect(self._after_change)
        self.count = QLabel(self)
        self.count.setObjectName("documentsCount")

        # -- the register
        self.table = QTableView(self)
        self.table.setObjectName("documentsTable")
        self.table.setModel(self.proxy)
        self.table.setItemDelegate(TableDelegate(self.table))
        self.table.setEditTriggers(edit_triggers())
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        # the title takes the room left (and gives it back first when the window narrows), so
        # the narrow Signatures column at the end is not stretched and nothing scrolls sideways
        header.setStretchLastSection(False)
        header.setSectionResizeMode(self.model.column_of["title"],
                                    QHeaderView.ResizeMode.Stretch)
        self.table.setSortingEnabled(True)
        self.layout_keeper = ColumnLayout(self.table, self.model, "documents",
                                          default=DEFAULT_COLUMNS)
        self.layout_keeper.restore()
        sig = self.model.column_of["invalid_signatures"]
        narrow = self.layout_keeper.default_width(self.model.columns[sig])
        if header.sectionSize(sig) > 2 * narrow:  # saved while the last column stretched
            header.resizeSection(sig, narrow)

        # -- register commands
        self.add_action = self._command(tr("&New document…"), self.add,
                                        QKeySequence(Qt.Key.Key_Insert),
                                        tip=tr("Register a new document with its first draft "
                                               "(Insert)"))
        self.delete_action = self._command(tr("&Delete"), self.delete_selected,
                                           QKeySequence.StandardKey.Delete,
                                           tip=tr("Delete the selected documents; only those "
                                                  "never approved (Delete)"))
        self.title_action = self._command(tr("Edit title"), self.edit_title,
                                          QKeySequence(Qt.Key.Key_F2),
                                          tip=tr("Edit the title of the current document (F2)"))
        self.open_action = self._command(tr("Open &process"), self.open_process,
                                         QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Return),
                                         tip=tr("Show the document's process on its map "
                                                "(Ctrl+Enter)"))
        self.numbering_action = self._command(tr("N&umbering…"), self.edit_numbering,
                                              tip=tr("The numbering scheme of new documents"))
        self.users_action = self._command(tr("Signing &users…"), self.manage_users,
                                          tip=tr("Who may sign, with which rights"))
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("documentsToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for a in (self.add_action, self.delete_action, self.open_action):
            self.toolbar.addAction(a)
        self.toolbar.addSeparator()
        # Word: the selected document, the manual, the letterhead template, registering files
        self.word_menu = QMenu(self)
        self.word_menu.aboutToShow.connect(self._fill_word_menu)
        self.word_button = QToolButton(self.toolbar)
        self.word_button.setText(tr("&Word"))
        self.word_button.setToolTip(tr("Export to Word, the quality manual, the letterhead "
                                       "template, registering existing Word files"))
        self.word_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.word_button.setMenu(self.word_menu)
        self.toolbar.addWidget(self.word_button)
        self.export_action = self._command(tr("Export to &Word…"), self.export_word,
                                           QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_E),
                                           tip=tr("The current document as a Word procedure "
                                                  "(Ctrl+E)"))
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.numbering_action)
        self.toolbar.addAction(self.users_action)
        spacer = QWidget(self.toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.toolbar.addWidget(self.count)
        self.read_only_note = QLabel(tr("The workspace is open read-only: documents can be "
                                        "viewed and filtered, not changed or signed."), self)
        self.read_only_note.setWordWrap(True)
        self.read_only_note.hide()

        # -- workflow of the selected document
        self.workflow_label = QLabel(self)
        self.workflow = QToolBar(self)
        self.workflow.setObjectName("documentsWorkflow")
        self.workflow.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.workflow.addWidget(self.workflow_label)
        texts = step_texts()
        slots = {"start": self.start_revision, "submit": lambda: self.sign("authored"),
                 "review": lambda: self.sign("reviewed"),
                 "approve": lambda: self.sign("approved"), "return": self.return_to_draft,
                 "effective": self.make_effective, "withdraw": self.withdraw,
                 "reviewed": self.mark_reviewed}
        self.steps: dict[str, QAction] = {}
        for name in STEPS:
            a = QAction(texts[name], self)
            a.setObjectName(f"documents_{name}")
            a.triggered.connect(lambda _c=False, s=slots[name]: s())
            self.workflow.addAction(a)
            self.steps[name] = a

        # -- the selected document's tabs
        self.details = DocumentDetails(controller, self.people_items, self.process_items, self)
        self.text_tab = QWidget(self)
        QVBoxLayout(self.text_tab).setContentsMargins(0, 0, 0, 0)
        #: the procedure editor (``editor.py``) or, without it, a read-only view of the
        #: sections; built when the Text tab is first shown
        self.editor: Any = None
        self.text_view: QTextBrowser | None = None
        self.revisions = RevisionsView(self)
        self.revisions.revisionSelected.connect(self._revision_selected)
        self.files = RevisionFiles(controller, self)
        self.files_label = QLabel(self)
        self.files_label.setWordWrap(True)
        files_tab = QWidget(self)
        fl = QVBoxLayout(files_tab)
        fl.addWidget(self.files_label)
        fl.addWidget(self.files, 1)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("documentTabs")
        details_scroll = QScrollArea(self)
        details_scroll.setWidget(self.details)
        details_scroll.setWidgetResizable(True)
        details_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.tabs.addTab(details_scroll, tr("Details"))
        self.text_index = self.tabs.addTab(self.text_tab, tr("Text"))
        self.tabs.currentChanged.connect(lambda _i: self._show_text(self.current_row()))
        self.tabs.currentChanged.connect(self._share_for_tab)
        self.revisions_tab = self.tabs.addTab(self.revisions, tr("Revisions"))
        self.files_tab = self.tabs.addTab(files_tab, tr("Files"))
        self.files.countChanged.connect(self._files_label)
        lower = QWidget(self)
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.workflow)
        ll.addWidget(self.tabs, 1)
        splitter = RegisterSplitter(self)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        # the register first: at 1280×800 it shows the demo's 13 documents; the tabs below
        # scroll (their minimum is kept small so they do not take the register's room)
        self.tabs.setMinimumHeight(self.fontMetrics().height() * 8)
        self.splitter = splitter

        layout = QVBoxLayout(self)
        layout.addWidget(heading(spec.title, parent=self))
        layout.addWidget(self.read_only_note)
        layout.addWidget(self.filters)
        layout.addWidget(self.toolbar)
        layout.addWidget(splitter, 1)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_commands())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self._update_commands()

    # ------------------------------------------------------------------ building blocks
    def _command(self, text: str, slot, key=None, *, tip: str = "") -> QAction:
        return command(self.table, text, slot, key, tip=tip, status_tip=True)

    def _make_text_view(self) -> None:
        """The procedure editor when it is installed, else the sections as read-only text."""
        if self.editor is not None or self.text_view is not None:
            return
        layout = self.text_tab.layout()
        try:
            from .editor import ProcedureEditor
        except ImportError:
            ProcedureEditor = None  # noqa: N806
        if ProcedureEditor is not None:
            self.editor = ProcedureEditor(self.controller, self.text_tab)
            layout.addWidget(self.editor)
            return
        self.text_view = QTextBrowser(self.text_tab)
        self.text_view.setObjectName("documentText")
        self.text_view.setOpenExternalLinks(False)
        layout.addWidget(self.text_view)

    def search_widget(self) -> QWidget:
        return self.search

    def people_items(self) -> list[Item]:
        if self._people is None:
            self._people = people_items(self.workspace)
        return self._people

    def process_items(self) -> list[Item]:
        if self._processes is None:
            self._processes = process_items(self.workspace)
        return self._processes

    # ------------------------------------------------------------------ refreshing
    def refresh(self) -> None:
        self._people = self._processes = None
        self.model.read_only = self.controller.read_only
        self.model.reload()
        self._fill_owner_filter()
        self.details.refill_choices()
        self._after_change()

    def _on_changed(self, change: "Change") -> None:  # targeted: only the rows it names
        if not self.touches(change):
            return
        if change.touches("person"):
            self._people = None
        if change.touches("process"):
            self._processes = None
        if self.isVisible() and not self._stale and self.workspace is not None:
            self.model.refresh_ids(change)
            if change.touches("person", "process"):
                self._fill_owner_filter()
                self.details.refill_choices()
            self._after_change()
        else:
            self._stale = True

    def workspace_closed(self) -> None:
        self._people = self._processes = None
        self.model.set_rows([])
        self._show_current()

    def _fill_owner_filter(self) -> None:
        self.filters.set_items("owner", owner_filter_items(self.people_items(), self.model.rows))

    def clear_filters(self) -> None:
        self.filters.clear()

    def set_filters(self, **values: Any) -> None:
        """Filter the register (``kind``, ``status``, ``owner``, ``review_overdue``,
        ``text``), e.g. from the dashboard."""
        self.filters.clear()
        self.filters.apply(**values)

    def _after_change(self) -> None:
        rows = self.model.rows
        late = sum(1 for r in rows if r.review_state == "overdue")
        bad = sum(1 for r in rows if r.invalid_signatures)
        text = tr("{shown} of {total} documents · {late} overdue for review").format(
            shown=f"{self.proxy.rowCount():,}", total=f"{len(rows):,}", late=f"{late:,}")
        if bad:
            text += " " + tr("· {n} with signatures not valid").format(n=f"{bad:,}")
        self.count.setText(text)
        ro = self.controller.read_only
        self.read_only_note.setVisible(ro)
        self.model.read_only = ro
        self.details.set_read_only(ro)
        self._show_current()

    # ------------------------------------------------------------------ selection
    def _share_for_tab(self, index: int) -> None:
        """Until the user places the splitter, the Text tab gets most of the height and the
        other tabs leave it to the register."""
        if self.splitter.share is None:
            return
        self.splitter.share = TEXT_SHARE if index == self.text_index else REGISTER_SHARE
        self.splitter.apply_share()
        current = self.table.currentIndex()
        if current.isValid():  # the document being read stays in sight above it
            self.table.scrollTo(current)

    def _fill_word_menu(self) -> None:
        from . import exporting

        self.word_menu.clear()
        self.word_menu.addAction(self.export_action)
        exporting.add_export_actions(self.word_menu, self)
        if self.controller.read_only:
            for a in self.word_menu.actions():
                if "Register" in a.text().replace("&", ""):
                    a.setEnabled(False)

    def export_word(self) -> None:
        from . import exporting

        row = self.current_row()
        if row is None:
            self.window().statusBar().showMessage(tr("Select a document to export."), 5000)
            return
        exporting.export_procedure(self, row.id)

    def selected_ids(self) -> list[int]:
        return selection.selected_ids(self.table)

    def current_row(self) -> Any:
        return selection.current_row(self.table, self.model)

    def select_ids(self, ids: list[int]) -> None:
        selection.select_ids(self.table, self.model, self.proxy, ids,
                             column=self.model.column_of["title"])

    def select_document(self, doc_id: int) -> bool:
        """Show document ``doc_id`` (clearing filters that hide it); False when it is gone."""
        if self._stale and self.workspace is not None:
            self._refresh_now()
        pos = self.model.row_of(doc_id)
        if pos is None:
            return False
        if not self.proxy.mapFromSource(self.model.index(pos, 0)).isValid():
            self.clear_filters()
        self.select_ids([doc_id])
        return True

    def open_revision(self, rid: int) -> bool:
        """Show the document of revision ``rid`` with that revision selected."""
        from ...services import documents

        ws = self.workspace
        if ws is None:
            return False
        try:
            rev = documents.get_revision(ws, rid)
        except Exception:
            return False
        if not self.select_document(rev.document_id):
            return False
        self.revisions.set_revisions(self.revs, select=rid)
        self.tabs.setCurrentIndex(self.revisions_tab)
        return True

    def _show_current(self) -> None:
        from ...services import documents

        row = self.current_row()
        self.details.show_row(row)
        self.details.setEnabled(row is not None)
        ws = self.workspace
        self.revs = documents.revisions(ws, row.id) if row is not None and ws is not None \
            else []
        self.revisions.set_revisions(self.revs, select=self._default_revision(row))
        self._show_text(row)
        self._update_commands()

    def _default_revision(self, row) -> int | None:
        if row is None:
            return None
        keep = self.revisions.selected_revision()
        if keep is not None and any(r.id == keep for r in self.revs):
            return keep
        return row.pending_id or row.in_force_id

    def show_text_tab(self) -> None:
        self.tabs.setCurrentIndex(self.text_index)

    def _show_text(self, row) -> None:
        if self.tabs.currentIndex() != self.text_index:
            return  # built and filled when the tab is shown
        self._make_text_view()
        if self.editor is not None:
            doc_id = row.id if row is not None else None
            if self.editor.doc_id != doc_id:  # it follows changes of its document itself
                self.editor.set_document(doc_id)
            return
        if self.text_view is None:
            return
        from ...services import documents

        if row is None or self.workspace is None:
            self.text_view.clear()
            return
        rid = row.pending_id or row.in_force_id
        secs = documents.sections(self.workspace, rid) if rid else []
        md = [f"# {row.number} {row.title}"]
        rev_row = next((r for r in self.revs if r.id == rid), None)
        if rev_row is not None:
            md.append("*" + tr("Revision {rev} · {status}").format(
                rev=rev_row.number, status=status_words().get(rev_row.status, rev_row.status))
                + "*")
        for s in secs:
            md.append(f"## {s.title}")
            md.append(s.text or "*" + tr("(empty)") + "*")
        if not secs:
            md.append("*" + tr("This document has no text sections.") + "*")
        scroll = self.text_view.verticalScrollBar().value()
        self.text_view.setMarkdown("\n\n".join(md))
        self.text_view.verticalScrollBar().setValue(scroll)

    def _revision_selected(self, rid: int | None) -> None:
        rev = next((r for r in self.revs if r.id == rid), None)
        locked = rev is None or rev.status != "draft"
        self.files.set_revision(rid, locked)
        if rev is None:
            self.files_label.setText(tr("Select a document to see its files."))
        elif locked:
            self.files_label.setText(tr("The files of revision {rev} ({status}). They are part "
                                        "of what was signed, so only a draft's files can "
                                        "change.").format(
                rev=rev.number, status=status_words().get(rev.status, rev.status).lower()))
        else:
            self.files_label.setText(tr("The files of draft revision {rev} (source files, "
                                        "drawings). They become part of what is signed.")
                                     .format(rev=rev.number))

    def _files_label(self, n: int) -> None:
        self.tabs.setTabText(self.files_tab, tr("Files ({n})").format(n=n) if n else
                             tr("Files"))

    def working_revision(self, row=None) -> int | None:
        row = row or self.current_row()
        return None if row is None else (row.pending_id or row.in_force_id)

    def _update_commands(self) -> None:
        writable = self.workspace is not None and not self.controller.read_only
        n = len(self.table.selectionModel().selectedRows())
        row = self.current_row()
        self.add_action.setEnabled(writable)
        self.delete_action.setEnabled(writable and n > 0)
        self.title_action.setEnabled(writable and row is not None)
        self.open_action.setEnabled(row is not None and row.process_id is not None)
        self.numbering_action.setEnabled(writable)
        self.users_action.setEnabled(self.workspace is not None)
        state = workflow_state(row, self.revs, read_only=not writable)
        texts = step_texts()
        for name, action in self.steps.items():
            ok, tip = state[name]
            action.setEnabled(ok)
            action.setToolTip(f"{texts[name].rstrip('…')}: {tip}")
            action.setStatusTip(tip)
        if row is None:
            self.workflow_label.setText(tr("No document selected") + "  ")
        else:
            words = status_words()
            rev = row.pending or row.revision or "—"
            status = row.pending_status or row.status
            self.workflow_label.setText(tr("{doc} rev. {rev} ({status}):").format(
                doc=row.number, rev=rev, status=words.get(status, status).lower()) + "  ")

    # ------------------------------------------------------------------ register commands
    def _writable(self) -> bool:
        try:
            self.controller.require_writable()
        except Exception as e:  # read-only or closed: say so, change nothing
            self.controller.errorOccurred.emit(e)
            return False
        return True

    def add(self, values: dict[str, Any] | None = None) -> int | None:
        """A new document (asked in a dialog when ``values`` is None); its id or None."""
        from ...services import documents

        if not self._writable():
            return None
        if values is None:
            dialog = NewDocumentDialog(self.workspace, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            values = dialog.values()
        did = self.controller.edit(tr("Add document"),
                                   lambda ws: documents.add_document(ws, values))
        if did is None:
            return None
        pos = self.model.row_of(did)
        if pos is not None and not self.proxy.mapFromSource(self.model.index(pos, 0)).isValid():
            self.clear_filters()  # a filter hides the new document: show everything
        self.select_ids([did])
        return did

    def delete_selected(self) -> bool:
        from ...services import documents

        ids = self.selected_ids()
        if not ids or not self._writable():
            return False
        label = tr("Delete document") if len(ids) == 1 else \
            tr("Delete {n} documents").format(n=len(ids))
        return self.controller.edit(label, lambda ws: documents.delete_documents(ws, ids)) \
            is not None

    def edit_title(self) -> bool:
        row = self.current_row()
        if row is None or self.controller.read_only:
            return False
        pos = self.model.row_of(row.id)
        index = self.proxy.mapFromSource(self.model.index(pos, self.model.column_of["title"]))
        self.table.setCurrentIndex(index)
        self.table.edit(index)
        return True

    def open_process(self) -> bool:
        row = self.current_row()
        if row is None or row.process_id is None:
            return False
        self.openRecord.emit("process", row.process_id)
        return True

    def edit_numbering(self) -> bool:
        from .numbering import NumberingDialog

        if not self._writable():
            return False
        return NumberingDialog(self.controller, self).exec() == QDialog.DialogCode.Accepted

    def manage_users(self) -> None:
        from .users import UsersDialog, ensure_signing_user
        from ...services import documents

        ws = self.workspace
        if ws is None:
            return
        if not documents.has_users(ws) and not self.controller.read_only:
            if not ensure_signing_user(self.controller, self):
                return
        UsersDialog(self.controller, self).exec()

    # ------------------------------------------------------------------ workflow
    def _doc_label(self, row) -> str:
        return row.number or row.title

    def _step_allowed(self, step: str) -> bool:
        row = self.current_row()
        ok, why = workflow_state(row, self.revs, read_only=self.controller.read_only)[step]
        if not ok and row is not None:
            QMessageBox.information(self, step_texts()[step].rstrip("…"), why)
        return ok

    def sign(self, meaning: str) -> bool:
        """Sign the current document's revision being worked on as ``meaning`` through the
        signing dialog (after setting up the first signing user when there is none)."""
        from ...services import documents
        from .signing import SignDialog
        from .users import ensure_signing_user

        row = self.current_row()
        ws = self.workspace
        if row is None or ws is None:
            return False
        rid = row.pending_id
        if self.controller.read_only:
            try:  # the service says why (it refuses before checking any password)
                documents.sign(ws, rid or 0, meaning, "", "")
            except Exception as e:
                self.controller.errorOccurred.emit(e)
            return False
        if rid is None:
            QMessageBox.information(self, tr("Sign"), tr(
                "{doc} has no revision being worked on; start a revision first.").format(
                doc=self._doc_label(row)))
            return False
        if not ensure_signing_user(self.controller, self):
            return False
        dialog = SignDialog(self.controller, rid, meaning, self)
        return dialog.exec() == QDialog.DialogCode.Accepted

    def start_revision(self, summary: str | None = None) -> int | None:
        from ...services import documents

        row = self.current_row()
        if row is None or not self._writable() or not self._step_allowed("start"):
            return None
        if summary is None:
            summary, ok = QInputDialog.getText(
                self, tr("Start Revision"), tr("What will change in {doc}? (the change "
                                               "summary; it can be edited later)").format(
                    doc=self._doc_label(row)))
            if not ok:
                return None
        doc_id = row.id
        return self.controller.edit(
            tr("Start revision of {doc}").format(doc=self._doc_label(row)),
            lambda ws: documents.start_revision(ws, doc_id, summary.strip()))

    def return_to_draft(self, reason: str | None = None) -> bool:
        from ...services import documents

        row = self.current_row()
        if row is None or not self._writable() or not self._step_allowed("return"):
            return False
        if reason is None:
            reason, ok = QInputDialog.getMultiLineText(
                self, tr("Return to Draft"), tr("Why does revision {rev} of {doc} go back to "
                                                "draft? (added to its change summary)").format(
                    rev=row.pending, doc=self._doc_label(row)))
            if not ok:
                return False
        if not reason.strip():
            QMessageBox.information(self, tr("Return to Draft"),
                                    tr("Give the reason for returning it to draft."))
            return False
        rid = row.pending_id
        return self.controller.edit(
            tr("Return {doc} rev. {rev} to draft").format(doc=self._doc_label(row),
                                                         rev=row.pending),
            lambda ws: documents.return_to_draft(ws, rid, reason)) is not None

    def make_effective(self, on: dt.date | None = None, confirm: bool = True) -> bool:
        """Put the approved revision in force on ``on`` (asked in a dialog when None); a day
        before today is confirmed first (``confirm``), naming the day."""
        from ...services import documents

        row = self.current_row()
        if row is None or not self._writable() or not self._step_allowed("effective"):
            return False
        if on is None:
            on = self._ask_effective_day(row)
            if on is None:
                return False
        if confirm and on < dt.date.today() and not self._confirm_back_dated(row, on):
            return False
        rid = row.pending_id
        return self.controller.edit(
            tr("Make {doc} rev. {rev} effective").format(doc=self._doc_label(row),
                                                        rev=row.pending),
            lambda ws: documents.make_effective(ws, rid, on)) is not None

    def _confirm_back_dated(self, row, on: dt.date) -> bool:
        return QMessageBox.question(
            self, tr("Back-Date Revision"), back_dated_text(row.pending, self._doc_label(row), on,
                                                            format_date(on))
            + "\n\n" + tr("Make it effective on that day?")) == \
            QMessageBox.StandardButton.Yes

    def _ask_effective_day(self, row) -> dt.date | None:
        dialog = EffectiveDayDialog(row.pending, self._doc_label(row), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.day.date().toPython()

    def withdraw(self, confirm: bool = True) -> bool:
        from ...services import documents

        row = self.current_row()
        if row is None or not self._writable() or not self._step_allowed("withdraw"):
            return False
        if confirm and QMessageBox.question(
                self, tr("Withdraw Document"),
                tr("Withdraw {doc}? Revision {rev} stops being in force and the document "
                   "becomes obsolete; its history stays on record.").format(
                    doc=self._doc_label(row), rev=row.revision)) != \
                QMessageBox.StandardButton.Yes:
            return False
        doc_id = row.id
        return self.controller.edit(tr("Withdraw {doc}").format(doc=self._doc_label(row)),
                                    lambda ws: documents.withdraw(ws, doc_id)) is not None

    def mark_reviewed(self) -> bool:
        from ...services import documents

        row = self.current_row()
        if row is None or not self._writable() or not self._step_allowed("reviewed"):
            return False
        doc_id = row.id
        return self.controller.edit(
            tr("Record periodic review of {doc}").format(doc=self._doc_label(row)),
            lambda ws: documents.mark_reviewed(ws, doc_id)) is not None


__all__ = ["DocumentsPage", "EffectiveDayDialog", "NewDocumentDialog", "RevisionFiles"]
