"""Roadmap: the ten steps of implementing a QMS as a guided checklist computed from the workspace.

A header tells where the organization stands ("Step 4 of 10: Process maps · readiness for
certification 62 %"); below, one card per step (number, title, state in symbol and words, a
progress bar, its checks with ✓ / ○ / – (not applicable) and why it matters). The current step — the first not done
(``core.roadmap.next_step``) — is expanded and outlined, with its next action as a button that
opens the page doing it (``openList`` / ``openRecord``, routed by the main window). The two
facts records cannot show (leadership commitment, certification audit booked) are check boxes
confirmed through a small dialog, each one undoable edit (``services.roadmap``).

The facts are cheap (a few plain queries and the training summary: about 0.1 s on the
benchmarks' large workspace), read on the GUI thread when the page first shows and after its own
confirmations; after other changes they are re-read on the task runner's pool, debounced, and a
result that a newer read overtook is dropped.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core import roadmap as rules
from ..pages.base import Page, heading
from .dialog import ConfirmDialog


def tr(text: str) -> str:
    return QCoreApplication.translate("RoadmapPage", text)


def state_text(state: str) -> str:
    words = {rules.DONE: tr("done"), rules.IN_PROGRESS: tr("in progress"),
             rules.NOT_STARTED: tr("not started")}
    return f"{rules.SYMBOLS[state]} {words[state]}"


def action_text(action: rules.NextAction) -> str:
    """The button's text: what to do and the page it opens ("… → Processes"); a confirmation
    made here opens a dialog ("…")."""
    text = f"{action.text}…" if action.page == rules.ROADMAP_PAGE else (
        f"{action.text} → {action.target}" if action.target else action.text)
    return text.replace("&", "&&")  # a button reads "&" as a mnemonic


def day_text(day: dt.date | None) -> str:
    return QLocale().toString(day, QLocale.FormatType.ShortFormat) if day else ""


def _muted(label: QLabel) -> QLabel:
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class StepCard(QFrame):
    """One step: a header line (always shown) and a body (the why, the checks, the next
    action) shown when expanded."""

    toggled = Signal(int)
    actionTriggered = Signal(object)

    def __init__(self, number: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.number = number
        self.step: rules.Step | None = None
        self.setObjectName(f"step_{number}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        fm = self.fontMetrics()
        lay = QVBoxLayout(self)
        head = QHBoxLayout()
        self.arrow = QToolButton(self)
        self.arrow.setObjectName("toggle")
        self.arrow.setAutoRaise(True)
        self.arrow.setToolTip(tr("Show or hide the details"))
        self.arrow.clicked.connect(lambda: self.toggled.emit(self.number))
        self.badge = QLabel(str(number), self)
        self.badge.setObjectName("badge")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        side = int(fm.height() * 1.7)
        self.badge.setFixedSize(side, side)
        self._badge_radius = side // 2
        self.title = QLabel(self)
        f = QFont(self.title.font())
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.15 if f.pointSizeF() > 0 else 11)
        self.title.setFont(f)
        self.state = QLabel(self)
        self.state.setObjectName("state")
        self.fraction = _muted(QLabel(self))
        self.fraction.setObjectName("fraction")
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(fm.averageCharWidth() * 14)
        self.bar.setFixedHeight(max(fm.height() // 2, 6))
        head.addWidget(self.arrow)
        head.addWidget(self.badge)
        head.addWidget(self.title, 1)
        head.addWidget(self.state)
        head.addSpacing(fm.averageCharWidth() * 2)
        head.addWidget(self.fraction)
        head.addWidget(self.bar)
        lay.addLayout(head)

        self.body = QWidget(self)
        body = QVBoxLayout(self.body)
        indent = side + self.arrow.sizeHint().width() + lay.spacing() * 2
        body.setContentsMargins(indent, 0, 0, 0)
        self.why = _muted(QLabel(self.body))
        self.why.setObjectName("why")
        self.why.setWordWrap(True)
        body.addWidget(self.why)
        self.checks = QGridLayout()
        self.checks.setHorizontalSpacing(fm.averageCharWidth() * 2)
        self.checks.setColumnStretch(2, 1)
        body.addLayout(self.checks)
        self.extra = QVBoxLayout()  # the confirmations of steps 1 and 10
        body.addLayout(self.extra)
        self.action = QPushButton(self.body)
        self.action.setObjectName("nextAction")
        bold = QFont(self.action.font())
        bold.setBold(True)
        self.action.setFont(bold)
        self.action.clicked.connect(self._action)
        row = QHBoxLayout()
        row.addWidget(self.action)
        row.addStretch(1)
        body.addLayout(row)
        lay.addWidget(self.body)
        self._check_labels: list[QLabel] = []
        self.set_current(False)
        self.set_expanded(False)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().mouseReleaseEvent(event)
        if (event.button() == Qt.MouseButton.LeftButton
                and event.position().y() <= self.badge.geometry().bottom() + 4):
            self.toggled.emit(self.number)

    def _action(self) -> None:
        if self.step is not None and self.step.next_action is not None:
            self.actionTriggered.emit(self.step.next_action)

    @property
    def expanded(self) -> bool:
        return not self.body.isHidden()

    def set_expanded(self, on: bool) -> None:
        self.body.setVisible(on)
        self.arrow.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.arrow.setAccessibleName(tr("Hide the details") if on else tr("Show the details"))

    def set_current(self, current: bool) -> None:
        r = self._badge_radius
        if current:
            self.setStyleSheet(
                f"QFrame#step_{self.number} {{ border: 2px solid palette(highlight); "
                f"border-radius: 4px; }}"
                f"QLabel#badge {{ border-radius: {r}px; background: palette(highlight); "
                f"color: palette(highlighted-text); font-weight: bold; }}")
        else:
            self.setStyleSheet(
                f"QLabel#badge {{ border-radius: {r}px; border: 1px solid palette(mid); "
                f"background: palette(button); color: palette(button-text); }}")

    def set_step(self, step: rules.Step) -> None:
        self.step = step
        self.title.setText(step.title)
        self.state.setText(state_text(step.state))
        self.fraction.setText(step.checks_text(tr))
        self.bar.setValue(int(round(step.fraction * 100)))
        self.bar.setAccessibleName(tr("Progress of step {n}").format(n=step.number))
        self.why.setText(step.why)
        for w in self._check_labels:
            self.checks.removeWidget(w)
            w.deleteLater()
        self._check_labels = []
        for row, c in enumerate(step.checks):
            sym = QLabel(rules.check_symbol(c), self.body)
            label = QLabel(c.label, self.body)
            label.setObjectName(f"check_{row}")
            progress = _muted(QLabel(c.progress, self.body))
            progress.setWordWrap(True)
            sym.setAccessibleName(tr("not applicable") if c.vacuous else
                                  tr("done") if c.done else tr("not done"))
            if c.vacuous:
                sym.setToolTip(tr("Not applicable: nothing to check, so not counted"))
            for col, w in enumerate((sym, label, progress)):
                self.checks.addWidget(w, row, col)
                self._check_labels.append(w)
        act = step.next_action
        self.action.setVisible(act is not None)
        if act is not None:
            self.action.setText(action_text(act))
            self.action.setToolTip(act.text)
        self.setAccessibleName(tr("Step {n}: {title}, {state}").format(
            n=step.number, title=step.title, state=state_text(step.state)))


class RoadmapPage(Page):
    kinds = None  # the roadmap reads nearly every kind of record
    openList = Signal(str, dict)
    openRecord = Signal(str, int)
    #: delay (ms) between a change and the re-read: a burst of edits reads once
    DEBOUNCE_MS = 150

    def __init__(self, controller, spec, parent: QWidget | None = None):
        super().__init__(controller, spec, parent)
        self.steps: list[rules.Step] = []
        self.facts: rules.Facts | None = None
        self.current: rules.Step | None = None
        self._expanded: set[int] = set()
        self._shown_current: int | None = -1
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.DEBOUNCE_MS)
        self._timer.timeout.connect(self.reload_in_background)
        self._generation = 0  # bumped by every read; a background result must still match

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        content = QWidget(scroll)
        scroll.setWidget(content)
        self.scroll = scroll
        lay = QVBoxLayout(content)
        self.title = heading(tr("Roadmap to certification"), parent=content)
        self.summary = QLabel(content)
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        f = QFont(self.summary.font())
        f.setPointSizeF(f.pointSizeF() * 1.15 if f.pointSizeF() > 0 else 11)
        self.summary.setFont(f)
        self.readiness = QProgressBar(content)
        self.readiness.setObjectName("readiness")
        self.readiness.setRange(0, 100)
        self.readiness.setFormat(tr("Readiness %p %"))
        self.readiness.setAccessibleName(tr("Readiness for certification"))
        self.intro = _muted(QLabel(tr(
            "Ten steps from the first decision to the certificate, checked against what this "
            "workspace holds. Work through them in order; the highlighted step says what to do "
            "next and opens the page where you do it."), content))
        self.intro.setWordWrap(True)
        lay.addWidget(self.title)
        lay.addWidget(self.summary)
        lay.addWidget(self.readiness)
        lay.addWidget(self.intro)
        lay.addSpacing(self.fontMetrics().height() // 2)

        self.cards: dict[int, StepCard] = {}
        for n in range(1, 11):
            card = StepCard(n, content)
            card.toggled.connect(self.toggle)
            card.actionTriggered.connect(self.run_action)
            self.cards[n] = card
            lay.addWidget(card)
        lay.addStretch(1)

        self.commitment_box = QCheckBox(tr("Leadership commitment confirmed"), content)
        self.commitment_box.setObjectName("commitmentBox")
        self.commitment_box.clicked.connect(
            lambda on: self.confirm_clicked(rules.CONFIRM_COMMITMENT, on))
        self.cards[1].extra.addWidget(self.commitment_box)
        self.certification_box = QCheckBox(tr("Certification audit booked"), content)
        self.certification_box.setObjectName("certificationBox")
        self.certification_box.clicked.connect(
            lambda on: self.confirm_clicked(rules.CONFIRM_CERTIFICATION, on))
        self.cards[10].extra.addWidget(self.certification_box)

    # ------------------------------------------------------------------ loading
    def refresh(self) -> None:
        """A change (or showing the page): read at once the first time, else debounced."""
        if self.facts is None:
            self.reload()
        else:
            self._timer.start()

    def workspace_closed(self) -> None:
        self._timer.stop()
        self._generation += 1
        self.facts = None
        self.steps = []
        self._shown_current = -1

    def reload(self) -> None:
        from ...services import roadmap as service

        self._timer.stop()
        self._generation += 1
        ws = self.workspace
        if ws is None:
            return
        self.facts = service.facts(ws)
        self.show_steps(rules.steps(self.facts, tr))

    def reload_in_background(self) -> None:
        """Read the facts on the pool; show them if nothing newer was read meanwhile."""
        from ...services import roadmap as service

        self._timer.stop()
        ws = self.workspace
        if ws is None:
            return
        self._generation += 1
        generation = self._generation

        def done(facts) -> None:
            if generation == self._generation and self.workspace is ws:
                self.facts = facts
                self.show_steps(rules.steps(facts, tr))

        def failed(error: BaseException) -> None:
            if generation == self._generation and self.workspace is ws:
                self.reload()  # the workspace may have changed under the read: read again here

        self.controller.runner.run(lambda ctx: service.facts(ws), on_result=done,
                                   on_error=failed)

    def show_steps(self, steps: list[rules.Step]) -> None:
        self.steps = steps
        self.current = rules.next_step(steps)
        number = self.current.number if self.current else None
        if number != self._shown_current:  # the current step moved: expand it alone
            self._expanded = {number} if number else set()
            self._shown_current = number
        for step in steps:
            card = self.cards[step.number]
            card.set_step(step)
            card.set_current(step.number == number)
            card.set_expanded(step.number in self._expanded)
        pct = rules.readiness(steps)
        self.readiness.setValue(pct)
        if self.current is None:
            self.summary.setText(tr("All ten steps done · certification audit on {day} with "
                                    "{body}").format(day=day_text(self.facts.certification_on),
                                                     body=self.facts.certification_body))
        else:
            self.summary.setText(
                tr("Step {n} of 10: {title} · readiness for certification {pct} %").format(
                    n=number, title=self.current.title, pct=pct))
        self._show_confirmations()

    def _show_confirmations(self) -> None:
        f = self.facts
        ro = self.controller.read_only or self.workspace is None
        if f is None:
            return
        self.commitment_box.setChecked(f.commitment_on is not None)
        self.commitment_box.setText(
            tr("Leadership commitment confirmed on {day}{by}").format(
                day=day_text(f.commitment_on),
                by=tr(" by {name}").format(name=f.commitment_by) if f.commitment_by else "")
            if f.commitment_on else tr("Confirm leadership commitment"))
        self.certification_box.setChecked(f.certification_on is not None)
        self.certification_box.setText(
            tr("Certification audit booked for {day} with {body}").format(
                day=day_text(f.certification_on), body=f.certification_body)
            if f.certification_on else tr("Confirm the certification audit is booked"))
        # unconfirmed and the step's next action: its button asks; no second way beside it
        for box, what, n in ((self.commitment_box, rules.CONFIRM_COMMITMENT, 1),
                             (self.certification_box, rules.CONFIRM_CERTIFICATION, 10)):
            act = self.cards[n].step.next_action if self.cards[n].step else None
            box.setHidden(not box.isChecked() and act is not None
                          and act.filters.get("confirm") == what)
        for box in (self.commitment_box, self.certification_box):
            box.setEnabled(not ro)
            box.setToolTip(tr("The workspace is open read-only.") if ro else
                           tr("Tick to confirm (asks for the date); untick to withdraw."))

    # ------------------------------------------------------------------ interaction
    def toggle(self, number: int) -> None:
        card = self.cards[number]
        on = not card.expanded
        card.set_expanded(on)
        (self._expanded.add if on else self._expanded.discard)(number)

    def run_action(self, action: rules.NextAction) -> None:
        """Do a step's next action: a confirmation here, else the page that does it."""
        if action.page == rules.ROADMAP_PAGE:
            self.set_filters(**action.filters)
        elif action.record is not None:
            self.openRecord.emit(*action.record)
        else:
            self.openList.emit(action.page, dict(action.filters))

    def set_filters(self, **filters) -> None:
        """``confirm="commitment"`` or ``"certification"`` asks for that confirmation."""
        what = filters.get("confirm")
        if what in (rules.CONFIRM_COMMITMENT, rules.CONFIRM_CERTIFICATION):
            self.ask(what)

    def confirm_clicked(self, what: str, on: bool) -> None:
        if on:
            self.ask(what)
        else:
            self.withdraw(what)
        self._show_confirmations()  # a cancelled dialog leaves the box as it was

    def ask(self, what: str) -> bool:
        """Ask for the date and name of a confirmation and record it (one undo step)."""
        if self.workspace is None or self.controller.read_only:
            return False
        f = self.facts
        if what == rules.CONFIRM_COMMITMENT:
            day, text = (f.commitment_on, f.commitment_by) if f else (None, "")
        else:
            day, text = (f.certification_on, f.certification_body) if f else (None, "")
        dlg = ConfirmDialog(what, day, text, self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return False
        return self.confirm(what, *dlg.values())

    def confirm(self, what: str, day: dt.date | None, text: str = "") -> bool:
        """Record (or with ``day=None`` withdraw) a confirmation as one undoable edit."""
        from ...services import roadmap as service

        if what == rules.CONFIRM_COMMITMENT:
            label = tr("Confirm leadership commitment") if day else \
                tr("Withdraw leadership commitment")
            ok = self.controller.edit(label, lambda ws: service.set_commitment(ws, day, text))
        else:
            label = tr("Book certification audit") if day else \
                tr("Clear certification audit")
            ok = self.controller.edit(label, lambda ws: service.set_certification(ws, day, text))
        if ok is not None:
            self.reload()
        return ok is not None

    def withdraw(self, what: str) -> bool:
        return self.confirm(what, None)
