"""The run chart of the selected KPI: matplotlib's figure from ``services.exports.kpi_chart``
in a Qt canvas, built lazily.

matplotlib is imported the first time a chart is drawn, after the page has painted (a zero
timer), never when the page is made; only the selected objective's chart is drawn, and only
when its points, target or the palette changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QLabel, QSizePolicy, QStackedLayout, QWidget

from ..table.marks import dark_window


def tr(text: str) -> str:
    return QCoreApplication.translate("objectives", text)


class RunChart(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(260, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.placeholder = QLabel(tr("Choose an objective to see its run chart."), self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.stack = QStackedLayout(self)
        self.stack.setContentsMargins(0, 0, 0, 0)
        self.stack.addWidget(self.placeholder)
        self.canvas: Any = None
        self.figure: Any = None
        #: what the chart shows now / should show (a key of points, target, palette)
        self.drawn_key: Any = None
        self._spec: dict | None = None
        self._key: Any = None
        #: how many times a figure was built (tests and the benchmark read it)
        self.draws = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.draw_now)

    def show_series(self, points: Sequence[tuple[dt.date, float]], *, target: float | None,
                    direction: str, unit: str, title: str) -> None:
        """Show these points (drawn after the next paint; nothing is redrawn when they are what
        the chart shows already)."""
        dark = dark_window()
        pts = tuple(points)
        key = (pts, target, direction, unit, title, dark)
        self._spec = dict(points=pts, target=target, direction=direction, unit=unit,
                          title=title, dark=dark)
        self._key = key
        if key == self.drawn_key:
            return
        self._timer.start()

    def clear(self) -> None:
        self._spec = self._key = None
        self._timer.stop()
        self.drawn_key = None
        self.stack.setCurrentWidget(self.placeholder)

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def draw_now(self) -> None:
        """Build the figure of the series shown (matplotlib imported here, the first time)."""
        self._timer.stop()
        if self._spec is None or self._key == self.drawn_key:
            return
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

        from ...services.exports.kpi_chart import run_chart_figure

        spec = self._spec
        dpi = max(72, int(round(self.logicalDpiX()))) if self.logicalDpiX() > 0 else 100
        w = max(self.width(), 260) / dpi
        h = max(self.height(), 180) / dpi
        fig = run_chart_figure(spec["points"], target=spec["target"],
                               direction=spec["direction"], unit=spec["unit"],
                               title=spec["title"], dark=spec["dark"], size=(w, h), dpi=dpi)
        canvas = FigureCanvasQTAgg(fig)
        canvas.setParent(self)
        canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        canvas.setMinimumSize(10, 10)
        canvas.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        canvas.setAccessibleName(tr("Run chart"))
        old = self.canvas
        self.stack.addWidget(canvas)
        self.stack.setCurrentWidget(canvas)
        if old is not None:
            self.stack.removeWidget(old)
            old.setParent(None)
            old.deleteLater()
        self.canvas, self.figure = canvas, fig
        self.drawn_key = self._key
        self.draws += 1
        canvas.draw_idle()
