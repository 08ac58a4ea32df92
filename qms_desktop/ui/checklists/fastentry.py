"""Fast entry: typing back a printed blank.

A printed blank carries its run code ("IA26-03") and item numbers. Type the code and Enter:
the run's items are listed. Then type one key per item in item order — 1 conform, 2 partial,
3 nonconform, 4 not applicable, 5 not yet assessed, "." or "0" to leave an item as it is;
spaces, dashes and new lines are ignored, so "1121 3311" is fine. The list shows what each
key gives as you type; Save writes all of it as one undo step (``enter_results``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core import checklists as rules
from .model import result_text, tr

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController

#: keys that leave an item as it is
SKIP = frozenset(".0")
#: keys that are only there for the eye
IGNORED = frozenset(" -_/|\t\n\r,;")


def parse_keys(text: str, first: int = 1) -> tuple[dict[int, str], str]:
    """{item number: key "1"–"5"} from typed keys (item ``first`` on), and a problem sentence
    ("" when none)."""
    out: dict[int, str] = {}
    n = first
    for ch in text:
        if ch in IGNORED:
            continue
        if ch in SKIP:
            n += 1
            continue
        if ch not in rules.RESULT_KEYS:
            return out, tr("“{ch}” is not a result key: type 1 to 5, or . to skip an "
                           "item.").format(ch=ch)
        out[n] = ch
        n += 1
    return out, ""


class FastEntry(QWidget):
    #: the user asked to open the run (its id)
    runOpened = Signal(int)

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.run_id: int | None = None
        self.items: list = []
        self.code = QLineEdit(self)
        self.code.setObjectName("fastEntryCode")
        self.code.setPlaceholderText(tr("Run code from the blank, e.g. IA26-03, then Enter"))
        self.code.returnPressed.connect(lambda: self.find(self.code.text()))
        self.run_label = QLabel(self)
        self.run_label.setWordWrap(True)
        self.first = QSpinBox(self)
        self.first.setRange(1, 1)
        self.first.setToolTip(tr("The item the first key is for"))
        self.first.valueChanged.connect(lambda _v: self._preview())
        self.keys = QLineEdit(self)
        self.keys.setObjectName("fastEntryKeys")
        self.keys.setPlaceholderText(tr("One key per item: 1 conform, 2 partial, 3 nonconform, "
                                        "4 n/a, 5 not assessed, . leave as is"))
        self.keys.textChanged.connect(lambda _t: self._preview())
        self.keys.returnPressed.connect(lambda: self.save())
        f = self.keys.font()
        f.setFamily("monospace")
        f.setPointSizeF(f.pointSizeF() * 1.3)
        self.keys.setFont(f)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.save_button = QPushButton(tr("&Save results"), self)
        self.save_button.setToolTip(tr("Write every typed result as one step you can undo "
                                       "(Enter)"))
        self.save_button.clicked.connect(lambda: self.save())
        self.open_button = QPushButton(tr("&Open run"), self)
        self.open_button.clicked.connect(
            lambda: self.runOpened.emit(self.run_id) if self.run_id else None)
        self.preview = QTableWidget(0, 4, self)
        self.preview.setObjectName("fastEntryPreview")
        self.preview.setHorizontalHeaderLabels([tr("No."), tr("Clause"), tr("Question"),
                                                tr("Typed")])
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().hide()
        self.preview.horizontalHeader().setStretchLastSection(True)
        self.preview.setColumnWidth(2, 420)
        form = QFormLayout()
        form.addRow(tr("Run &code"), self.code)
        form.addRow(self.run_label)
        form.addRow(tr("&From item"), self.first)
        form.addRow(tr("&Keys"), self.keys)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.problem, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.preview, 1)
        self.set_read_only(False)

    def set_read_only(self, read_only: bool) -> None:
        self.keys.setReadOnly(read_only)
        self.save_button.setEnabled(not read_only and self.run_id is not None)
        self.open_button.setEnabled(self.run_id is not None)

    def find(self, code: str) -> bool:
        """Look the run up by its printed code and list its items."""
        from ...services import checklists
        from ...services.records import RecordError

        ws = self.controller.workspace
        if ws is None:
            return False
        try:
            rid = checklists.find_run(ws, code)
        except RecordError as e:
            self.run_id, self.items = None, []
            self.run_label.setText(str(e))
            self._preview()
            self.set_read_only(self.controller.read_only)
            return False
        self.set_run(rid)
        self.keys.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def set_run(self, run_id: int | None) -> None:
        from ...services import checklists

        ws = self.controller.workspace
        self.run_id = run_id
        self.items = checklists.run_items(ws, run_id) if ws is not None and run_id else []
        row = checklists.get_runs(ws, [run_id])[0] if self.items else None
        self.run_label.setText(tr("{code} · {title} · {n} items").format(
            code=row.code, title=row.title, n=len(self.items)) if row else "")
        self.first.setRange(1, max(1, len(self.items)))
        self.keys.clear()
        self._preview()
        self.set_read_only(self.controller.read_only)

    def typed(self) -> tuple[dict[int, str], str]:
        keys, problem = parse_keys(self.keys.text(), self.first.value())
        if not problem and keys and max(keys) > len(self.items):
            problem = tr("More keys than items: the run has {n} items.").format(
                n=len(self.items))
        return keys, problem

    def _preview(self) -> None:
        keys, problem = self.typed()
        self.problem.setText(problem or (tr("{n} results typed").format(n=len(keys))
                                         if keys else ""))
        self.preview.setRowCount(len(self.items))
        for r, it in enumerate(self.items):
            key = keys.get(it.number)
            typed = result_text(rules.RESULT_KEYS[key]) if key else ""
            was = tr("now: {r}").format(r=result_text(it.result))
            for c, text in enumerate((str(it.number), it.clause, it.title,
                                      f"{typed}   ({was})" if typed else was)):
                cell = self.preview.item(r, c)
                if cell is None:
                    cell = QTableWidgetItem()
                    self.preview.setItem(r, c, cell)
                cell.setText(text)
        if keys:
            last = max(k for k in keys if k <= len(self.items)) if any(
                k <= len(self.items) for k in keys) else None
            if last is not None:
                self.preview.scrollToItem(self.preview.item(last - 1, 0))

    def save(self) -> int | None:
        """Write the typed results (one undo step); returns how many answers changed."""
        from ...services import checklists

        keys, problem = self.typed()
        if problem or not keys or self.run_id is None:
            if problem:
                self.problem.setText(problem)
            return None
        run_id = self.run_id
        results = {n: rules.RESULT_KEYS[k] for n, k in keys.items()}
        changed = self.controller.edit(
            tr("Type back {n} results").format(n=len(results)),
            lambda ws: checklists.enter_results(ws, run_id, results))
        if changed is None:
            return None
        changed = 0 if changed is True else changed
        self.set_run(run_id)
        self.problem.setText(tr("{n} answers changed.").format(n=changed))
        return changed
