"""Embedded risk charts: inherent vs residual 5×5 heat maps with counts per cell (click a cell to
filter the register) and the FMEA Pareto by Action Priority and RPN; both export as PNG/SVG.

The figures are built by ``services.exports.risk_charts`` (no Qt), the same code the xlsx export
and the CLI use; this widget only wraps them in a Qt canvas. matplotlib is imported when the
widget is created, which the page does the first time the charts are shown.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...core.risk import Banding
from . import style

tr = style.tr

IMAGE_FILTER = "PNG image (*.png);;SVG image (*.svg)"


def cell_at(stage: str | None, xdata: float | None, ydata: float | None
            ) -> tuple[str, int, int] | None:
    """(stage, likelihood, impact) of a click in a heat map's data coordinates, or None (an
    opportunity map's stage is "opportunity:<stage>": the same cell of the register)."""
    if stage is not None and stage.startswith("opportunity:"):
        stage = stage.split(":", 1)[1]
    if stage not in ("inherent", "residual") or xdata is None or ydata is None:
        return None
    impact, likelihood = round(xdata), round(ydata)
    if 1 <= impact <= 5 and 1 <= likelihood <= 5:
        return stage, likelihood, impact
    return None


def warm_up() -> None:
    """Import matplotlib and the chart code (the slow part of opening the charts the first
    time). Touches no Qt object, so the page runs it on a worker thread while the user reads
    the register; the canvases are still made and drawn on the GUI thread."""
    import matplotlib.figure  # noqa: F401
    from matplotlib.backends import backend_agg  # noqa: F401

    from ...services.exports import risk_charts  # noqa: F401


def start_warm_up() -> threading.Thread:
    """Run :func:`warm_up` on a daemon thread (a failure there only means the charts import
    matplotlib themselves when first shown)."""

    def run() -> None:
        try:
            warm_up()
        except Exception:  # noqa: BLE001 - reported when the charts are built on the GUI thread
            pass

    thread = threading.Thread(target=run, name="risk-charts-warm-up", daemon=True)
    thread.start()
    return thread


def write_chart(path: str | Path, which: str, rows: Sequence[Any], banding: Banding) -> Path:
    """Write the heat maps ("heatmap") or the Pareto ("pareto") to ``path`` as PNG or SVG (by
    its suffix; anything else becomes .png)."""
    from ...services.exports import risk_charts as charts

    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        path = path.with_suffix(".png")
    svg = path.suffix.lower() == ".svg"
    if which == "heatmap":
        data = (charts.heatmap_svg(rows, banding, "both") if svg
                else charts.heatmap_png(rows, banding, "both", dpi=150))
    else:
        data = charts.pareto_svg(rows) if svg else charts.pareto_png(rows, dpi=150)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


class RiskChartsWidget(QWidget):
    """The heat maps above the Pareto. ``cellClicked(stage, likelihood, impact)`` asks the page
    to filter the register on a cell; clicking the selected cell again emits ``cellCleared``."""

    cellClicked = Signal(str, int, int)
    cellCleared = Signal()
    exportRequested = Signal(str)  # "heatmap" or "pareto"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        self.rows: list[Any] = []
        self.banding = Banding.default()
        self.selected: tuple[str, int, int] | None = None
        self._dirty = True

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.hint = QLabel(tr("Click a cell to show its risks in the register; click it again "
                              "to show all."), self)
        self.hint.setWordWrap(True)
        bar.addWidget(self.hint, 1)
        self.export_heatmap_button = QPushButton(tr("Export heat maps…"), self)
        self.export_heatmap_button.clicked.connect(lambda: self.exportRequested.emit("heatmap"))
        self.export_pareto_button = QPushButton(tr("Export Pareto…"), self)
        self.export_pareto_button.clicked.connect(lambda: self.exportRequested.emit("pareto"))
        bar.addWidget(self.export_heatmap_button)
        bar.addWidget(self.export_pareto_button)
        outer.addLayout(bar)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        inner = QWidget(scroll)
        lay = QVBoxLayout(inner)
        self.heat_figure = Figure(figsize=(9.2, 4.2), dpi=100, layout="constrained")
        self.heat_canvas = FigureCanvasQTAgg(self.heat_figure)
        self.heat_canvas.setParent(inner)
        self.heat_canvas.setMinimumHeight(360)
        self.heat_canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.heat_canvas.setCursor(Qt.CursorShape.PointingHandCursor)
        self.heat_canvas.setToolTip(tr("Counts of risks per likelihood × impact cell"))
        self.heat_canvas.mpl_connect("button_press_event", self._clicked)
        lay.addWidget(self.heat_canvas, 1)
        self.pareto_figure = Figure(figsize=(9.2, 4.0), dpi=100, layout="constrained")
        self.pareto_canvas = FigureCanvasQTAgg(self.pareto_figure)
        self.pareto_canvas.setParent(inner)
        self.pareto_canvas.setMinimumHeight(320)
        self.pareto_canvas.setSizePolicy(QSizePolicy.Policy.Expanding,
                                         QSizePolicy.Policy.Expanding)
        lay.addWidget(self.pareto_canvas, 1)
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)

    # ------------------------------------------------------------------ data
    def set_data(self, rows: Sequence[Any], banding: Banding,
                 selected: tuple[str, int, int] | None = None) -> None:
        self.rows = list(rows)
        self.banding = banding
        self.selected = selected
        self._dirty = True
        if self.isVisible():
            self.redraw()

    def redraw(self) -> None:
        from ...services.exports import risk_charts as charts

        dark = style.is_dark(self.palette())
        charts.heatmap_figure(self.rows, self.banding, "both", dark=dark, selected=self.selected,
                              figure=self.heat_figure)
        # a second row of maps (opportunities) needs the height of a second row
        self.heat_canvas.setMinimumHeight(360 * (len(self.heat_figure.axes) // 2 or 1))
        charts.pareto_figure(self.rows, dark=dark, figure=self.pareto_figure)
        self.heat_canvas.draw_idle()
        self.pareto_canvas.draw_idle()
        self._dirty = False

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._dirty:
            self.redraw()

    def counts(self, stage: str, kind: str | None = None) -> list[list[int]]:
        from ...services.exports.risk_charts import heatmap_counts

        return heatmap_counts(self.rows, stage, kind)

    # ------------------------------------------------------------------ clicks
    def _clicked(self, event) -> None:
        ax = event.inaxes
        cell = cell_at(ax.get_gid() if ax is not None else None, event.xdata, event.ydata)
        if cell is None:
            return
        self.click_cell(*cell)

    def click_cell(self, stage: str, likelihood: int, impact: int) -> None:
        """What a click on a cell does (also used by keyboard users and tests)."""
        if self.selected == (stage, likelihood, impact):
            self.cellCleared.emit()
        else:
            self.cellClicked.emit(stage, likelihood, impact)

    def export(self, which: str, parent: QWidget | None = None, start_dir: str = "") -> Path | None:
        """Ask for a file name and write the chart; returns the path written (None if
        cancelled)."""
        name = "risk-heatmaps.png" if which == "heatmap" else "risk-pareto.png"
        path, _filter = QFileDialog.getSaveFileName(parent or self, tr("Export chart"),
                                                    str(Path(start_dir or ".") / name),
                                                    IMAGE_FILTER)
        if not path:
            return None
        return write_chart(path, which, self.rows, self.banding)
