"""Workshop mode: one item of a run at a time, full screen, in type large enough to read from the
back of the room, driven from the keyboard.

Keys (when no text box has the focus): 1–5 rate the item (``core.checklists.RESULT_KEYS``:
conform, partial, nonconform, not applicable, not yet assessed) and move to the next one, as in
the Run tab's table; Enter or → next item, ← back to the previous one, E the evidence box, A
the agreed-action box, P pauses or resumes the section timer, Ctrl+Z / Ctrl+Shift+Z undo and redo, F11 full screen on or off, Esc leaves (in a text box
Esc only gives the keyboard back to the item).

Every answer is saved at once as one undo step (``controller.edit`` → ``checklists.answer``);
the evidence text when the box is left, the item changes or the window closes; an agreed action
adds a finding to the item (or reuses its open one) and an action in the workspace-wide list,
as one undo step. Its owner and due date sit next to the action box (Tab to reach them; the due
date is proposed a month ahead, Delete empties it; "no owner" is a choice) and Enter in any of
the three adds the action. The score chart per chapter is redrawn in place after each answer, from the
answers held here (no query), on a zero-time timer so the key press never waits for it.

Type scales with the window: the body text is 30 px at 1080 px high (28 px at least there); the
chart text and the score rule are 24 px at least there.
The view tells where it is (:attr:`placeChanged`, :meth:`current_response_id`) and, on closing,
asks the page it was opened from to select the same item (``parent.select_response``).
"""

from __future__ import annotations

import datetime as dt
import time
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...core import checklists as rules
from ..table import DateEditor

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController


def tr(text: str) -> str:
    return QCoreApplication.translate("workshop", text)


#: body text in px at a window 1080 px high; everything scales with the window's height
BODY_PX = 30
MIN_BODY_PX = 14
#: the smallest chart text and the score rule in px at 1080 px high (readable from 5 m)
CHART_PX = 24
#: results in key order, with a symbol so the buttons read without colour
_RESULT_SYMBOL = {"conform": "✓", "partial": "◐", "nonconform": "✗", "na": "–", None: "?"}
#: short words for the buttons (the full labels are in core.checklists.RESULT_LABELS)
_SHORT = {"conform": "Conform", "partial": "Partly", "nonconform": "Nonconform", "na": "N/A",
          None: "Open"}
def result_text(result: str | None) -> str:
    return f"{_RESULT_SYMBOL[result]} {tr(rules.RESULT_LABELS[result])}"


