"""The competence matrix on screen: a table model over a computed ``services.training.Matrix``
and a view whose names and course headers stay put while it scrolls both ways.

The model never queries the database: it paints from the matrix's lists. Filters (department,
role, course text, status, name text) choose which rows and columns show; they rebuild two index
lists and nothing else. The person names are the vertical header and the courses the horizontal
header (drawn rotated), so both are frozen by the view itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QRect, QSize, Qt, \
    Signal
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QStyleOptionHeader, \
    QTableView, QWidget

from ...core import palette
from ...core import training as rules
from ...services.training import LATE, Matrix

PersonRole = Qt.ItemDataRole.UserRole + 1
CourseRole = Qt.ItemDataRole.UserRole + 2
StatusRole = Qt.ItemDataRole.UserRole + 3


def tr(text: str) -> str:
    return QCoreApplication.translate("training", text)


def status_label(status: str) -> str:
    return {rules.CURRENT: tr("current"), rules.EXPIRING: tr("expiring"), rules.DUE: tr("due"),
            rules.RETRAIN: tr("retraining due"), rules.EXPIRED: tr("expired"),
            rules.MISSING: tr("missing"), rules.NOT_REQUIRED: tr("not required")}[status]


def kind_label(kind: str) -> str:
    return {"read_and_understood": tr("Read and understood"), "classroom": tr("Classroom"),
            "on_the_job": tr("On the job"), "external": tr("External certificate")
            }.get(kind, kind.replace("_", " "))


def fmt(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def cell_text(status: str, day: dt.date | None, today: dt.date) -> str:
    """The one-line reading of a cell: status, with the date that goes with it."""
    if status == rules.CURRENT:
        return tr("current, valid until {d}").format(d=fmt(day)) if day else \
            tr("current (does not expire)")
    if status == rules.EXPIRING:
        return tr("expiring on {d} (in {n} days)").format(d=fmt(day), n=(day - today).days)
    if status == rules.EXPIRED:
        return tr("expired on {d}").format(d=fmt(day))
    if status == rules.RETRAIN:
        if day is None:
            return tr("retraining due")
        if day < today:
            return tr("retraining overdue since {d} (a new revision)").format(d=fmt(day))
        return tr("retraining due by {d} (a new revision)").format(d=fmt(day))
    if status == rules.DUE:
        return tr("not yet trained, due by {d}").format(d=fmt(day))
    if status == rules.MISSING:
        return tr("missing (grace period ended {d})").format(d=fmt(day)) if day else \
            tr("missing")
    return tr("not required")


class MatrixModel(QAbstractTableModel):
    """People × courses. ``set_matrix`` swaps in a new computation; ``set_filters`` chooses the
    rows and columns shown."""

    #: a new matrix was set (the view re-measures its headers)
    matrixChanged = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.matrix: Matrix | None = None
        self.rows: list[int] = []  # indexes into matrix.people
        self.cols: list[int] = []  # indexes into matrix.courses
        self.filters: dict[str, Any] = {}
        self.dark = False
        self._brushes: dict[str, tuple[QBrush, QBrush]] = {}
        self._make_brushes()

    # ------------------------------------------------------------------ data in
    def set_dark(self, dark: bool) -> None:
        self.dark = dark
        self._make_brushes()
        if self.rows and self.cols:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.rows) - 1, len(self.cols) - 1))

    def _make_brushes(self) -> None:
        self._brushes = {s: (QBrush(QColor(fill)), QBrush(QColor(ink)))
                         for s, (fill, ink) in palette.TRAINING_COLOURS[self.dark].items()}

    def set_matrix(self, matrix: Matrix | None) -> None:
        self.beginResetModel()
        self.matrix = matrix
        self._select()
        self.endResetModel()
        self.matrixChanged.emit()

    def set_filters(self, **filters: Any) -> None:
        """department, role, course (text), status, text (name / employee no.), required_only
        (columns): None or "" means any."""
        self.beginResetModel()
        self.filters.update(filters)
        self._select()
        self.endResetModel()

    def rows_changed(self, person_ids: set[int], before: dict | None = None) -> None:
        """Cells of these people were recomputed in place: repaint what changed — each cell
        whose status or date differs from ``before`` (person id → (statuses, dates)), one by
        one (a range would make the view repaint all of itself), else the whole rows."""
        mx = self.matrix
        if mx is None or not self.cols:
            return
        for r, i in enumerate(self.rows):
            pid = mx.people[i].id
            if pid not in person_ids:
                continue
            old = (before or {}).get(pid)
            if old is None:
                self.dataChanged.emit(self.index(r, 0), self.index(r, len(self.cols) - 1))
                continue
            statuses, dates = old
            for c, j in enumerate(self.cols):
                if statuses[j] != mx.status[i][j] or dates[j] != mx.dates[i][j]:
                    index = self.index(r, c)
                    self.dataChanged.emit(index, index)

    def _select(self) -> None:
        mx = self.matrix
        if mx is None:
            self.rows, self.cols = [], []
            return
        f = self.filters
        dept = f.get("department") or None
        role = f.get("role") or None
        text = (f.get("text") or "").strip().casefold()
        course = (f.get("course") or "").strip().casefold()
        status = f.get("status") or None
        today = mx.today

        def match(i: int, j: int) -> bool:
            """The cell has the status filtered for; "late": it needs training now."""
            s = mx.status[i][j]
            if status != LATE:
                return s == status
            return s in rules.OVERDUE and not (s == rules.RETRAIN and mx.dates[i][j] is not None
                                               and mx.dates[i][j] >= today)
        cols = [j for j, c in enumerate(mx.courses)
                if not course or course in c.code.casefold() or course in c.title.casefold()]
        rows = []
        for i, p in enumerate(mx.people):
            if dept and p.department != dept:
                continue
            if role and role not in p.roles:
                continue
            if text and text not in p.name.casefold() and text not in p.employee_no.casefold():
                continue
            if status and not any(match(i, j) for j in cols):
                continue
            rows.append(i)
        if status:
            cols = [j for j in cols if any(match(i, j) for i in rows)]
        elif dept or role or text:  # hide courses nobody shown needs
            cols = [j for j in cols
                    if any(mx.status[i][j] != rules.NOT_REQUIRED for i in rows)]
        self.rows, self.cols = rows, cols

    # ------------------------------------------------------------------ Qt model
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.cols)

    def person(self, row: int):
        return self.matrix.people[self.rows[row]]

    def course(self, col: int):
        return self.matrix.courses[self.cols[col]]

    def cell(self, row: int, col: int) -> tuple[str, dt.date | None]:
        i, j = self.rows[row], self.cols[col]
        return self.matrix.status[i][j], self.matrix.dates[i][j]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.matrix is None:
            return None
        i, j = self.rows[index.row()], self.cols[index.column()]
        status = self.matrix.status[i][j]
        R = Qt.ItemDataRole
        if role == R.DisplayRole:
            return rules.SYMBOLS[status]
        if role == R.BackgroundRole:
            b = self._brushes.get(status)
            return b[0] if b else None
        if role == R.ForegroundRole:
            b = self._brushes.get(status)
            return b[1] if b else None
        if role == R.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if role == R.ToolTipRole:
            return self.tooltip(index.row(), index.column())
        if role == R.AccessibleTextRole:
            return status_label(status)
        if role == StatusRole:
            return status
        if role == PersonRole:
            return self.matrix.people[i].id
        if role == CourseRole:
            return self.matrix.courses[j].id
        return None

    def tooltip(self, row: int, col: int) -> str:
        mx = self.matrix
        p, c = self.person(row), self.course(col)
        status, day = self.cell(row, col)
        lines = [f"{p.name} — {c.code} {c.title}".strip(),
                 cell_text(status, day, mx.today)]
        for reason in mx.reasons.get((p.id, c.id), ()):
            if reason.kind == "map":
                lines.append(tr("Why: {role} does the step “{step}” in “{map}”, which uses "
                                "{doc}").format(role=reason.role, step=reason.step,
                                                map=reason.process, doc=reason.document))
            else:
                lines.append(tr("Why: required for the role {role}").format(role=reason.role)
                             + (tr(" (grace period {n} days)").format(n=reason.grace_days)
                                if reason.grace_days else ""))
        if c.revision and c.kind == "read_and_understood":
            lines.append(tr("Revision in force: {doc} rev. {rev}").format(
                doc=c.document, rev=c.revision))
        rec = mx.latest.get((p.id, c.id))
        if rec is not None:
            last = tr("Last completed {d}").format(d=fmt(rec.completed_on))
            if rec.trainer:
                last += tr(" with {t}").format(t=rec.trainer)
            if rec.document_revision:
                last += tr(" (rev. {r})").format(r=rec.document_revision)
            lines.append(last)
        return "\n".join(lines)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.matrix is None:
            return None
        R = Qt.ItemDataRole
        if orientation == Qt.Orientation.Horizontal:
            if section >= len(self.cols):
                return None
            c = self.course(section)
            if role == R.DisplayRole:
                return c.label
            if role == R.ToolTipRole:
                bits = [f"{c.code} {c.title}".strip(),
                        tr("Method: {m}").format(m=kind_label(c.kind)),
                        tr("Given: {p}").format(p=tr("externally") if c.provider == "external"
                                                else tr("internally")),
                        tr("Valid: {v}").format(v=c.validity_text)]
                if c.document:
                    bits.append(tr("Procedure: {d}").format(
                        d=f"{c.document} rev. {c.revision}" if c.revision else c.document))
                return "\n".join(bits)
            return None
        if section >= len(self.rows):
            return None
        p = self.person(section)
        if role == R.DisplayRole:
            return p.name
        if role == R.ToolTipRole:
            bits = [p.name]
            if p.employee_no:
                bits.append(tr("Employee no. {n}").format(n=p.employee_no))
            if p.department:
                bits.append(tr("Department: {d}").format(d=p.department))
            if p.roles:
                bits.append(tr("Roles: {r}").format(r=", ".join(p.roles)))
            return "\n".join(bits)
        if role == R.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        return None

    def index_of(self, person_id: int, course_id: int) -> QModelIndex:
        if self.matrix is None:
            return QModelIndex()
        i, j = self.matrix.row_of.get(person_id), self.matrix.col_of.get(course_id)
        if i is None or j is None or i not in self.rows or j not in self.cols:
            return QModelIndex()
        return self.index(self.rows.index(i), self.cols.index(j))


class RotatedHeader(QHeaderView):
    """A horizontal header whose labels read bottom-up, so narrow columns keep whole names."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setSectionsClickable(True)
        self.setHighlightSections(True)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        self._height = 60

    def measure(self, labels) -> None:
        """Fit the header's height to the longest course label (once per matrix, not per
        section: Qt asks every section for its size)."""
        fm = self.fontMetrics()
        widest = max((fm.horizontalAdvance(t) for t in set(labels)), default=0)
        self._height = max(fm.height() + 12, min(widest + 16, 220))
        self.setFixedHeight(self._height)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._height)

    def sectionSizeFromContents(self, logical: int) -> QSize:
        return QSize(self.fontMetrics().height() + 10, self._height)

    def paintSection(self, painter: QPainter, rect: QRect, logical: int) -> None:
        if not rect.isValid():
            return
        opt = QStyleOptionHeader()
        self.initStyleOption(opt)
        opt.rect = rect
        opt.section = logical
        opt.text = ""
        sel = self.selectionModel()
        if sel is not None and sel.columnIntersectsSelection(logical, self.rootIndex()):
            opt.state |= QStyle.StateFlag.State_On
        painter.save()
        self.style().drawControl(QStyle.ControlElement.CE_Header, opt, painter, self)
        text = str(self.model().headerData(logical, Qt.Orientation.Horizontal) or "")
        painter.translate(rect.left(), rect.bottom())
        painter.rotate(-90)
        inner = QRect(6, 0, rect.height() - 10, rect.width())
        elided = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, inner.width())
        painter.setPen(self.palette().buttonText().color())
        painter.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)
        painter.restore()


class MatrixView(QTableView):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trainingMatrix")
        self.setHorizontalHeader(RotatedHeader(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        h = self.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        side = self.fontMetrics().height() + 12
        h.setDefaultSectionSize(side)
        h.setMinimumSectionSize(side)
        v = self.verticalHeader()
        v.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        v.setDefaultSectionSize(side)
        v.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

    def setModel(self, model) -> None:
        super().setModel(model)
        model.matrixChanged.connect(self.fit_headers)
        self.fit_headers()

    def fit_headers(self) -> None:
        """Size the name column and the course header for the whole matrix (not per filter,
        so filtering never makes the table jump)."""
        model = self.model()
        mx = getattr(model, "matrix", None)
        if mx is None:
            return
        fm = self.verticalHeader().fontMetrics()
        widest = max((fm.horizontalAdvance(p.name) for p in mx.people), default=0)
        self.verticalHeader().setFixedWidth(min(max(widest + 24, 120), 320))
        self.horizontalHeader().measure(c.label for c in mx.courses)
