"""The banding matrix editor: the 5×5 grid of levels, one click per cell to change it.

Click a cell to move it to the next level (low → medium → high → critical → low), right-click
(or Shift+click) to move it back. A cell ranked lower than a neighbour with lower likelihood or
impact is marked ⚠ and listed under the grid. The page applies the result as one undoable step
(``SetBandingCommand``).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...core.risk import LEVELS, Banding
from . import style

tr = style.tr


class CellButton(QPushButton):
    """One cell of the matrix; right-click asks for the previous level."""

    back = Signal()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.RightButton:
            self.back.emit()
            event.accept()
            return
        super().mousePressEvent(event)


class BandingDialog(QDialog):
    def __init__(self, banding: Banding, counts: dict[str, list[list[int]]] | None = None,
                 parent: QWidget | None = None, *, read_only: bool = False):
        super().__init__(parent)
        self.setWindowTitle(tr("Risk banding"))
        self.original = banding
        self.banding = banding
        self.counts = counts or {}
        self.read_only = read_only
        lay = QVBoxLayout(self)
        intro = QLabel(tr("Choose the level of each likelihood × impact cell. Click a cell for "
                          "the next level, right-click (or Shift+click) for the previous one. "
                          "Every risk's level follows the banding."), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        if self.counts.get("inherent") is not None and self.counts.get("residual") is not None:
            legend = QLabel(tr("Each cell shows its level, likelihood × impact = score, and how "
                               "many risks sit there: inherent / residual."), self)
            legend.setWordWrap(True)
            lay.addWidget(legend)

        grid = QGridLayout()
        grid.setSpacing(3)
        lay.addLayout(grid)
        impact_title = QLabel(tr("Impact →"), self)
        impact_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(impact_title, 7, 1, 1, 5)
        lk_title = QLabel(tr("Likelihood ↑"), self)
        grid.addWidget(lk_title, 0, 0)
        self.cells: dict[tuple[int, int], CellButton] = {}
        for lk in range(1, 6):
            label = QLabel(f"{style.likelihood_label(lk)} {lk}", self)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(label, 6 - lk, 0)
            for im in range(1, 6):
                button = CellButton(self)
                button.setSizePolicy(QSizePolicy.Policy.Expanding,
                                     QSizePolicy.Policy.Expanding)
                button.setMinimumSize(QSize(96, 52))
                button.setEnabled(not read_only)
                button.clicked.connect(lambda _c=False, a=lk, b=im: self._clicked(a, b))
                button.back.connect(lambda a=lk, b=im: self.cycle(a, b, -1))
                button.setAccessibleName(tr("Likelihood {l}, impact {i}").format(l=lk, i=im))
                self.cells[(lk, im)] = button
                grid.addWidget(button, 6 - lk, im)
        for im in range(1, 6):
            label = QLabel(f"{im}\n{style.impact_label(im)}", self)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(label, 6, im)

        self.warning = QLabel(self)
        self.warning.setWordWrap(True)
        lay.addWidget(self.warning)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.reset_button = self.buttons.addButton(tr("Reset to default"),
                                                   QDialogButtonBox.ButtonRole.ResetRole)
        self.reset_button.clicked.connect(self.reset)
        self.reset_button.setEnabled(not read_only)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self._refresh()

    # ------------------------------------------------------------------ editing
    def _clicked(self, lk: int, im: int) -> None:
        from PySide6.QtWidgets import QApplication

        back = QApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier
        self.cycle(lk, im, -1 if back else 1)

    def cycle(self, likelihood: int, impact: int, step: int = 1) -> None:
        """Move one cell to the next (step 1) or previous (step -1) level."""
        if self.read_only:
            return
        level = self.banding.level(likelihood, impact)
        new = LEVELS[(LEVELS.index(level) + step) % len(LEVELS)]
        self.banding = self.banding.with_cell(likelihood, impact, new)
        self._refresh()

    def reset(self) -> None:
        self.banding = Banding.default()
        self._refresh()

    @property
    def changed(self) -> bool:
        return self.banding != self.original

    # ------------------------------------------------------------------ showing
    def _refresh(self) -> None:
        dark = style.is_dark(self.palette())
        odd = set(self.banding.non_monotonic_cells())
        inherent = self.counts.get("inherent")
        residual = self.counts.get("residual")
        for (lk, im), button in self.cells.items():
            level = self.banding.level(lk, im)
            text = style.level_label(level)
            if (lk, im) in odd:
                text = "⚠ " + text
            lines = [text, f"{lk}×{im} = {lk * im}"]
            if inherent is not None and residual is not None:
                lines.append(tr("{a} / {b} risks").format(a=inherent[lk - 1][im - 1],
                                                          b=residual[lk - 1][im - 1]))
            button.setText("\n".join(lines))
            weight = "bold" if (lk, im) in odd else "normal"
            border = "3px dashed" if (lk, im) in odd else "1px solid"
            button.setStyleSheet(
                f"QPushButton {{ {style.cell_style(level, dark)} font-weight: {weight};"
                f" border: {border} palette(text); border-radius: 3px; padding: 2px; }}")
            tip = tr("Likelihood {l} ({lname}) × impact {i} ({iname}): {level}").format(
                l=lk, lname=style.likelihood_label(lk), i=im, iname=style.impact_label(im),
                level=style.level_label(level))
            if (lk, im) in odd:
                tip += "\n" + tr("Ranked lower than a cell with lower likelihood or impact.")
            button.setToolTip(tip)
        if odd:
            where = ", ".join(f"L{lk}×I{im}" for lk, im in sorted(odd))
            self.warning.setText(tr("⚠ These cells are ranked lower than a cell with lower "
                                    "likelihood or impact: {cells}. That is usually a mistake; "
                                    "check them before saving.").format(cells=where))
        else:
            self.warning.setText(tr("Every cell is at least as serious as the cells below and "
                                    "to the left of it."))
        if inherent is not None and residual is not None:
            self.setToolTip(tr("Counts per cell: inherent / residual risks."))
