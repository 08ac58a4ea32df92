"""Compliance charts on the Training page: the figures of ``services.exports.training_charts``
on Qt canvases, redrawn only while visible, exportable as PNG or SVG."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPushButton, QScrollArea, QSizePolicy, \
    QVBoxLayout, QWidget

from ..risks import style
from .matrix import tr


class ComplianceCharts(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        self.matrix = None
        self._dirty = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addStretch(1)
        for group, text in (("department", tr("Export per department…")),
                            ("course", tr("Export per course…"))):
            b = QPushButton(text, self)
            b.clicked.connect(lambda _c=False, g=group: self.export(g))
            bar.addWidget(b)
        outer.addLayout(bar)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        inner = QWidget(scroll)
        lay = QVBoxLayout(inner)
        self.figures = {}
        self.canvases = {}
        for group in ("department", "course"):
            fig = Figure(figsize=(8, 4), dpi=100, layout="constrained")
            canvas = FigureCanvasQTAgg(fig)
            canvas.setParent(inner)
            canvas.setMinimumHeight(300)
            canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            lay.addWidget(canvas)
            self.figures[group] = fig
            self.canvases[group] = canvas
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)

    def set_matrix(self, matrix) -> None:
        self.matrix = matrix
        self._dirty = True
        if self.isVisible():
            self.redraw()

    def redraw(self) -> None:
        from ...services.exports import training_charts as charts

        if self.matrix is None:
            return
        dark = style.is_dark(self.palette())
        for group, fig in self.figures.items():
            charts.compliance_figure(self.matrix, group, dark=dark, figure=fig)
            n = len(self.matrix.compliance(group))
            self.canvases[group].setMinimumHeight(int(110 + 26 * min(max(n, 3), 40)))
            self.canvases[group].draw_idle()
        self._dirty = False

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._dirty:
            self.redraw()

    def export(self, group: str, path: str | None = None) -> str | None:
        from ...services.exports import training_charts as charts

        if self.matrix is None:
            return None
        if path is None:
            path, _f = QFileDialog.getSaveFileName(
                self, tr("Export chart"), f"training-compliance-{group}.png",
                tr("PNG image (*.png);;SVG image (*.svg)"))
            if not path:
                return None
        return str(charts.write_chart(path, self.matrix, group))