def _clock_text(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else \
        f"{s // 60:02d}:{s % 60:02d}"


class _EscapeToItem(QObject):
    """Esc in a text box gives the keyboard back to the window (it does not close it); Enter
    in the action's owner or due date adds the action, as it does in the action box; Delete in
    the due date empties it."""

    def __init__(self, window: "WorkshopWindow"):
        super().__init__(window)
        self.window = window

    def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
            if obj is self.window.evidence_edit:
                self.window.save_evidence()
            self.window.setFocus()
            return True
        if event.type() == QEvent.Type.KeyPress and \
                event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                obj in (self.window.owner_combo, self.window.due_edit):
            self.window.add_action()
            return True
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Delete and \
                obj is self.window.due_edit:
            self.window.due_edit.set_value(None)  # no due date, on purpose
            return True
        if event.type() == QEvent.Type.FocusOut and obj is self.window.evidence_edit:
            self.window.save_evidence()
        return False


class WorkshopWindow(QWidget):
    """The workshop view of run ``run_id``; ``start()`` shows it full screen."""

    #: the item shown changed (its response id)
    placeChanged = Signal(int)
    #: the window closed on this item (its response id)
    closedAt = Signal(int)

    def __init__(self, controller: "WorkspaceController", run_id: int,
                 parent: QWidget | None = None, *, response_id: int | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        from ...services import checklists

        self.controller = controller
        self.run_id = run_id
        #: the time source of the section timer (tests replace it)
        self.clock = time.monotonic
        ws = controller.workspace
        self.items = checklists.run_items(ws, run_id)
        runs = checklists.get_runs(ws, [run_id])
        self.run = runs[0] if runs else None
        self.index = 0
        self._own_edit = False
        self._closed = False
        self._scale = 0.0
        self._chart = None  # (figure, canvas) once built, after the first paint
        self._previous = None  # the previous run's scores (None: no comparison)
        self._previous_label = ""
        self._actions: dict[int, list[str]] = {}
        self._section_time: dict[str, float] = {}
        self._section = None
        self._entered: float | None = None
        self._paused = False
        self.setWindowTitle(tr("Workshop: {run}").format(
            run=" ".join(x for x in (self.run.code, self.run.title) if x) if self.run
            else str(run_id)))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._build()
        # the chart follows a quarter of a second after the last answer: rating items in a
        # row never waits for it (a redraw costs more than the answer itself)
        self._chart_timer = QTimer(self, singleShot=True, interval=250)
        self._chart_timer.timeout.connect(self.redraw_chart)
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self._show_timer)
        self._tick.start()
        controller.changed.connect(self._on_changed)
        controller.flushRequested.connect(self.save_evidence)
        start = next((i for i, it in enumerate(self.items) if it.response_id == response_id),
                     None)
        if start is None:
            start = next((i for i, it in enumerate(self.items) if it.result is None), 0)
        self._show(start, emit=False)
        self._update_progress()
        # the chart (matplotlib) and the agreed actions come after the first paint
        QTimer.singleShot(0, self, self._load_later)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        self.setObjectName("workshop")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 20, 32, 16)
        outer.setSpacing(10)
        head = QHBoxLayout()
        self.run_label = QLabel(self.windowTitle()[len(tr("Workshop: ")):], self)
        self.run_label.setObjectName("small")
        self.place_label = QLabel(self)
        self.place_label.setObjectName("place")
        self.timer_label = QLabel(self)
        self.timer_label.setObjectName("small")
        self.pause_button = QPushButton(tr("Pause timer (P)"), self)
        self.pause_button.clicked.connect(self.toggle_timer)
        head.addWidget(self.place_label, 1)
        head.addWidget(self.timer_label)
        head.addWidget(self.pause_button)
        outer.addWidget(self.run_label)
        outer.addLayout(head)

        body = QHBoxLayout()
        body.setSpacing(36)
        left = QVBoxLayout()
        left.setSpacing(10)
        self.section_label = QLabel(self)
        self.section_label.setObjectName("small")
        self.question_label = QLabel(self)
        self.question_label.setObjectName("question")
        self.guidance_label = QLabel(self)
        self.expected_label = QLabel(self)
        for lab in (self.section_label, self.question_label, self.guidance_label,
                    self.expected_label, self.run_label):
            lab.setWordWrap(True)
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        left.addWidget(self.section_label)
        left.addWidget(self.question_label)
        left.addWidget(self.guidance_label)
        left.addWidget(self.expected_label)
        buttons = QHBoxLayout()
        self.result_buttons: dict[str | None, QPushButton] = {}
        for key, result in rules.RESULT_KEYS.items():
            b = QPushButton(f"{key} {_RESULT_SYMBOL[result]} {tr(_SHORT[result])}", self)
            b.setToolTip(result_text(result))
            b.setCheckable(True)
            b.setObjectName("result")
            b.clicked.connect(lambda _c=False, r=result: self.answer(r))
            buttons.addWidget(b)
            self.result_buttons[result] = b
        left.addLayout(buttons)
        self.evidence_edit = QPlainTextEdit(self)
        self.evidence_edit.setPlaceholderText(tr("Evidence seen (E to write, Esc when done)"))
        self.evidence_edit.setTabChangesFocus(True)
        left.addWidget(self.evidence_edit)
        act = QHBoxLayout()
        self.action_edit = QLineEdit(self)
        self.action_edit.setPlaceholderText(tr("Agreed action (A to write, Enter to add)"))
        self.action_edit.returnPressed.connect(self.add_action)
        self.owner_combo = QComboBox(self)
        self.owner_combo.addItem(tr("no owner"), None)
        self.owner_combo.setToolTip(tr("Who does it (type the first letters); \"no owner\" "
                                       "leaves it open"))
        self.due_edit = DateEditor(self)
        self.due_edit.setSpecialValueText(tr("no due date"))
        self.due_edit.setToolTip(tr("Due on (a month ahead unless changed; Delete: no due "
                                    "date)"))
        self.due_edit.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        self._reset_action_fields()
        self.add_button = QPushButton(tr("Add action"), self)
        self.add_button.clicked.connect(self.add_action)
        act.addWidget(self.action_edit, 3)
        act.addWidget(self.owner_combo, 1)
        act.addWidget(self.due_edit, 1)
        act.addWidget(self.add_button)
        left.addLayout(act)
        self.actions_label = QLabel(self)
        self.actions_label.setWordWrap(True)
        left.addWidget(self.actions_label)
        left.addStretch(1)

        right = QVBoxLayout()
        right.setSpacing(8)
        self.score_label = QLabel(self)
        self.score_label.setWordWrap(True)
        self.score_label.setObjectName("score")
        self.rule_label = QLabel(tr(rules.SCORE_RULE), self)
        self.rule_label.setWordWrap(True)
        self.rule_label.setObjectName("rule")
        self.chart_box = QVBoxLayout()
        self.chart_placeholder = QLabel(tr("Score chart…"), self)
        self.chart_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chart_placeholder.setSizePolicy(QSizePolicy.Policy.Expanding,
                                             QSizePolicy.Policy.Expanding)
        self.chart_box.addWidget(self.chart_placeholder)
        right.addWidget(self.score_label)
        right.addLayout(self.chart_box, 1)
        right.addWidget(self.rule_label)
        grid = QGridLayout()
        grid.setVerticalSpacing(4)
        self.chapter_bars: dict[str, QProgressBar] = {}
        for row, ch in enumerate(self._chapters()):
            lab = QLabel(tr("Ch. {chapter}").format(chapter=ch) if ch else tr("Other"), self)
            lab.setObjectName("small")
            bar = QProgressBar(self)
            bar.setTextVisible(True)
            grid.addWidget(lab, row, 0)
            grid.addWidget(bar, row, 1)
            self.chapter_bars[ch] = bar
        right.addLayout(grid)
        self.left_panel = QWidget(self)
        self.left_panel.setLayout(left)
        left.setContentsMargins(0, 0, 0, 0)
        self.right_panel = QWidget(self)
        self.right_panel.setLayout(right)
        right.setContentsMargins(0, 0, 0, 0)
        for panel in (self.left_panel, self.right_panel):
            panel.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        body.addWidget(self.left_panel, 3)
        body.addWidget(self.right_panel, 2)
        outer.addLayout(body, 1)
        self.hint_label = QLabel(tr(
            "1–5 rate and go to the next item · Enter/→ next · ← back · E evidence · "
            "A action (Tab owner, due) · "
            "P pause timer · "
            "Ctrl+Z undo · F11 full screen · Esc leave"), self)
        self.hint_label.setObjectName("hint")
        outer.addWidget(self.hint_label)
        esc = _EscapeToItem(self)
        for w in (self.evidence_edit, self.action_edit, self.owner_combo, self.due_edit):
            w.installEventFilter(esc)
        for b in (*self.result_buttons.values(), self.pause_button, self.add_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def _chapters(self) -> list[str]:
        seen: dict[str, None] = {}
        for it in sorted(self.items, key=lambda i: rules.clause_key(rules.chapter_of(i.clause))):
            seen.setdefault(rules.chapter_of(it.clause), None)
        return list(seen)

    # ------------------------------------------------------------------ size and type
    def font_px(self) -> dict[str, int]:
        """The pixel sizes used at the window's current height."""
        s = max(self.height(), 1) / 1080
        body = max(MIN_BODY_PX, round(BODY_PX * s))
        return {"body": body, "question": round(body * 1.5), "place": round(body * 1.25),
                "small": max(MIN_BODY_PX, round(28 * s)), "rule": max(11, round(CHART_PX * s)),
                "chart": max(11, round(CHART_PX * s)),
                "hint": max(11, round(22 * s)), "score": round(body * 1.1)}

    def _apply_scale(self) -> None:
        px = self.font_px()
        pad = max(4, px["body"] // 3)
        self.setStyleSheet(
            f"#workshop, #workshop QWidget {{ font-size: {px['body']}px; }}"
            f" QLabel#question {{ font-size: {px['question']}px; font-weight: bold; }}"
            f" QLabel#place {{ font-size: {px['place']}px; font-weight: bold; }}"
            f" QLabel#score {{ font-size: {px['score']}px; font-weight: bold; }}"
            f" QLabel#small {{ font-size: {px['small']}px; }}"
            f" QLabel#rule {{ font-size: {px['rule']}px; }}"
            f" QLabel#hint {{ font-size: {px['hint']}px; }}"
            f" QPushButton#result {{ padding: {pad}px {pad * 2}px; }}"
            f" QPushButton#result:checked {{ border: {max(3, pad // 2)}px"
            " solid palette(highlight); }")
        for bar in self.chapter_bars.values():
            bar.setMinimumHeight(round(px["small"] * 1.3))
        self.evidence_edit.setFixedHeight(round(px["body"] * 5.2))

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        scale = self.height() / 1080
        if abs(scale - self._scale) > 0.02:
            self._scale = scale
            self._apply_scale()
            if self._chart is not None:
                self._chart = None
                self._chart_timer.start()

    # ------------------------------------------------------------------ showing an item
    @property
    def current(self):
        return self.items[self.index] if self.items else None

    def current_response_id(self) -> int | None:
        it = self.current
        return None if it is None else it.response_id

    def place_text(self) -> str:
        it = self.current
        if it is None:
            return tr("This run has no items.")
        return tr("Clause {clause} — item {n} of {total}").format(
            clause=it.clause or "–", n=it.number, total=len(self.items))

    def _show(self, index: int, *, emit: bool = True) -> None:
        if not self.items:
            self.place_label.setText(self.place_text())
            return
        self.index = max(0, min(index, len(self.items) - 1))
        it = self.items[self.index]
        self._enter_section(it.section)
        self.place_label.setText(self.place_text())
        self.section_label.setText(it.section)
        self.question_label.setText(it.title)
        self.guidance_label.setText(it.guidance)
        self.guidance_label.setVisible(bool(it.guidance))
        self.expected_label.setText(tr("Expected evidence: {text}").format(
            text=it.expected_evidence))
        self.expected_label.setVisible(bool(it.expected_evidence))
        self.evidence_edit.setPlainText(it.evidence)
        self._show_result()
        self._show_actions()
        self._show_timer()
        if emit:
            self.placeChanged.emit(it.response_id)

    def _show_result(self) -> None:
        it = self.current
        for result, b in self.result_buttons.items():
            b.setChecked(it is not None and it.result == result)

    def _show_actions(self) -> None:
        it = self.current
        got = self._actions.get(it.response_id, []) if it is not None else []
        self.actions_label.setText(
            tr("Agreed: {actions}").format(actions="; ".join(got)) if got else "")

    def go_to(self, response_id: int) -> bool:
        """Show the item of ``response_id``; False when the run has no such item."""
        for i, it in enumerate(self.items):
            if it.response_id == response_id:
                self.save_evidence()
                self._show(i)
                return True
        return False

    def next_item(self) -> None:
        if self.index < len(self.items) - 1:
            self.save_evidence()
            self._show(self.index + 1)

    def previous_item(self) -> None:
        if self.index > 0:
            self.save_evidence()
            self._show(self.index - 1)

    # ------------------------------------------------------------------ progress and score
    def _answers(self) -> list[rules.Answer]:
        return [rules.Answer(i.clause, i.result, i.weight, i.pdca, i.section)
                for i in self.items]

    def _update_progress(self) -> None:
        answers = self._answers()
        for ch, sc in rules.scores_by_chapter(answers, self._chapters()).items():
            bar = self.chapter_bars.get(ch)
            if bar is None:
                continue
            bar.setRange(0, max(sc.total, 1))
            bar.setValue(sc.assessed)
            pct = "" if sc.percent is None else f" · {sc.percent:.0f} %"
            bar.setFormat(tr("{done} of {total}").format(done=sc.assessed, total=sc.total)
                          + pct)
        self.score_label.setText(tr("Score {score}").format(score=rules.score(answers).text()))

    def chart_data(self):
        from ...services.exports.checklist_charts import ChartData

        answers = self._answers()
        now = SimpleNamespace(overall=rules.score(answers),
                              by_chapter=rules.scores_by_chapter(answers),
                              by_pdca=rules.scores_by_pdca(answers))
        return ChartData(self.run.title if self.run else "", now, self._previous,
                         self._previous_label)

    def redraw_chart(self) -> None:
        """Bring the chart up to date: bars moved in place, drawn when Qt is idle."""
        from ...services.exports import checklist_charts as charts

        data = self.chart_data()
        if self._chart is None:
            self._build_chart(data)
            return
        fig, canvas = self._chart
        if not charts.update_chapter_figure(fig, data):
            self._build_figure(fig, data)
        canvas.draw_idle()

    def _build_figure(self, fig, data) -> None:
        from ...services.exports import checklist_charts as charts
        from ..risks import style

        px = self.font_px()
        to_pt = 72 / fig.dpi  # px on the canvas to the figure's points
        charts.chapter_figure(data, dark=style.is_dark(self.palette()), figure=fig,
                              compact=True, font_size=px["small"] * to_pt,
                              min_font_size=px["chart"] * to_pt)

    def _build_chart(self, data) -> None:
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

        from ...services.exports import checklist_charts as charts
        from matplotlib.figure import Figure

        old = self.chart_box.takeAt(0)
        if old is not None and old.widget() is not None:
            old.widget().deleteLater()
        fig = Figure(figsize=(6, 4), dpi=100)
        self._build_figure(fig, data)
        canvas = FigureCanvasQTAgg(fig)
        canvas.setParent(self)
        canvas.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        canvas.mpl_connect("resize_event", lambda _e: charts.fit_compact_margins(fig))
        self.chart_box.addWidget(canvas)
        self._chart = (fig, canvas)
        canvas.draw_idle()

    def _load_later(self) -> None:
        """After the first paint: the previous run's scores, the chart, the owners and the
        agreed actions."""
        from ...services import actions, checklists

        ws = self.controller.workspace
        if ws is None or self._closed:
            return
        prev = checklists.previous_run(ws, self.run_id)
        if prev is not None:
            self._previous = checklists.run_scores(ws, prev, compare_with=None)
            got = checklists.get_runs(ws, [prev])
            self._previous_label = (got[0].code or got[0].title) if got else ""
        for p in actions.owners(ws):
            self.owner_combo.addItem(p.name, p.id)
        self._load_actions()
        self.redraw_chart()

    def _load_actions(self) -> None:
        from ...services import actions, checklists

        ws = self.controller.workspace
        out: dict[int, list[str]] = {}
        for f in checklists.findings(ws, self.run_id):
            if f.response_id is None or not f.actions:
                continue
            for a in actions.actions_for(ws, "finding", f.id):
                who = f" ({a.owner or tr('no owner')})"
                due = f" {tr('due')} {a.due_date.isoformat()}" if a.due_date else ""
                out.setdefault(f.response_id, []).append(f"{a.ref} {a.title}{who}{due}")
        self._actions = out
        self._show_actions()

    # ------------------------------------------------------------------ edits
    def answer(self, result: str | None) -> bool:
        """Rate the current item (one undo step); False when refused."""
        from ...services import checklists

        it = self.current
        if it is None:
            return False
        self.save_evidence()
        rid = it.response_id
        label = tr("Answer {clause}: {result}").format(
            clause=it.clause or it.number, result=tr(rules.RESULT_LABELS[result]))
        self._own_edit = True
        try:
            ok = self.controller.edit(label, lambda ws: checklists.answer(ws, rid,
                                                                          result=result))
        finally:
            self._own_edit = False
        if ok:
            it.result = result
        self._show_result()
        self._after_answers()
        return bool(ok)

    def _after_answers(self) -> None:
        self._update_progress()
        self._chart_timer.start()

    def save_evidence(self) -> None:
        """Save the evidence box's text if it changed (one undo step)."""
        from ...services import checklists

        it = self.current
        if it is None or self.controller.workspace is None:
            return
        text = self.evidence_edit.toPlainText()
        if text == it.evidence:
            return
        rid = it.response_id
        self._own_edit = True
        try:
            ok = self.controller.edit(tr("Evidence for {clause}").format(
                clause=it.clause or it.number),
                lambda ws: checklists.answer(ws, rid, evidence=text))
        finally:
            self._own_edit = False
        if ok:
            it.evidence = text

    def add_action(self) -> int | None:
        """Agree an action on the current item: a finding for it (its open one if it has
        one) and an action with the owner and due date given; one undo step. Returns the
        action's id, or None when nothing was added."""
        from ...services import checklists

        it = self.current
        title = self.action_edit.text().strip()
        if it is None or not title:
            return None
        rid, run_id = it.response_id, self.run_id
        values: dict[str, Any] = {"title": title}
        if self.owner_combo.currentData() is not None:
            values["owner_id"] = self.owner_combo.currentData()
        if self.due_edit.value() is not None:
            values["due_date"] = self.due_edit.value()

        def agree(ws):
            open_ = [f.id for f in checklists.findings(ws, run_id)
                     if f.response_id == rid and f.status != "closed"]
            fid = open_[0] if open_ else checklists.add_finding(ws, run_id, rid).result
            return checklists.add_action(ws, fid, values)

        got = self.controller.edit(tr("Agree action: {title}").format(title=title), agree)
        if not got:
            return None
        self.action_edit.clear()
        self._reset_action_fields()
        self.action_edit.setFocus()  # ready for the next one
        return got

    def _reset_action_fields(self) -> None:
        """No owner chosen yet, the due date a month ahead."""
        from .dialogs import ACTION_DUE_DAYS

        self.owner_combo.setCurrentIndex(0)
        self.due_edit.set_value(dt.date.today() + dt.timedelta(days=ACTION_DUE_DAYS))

    def _on_changed(self, change) -> None:
        if self._own_edit:
            return
        if change.touches("finding", "action"):
            self._load_actions()
        if not change.touches("response", "checklist_item"):
            return
        from ...services import checklists

        rid = self.current_response_id()
        self.items = checklists.run_items(self.controller.workspace, self.run_id)
        idx = next((i for i, it in enumerate(self.items) if it.response_id == rid),
                   self.index)
        self._show(idx, emit=idx != self.index)
        self._after_answers()

    def _undo(self) -> None:
        self.controller.undo()

    def _redo(self) -> None:
        self.controller.redo()

    # ------------------------------------------------------------------ section timer
    def _enter_section(self, section: str) -> None:
        if section == self._section:
            return
        self._fold()
        self._section = section
        self._entered = None if self._paused else self.clock()

    def _fold(self) -> None:
        if self._section is not None and self._entered is not None:
            self._section_time[self._section] = self._section_time.get(self._section, 0.0) + \
                self.clock() - self._entered
            self._entered = None

    def section_elapsed(self) -> float:
        """Seconds spent on the current section so far (pauses left out)."""
        run = 0.0 if self._entered is None else self.clock() - self._entered
        return self._section_time.get(self._section, 0.0) + run

    @property
    def timer_paused(self) -> bool:
        return self._paused

    def toggle_timer(self) -> None:
        if self._paused:
            self._paused = False
            self._entered = self.clock()
        else:
            self._fold()
            self._paused = True
        self.pause_button.setText(tr("Resume timer (P)") if self._paused
                                  else tr("Pause timer (P)"))
        self._show_timer()

    def _show_timer(self) -> None:
        text = tr("Section time {time}").format(time=_clock_text(self.section_elapsed()))
        self.timer_label.setText(text + (f" · {tr('paused')}" if self._paused else ""))

    # ------------------------------------------------------------------ keys and window
    def start(self) -> None:
        """Show full screen with the keyboard on the item."""
        self.showFullScreen()
        self.activateWindow()
        self.setFocus()

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def _typing(self) -> bool:
        w = self.focusWidget()
        return isinstance(w, (QLineEdit, QPlainTextEdit, QComboBox, QAbstractSpinBox))

    def keyPressEvent(self, event) -> None:  # noqa: N802
        key, mods = event.key(), event.modifiers()
        plain = not (mods & ~Qt.KeyboardModifier.KeypadModifier)
        if key == Qt.Key.Key_F11:
            self.toggle_full_screen()
        elif key == Qt.Key.Key_Escape:
            if self._typing():
                self.setFocus()
            else:
                self.close()
        elif self._typing():
            super().keyPressEvent(event)
            return
        elif event.matches(QKeySequence.StandardKey.Undo):
            self._undo()
        elif event.matches(QKeySequence.StandardKey.Redo):
            self._redo()
        elif not plain:
            super().keyPressEvent(event)
            return
        elif event.text() in rules.RESULT_KEYS:
            if self.answer(rules.RESULT_KEYS[event.text()]):
                self.next_item()  # as in the Run tab's table: rate and go on
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Right):
            self.next_item()
        elif key == Qt.Key.Key_Left:
            self.previous_item()
        elif key == Qt.Key.Key_E:
            self.evidence_edit.setFocus()
        elif key == Qt.Key.Key_A:
            self.action_edit.setFocus()
        elif key == Qt.Key.Key_P:
            self.toggle_timer()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def closeEvent(self, event) -> None:  # noqa: N802
        if self._closed:
            super().closeEvent(event)
            return
        self._closed = True
        self.save_evidence()
        self._tick.stop()
        self._chart_timer.stop()
        self.controller.changed.disconnect(self._on_changed)
        self.controller.flushRequested.disconnect(self.save_evidence)
        rid = self.current_response_id()
        if rid is not None:
            self.closedAt.emit(rid)
            select = getattr(self.parent(), "select_response", None)
            if callable(select):
                select(rid)
        super().closeEvent(event)
