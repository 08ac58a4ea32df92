"""The page layout asked before a map goes to PDF or paper: one page, or several pages at a
scale, on A4 or A3, portrait or landscape — with a live line telling how many sheets it takes.

The last choice is remembered in the typed settings (``Settings.map_pages``); the planning itself is
:func:`~.render.plan_pages`, so the line in the dialog and the sheets written always agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings, QSignalBlocker
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..settings import KEY_MAP_MODE, KEY_MAP_ORIENTATION, KEY_MAP_PAPER, KEY_MAP_SCALE, Settings
from .render import (
    MAX_PAGES,
    MAX_SCALE_PCT,
    MIN_SCALE_PCT,
    ONE_PAGE_READABLE_PT,
    PAPERS,
    DiagramExportError,
    MapGeometry,
    PageOptions,
    PagePlan,
    TooManyPagesError,
    map_area_mm,
    plan_pages,
    printable_mm,
    readable_scale,
)

if TYPE_CHECKING:  # pragma: no cover
    from ...storage.workspace import Workspace

#: settings keys of the remembered choice (the scale: 0 or missing means "the readable scale")
KEY_MODE, KEY_PAPER, KEY_ORIENTATION, KEY_SCALE = (KEY_MAP_MODE, KEY_MAP_PAPER,
                                                   KEY_MAP_ORIENTATION, KEY_MAP_SCALE)


def tr(text: str) -> str:
    return QCoreApplication.translate("flowchart", text)


def load_page_options(settings: QSettings | None = None) -> PageOptions:
    """The page layout chosen last time (the defaults when none was, or it is unusable)."""
    mode, paper, orientation, scale = Settings(settings).map_pages
    try:
        return PageOptions(mode, paper, orientation,
                           scale if scale > 0 and mode == "tile" else None)
    except DiagramExportError:
        return PageOptions()


def save_page_options(options: PageOptions, settings: QSettings | None = None) -> None:
    Settings(settings).map_pages = (options.mode, options.paper, options.orientation,
                                    options.scale or 0.0)


def _orientation_name(orientation: str) -> str:
    return tr("landscape") if orientation == "landscape" else tr("portrait")


def describe_plan(plan: PagePlan, automatic: bool = False,
                  too_many: PagePlan | None = None) -> str:
    """The dialog's line: “This map needs 6 pages (3 × 2) at 80 % on A4 landscape. …”.
    ``too_many``: the readable layout of several pages when it needs more sheets than Workbench
    prints (then the line says so instead of advising several pages)."""
    sheet = f"{plan.paper} {_orientation_name(plan.orientation)}"
    if plan.mode == "fit":
        text = tr("This map fits on one page ({sheet}) at {percent} %.").format(
            sheet=sheet, percent=plan.percent)
    elif plan.pages == 1:
        text = tr("This map needs 1 page at {percent} % on {sheet}.").format(
            percent=plan.percent, sheet=sheet)
    else:
        text = tr("This map needs {n} pages ({columns} × {rows}) at {percent} % on {sheet}."
                  ).format(n=plan.pages, columns=plan.columns, rows=plan.rows,
                           percent=plan.percent, sheet=sheet)
        if plan.skipped == 1:
            text += " " + tr("1 empty page is left out.")
        elif plan.skipped > 1:
            text += " " + tr("{n} empty pages are left out.").format(n=plan.skipped)
    size = f"{plan.text_pt:.1f}"
    if plan.text_pt < ONE_PAGE_READABLE_PT and too_many is not None:
        text += " " + tr("Its smallest text is only {pt} pt, but several pages at the readable "
                         "{percent} % would need {n} sheets, more than the {max} Workbench "
                         "prints at once.").format(pt=size, percent=too_many.percent,
                                                   n=too_many.pages, max=MAX_PAGES)
    elif plan.text_pt < ONE_PAGE_READABLE_PT:
        text += " " + tr("Its smallest text is only {pt} pt: choose several pages or a larger "
                         "scale to read it.").format(pt=size)
    else:
        text += " " + tr("Its smallest text is {pt} pt.").format(pt=size)
    if automatic:
        text = tr("Automatic:") + " " + text
    return text


class PageOptionsDialog(QDialog):
    """Layout (automatic, one page, several pages at NN %), paper and orientation of a map's
    PDF or print; :meth:`options` is the choice, :meth:`plan` the sheets it gives."""

    def __init__(self, geometry: MapGeometry, options: PageOptions | None = None,
                 parent: QWidget | None = None, *, title: str = "", action: str = ""):
        super().__init__(parent)
        self.setObjectName("pageOptionsDialog")
        self.setWindowTitle(title or tr("Pages"))
        self.geometry_ = geometry
        opts = options or PageOptions()
        #: the scale follows the map's readable scale until the user types one
        self._readable = opts.scale is None
        lay = QVBoxLayout(self)

        self.auto_radio = QRadioButton(tr("&Automatic: one page when it stays readable, "
                                          "otherwise several"), self)
        self.fit_radio = QRadioButton(tr("&One page, scaled to fit"), self)
        self.tile_radio = QRadioButton(tr("&Several pages at"), self)
        self.mode_group = QButtonGroup(self)
        for i, button in enumerate((self.auto_radio, self.fit_radio, self.tile_radio)):
            self.mode_group.addButton(button, i)
        self.scale_spin = QSpinBox(self)
        self.scale_spin.setObjectName("pageScale")
        self.scale_spin.setRange(int(MIN_SCALE_PCT), int(MAX_SCALE_PCT))
        self.scale_spin.setSuffix(" %")
        self.scale_spin.setSingleStep(5)
        self.scale_spin.setAccessibleName(tr("Scale of several pages"))
        self.readable_button = QPushButton(tr("&Readable"), self)
        self.readable_button.setToolTip(tr("The largest scale up to 100 % that needs no more "
                                           "pages while text stays at least 7 pt"))
        tile_row = QHBoxLayout()
        tile_row.addWidget(self.tile_radio)
        tile_row.addWidget(self.scale_spin)
        tile_row.addWidget(self.readable_button)
        tile_row.addStretch(1)
        lay.addWidget(QLabel(tr("Layout:"), self))
        lay.addWidget(self.auto_radio)
        lay.addWidget(self.fit_radio)
        lay.addLayout(tile_row)

        form = QFormLayout()
        self.paper_combo = QComboBox(self)
        self.paper_combo.setObjectName("pagePaper")
        for paper in PAPERS:
            self.paper_combo.addItem(paper, paper)
        self.orientation_combo = QComboBox(self)
        self.orientation_combo.setObjectName("pageOrientation")
        for key, text in (("auto", tr("Automatic (fewer pages)")), ("portrait", tr("Portrait")),
                          ("landscape", tr("Landscape"))):
            self.orientation_combo.addItem(text, key)
        form.addRow(tr("&Paper:"), self.paper_combo)
        form.addRow(tr("O&rientation:"), self.orientation_combo)
        lay.addLayout(form)

        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("pagesSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setMinimumWidth(420)
        lay.addWidget(self.summary_label)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        if action:
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(action)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

        {"auto": self.auto_radio, "fit": self.fit_radio,
         "tile": self.tile_radio}[opts.mode].setChecked(True)
        self.paper_combo.setCurrentIndex(max(0, self.paper_combo.findData(opts.paper)))
        self.orientation_combo.setCurrentIndex(
            max(0, self.orientation_combo.findData(opts.orientation)))
        if opts.scale is not None:
            self.scale_spin.setValue(round(opts.scale))

        self.mode_group.idToggled.connect(lambda _id, _on: self._update())
        self.paper_combo.currentIndexChanged.connect(lambda _i: self._update())
        self.orientation_combo.currentIndexChanged.connect(lambda _i: self._update())
        self.scale_spin.valueChanged.connect(self._scale_typed)
        self.readable_button.clicked.connect(self.use_readable_scale)
        self._update()

    # ------------------------------------------------------------------ state
    def mode(self) -> str:
        if self.fit_radio.isChecked():
            return "fit"
        return "tile" if self.tile_radio.isChecked() else "auto"

    def options(self) -> PageOptions:
        mode = self.mode()
        scale = None if mode != "tile" or self._readable else float(self.scale_spin.value())
        return PageOptions(mode, self.paper_combo.currentData(),
                           self.orientation_combo.currentData(), scale)

    def plan(self) -> PagePlan:
        """The sheets the current choice gives (raises DiagramExportError when too many)."""
        return plan_pages(self.geometry_, self.options())

    def use_readable_scale(self) -> None:
        self._readable = True
        self._update()

    def _scale_typed(self, _value: int) -> None:
        self._readable = False
        if not self.tile_radio.isChecked():
            self.tile_radio.setChecked(True)  # updates
        else:
            self._update()

    def _readable_plan(self) -> tuple[int, PagePlan | None]:
        """The readable scale of several pages on the chosen paper (whole percent) and, when
        even that needs more sheets than Workbench prints, that layout. Never raises: a map
        too large to tile readably still gets a scale to show."""
        paper = self.paper_combo.currentData()
        orientation = self.orientation_combo.currentData()
        try:
            return plan_pages(self.geometry_, PageOptions("tile", paper, orientation)).percent, None
        except TooManyPagesError as e:
            return e.plan.percent, e.plan
        except DiagramExportError:
            orientations = ("landscape", "portrait") if orientation == "auto" else (orientation,)
            return round(100 * max(readable_scale(self.geometry_,
                                                  map_area_mm(printable_mm(paper, o), True))
                                   for o in orientations)), None

    def printable(self, mode: str | None = None) -> bool:
        """The current choice (or ``mode`` at its readable scale on the current paper) gives
        sheets Workbench can print (not too many)."""
        try:
            if mode is None:
                self.plan()
            else:
                plan_pages(self.geometry_, PageOptions(mode, self.paper_combo.currentData(),
                                                       self.orientation_combo.currentData()))
        except DiagramExportError:
            return False
        return True

    def _update(self) -> None:
        mode = self.mode()
        percent, too_many = self._readable_plan()
        if self._readable:
            with QSignalBlocker(self.scale_spin):
                self.scale_spin.setValue(max(int(MIN_SCALE_PCT), min(int(MAX_SCALE_PCT),
                                                                     percent)))
        self.readable_button.setEnabled(not self._readable)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            plan = self.plan()
        except DiagramExportError as e:
            # this choice cannot be printed: say why (and what still can) and refuse OK for it
            # only; another layout, paper or scale brings OK back
            text = str(e)
            if mode != "fit" and self.printable("fit"):
                text += " " + tr("One page, scaled to fit, still prints it.")
            self.summary_label.setText(text)
            self.summary_label.setStyleSheet("color: #b00020;")
            ok.setEnabled(False)
            return
        self.summary_label.setStyleSheet("")
        self.summary_label.setText(describe_plan(plan, automatic=mode == "auto",
                                                 too_many=too_many))
        ok.setEnabled(True)


def ask_page_options(parent: QWidget | None, ws: "Workspace", process_id: int,
                     container: int | None = None, *, title: str = "",
                     action: str = "") -> PageOptions | None:
    """Ask how the map goes on paper (starting from the last choice); remember and return the
    answer, or None when the user cancels. Never raises for a map too large to print at some
    layouts: the dialog opens, says why, and takes only a layout that can be printed."""
    from . import render

    scene = render.build_scene(ws, process_id, container)
    try:
        geometry = render.map_geometry(scene)
    finally:
        scene.clear_map()
        scene.deleteLater()
    # opens for any map: a choice that would need too many sheets only disables OK
    dlg = PageOptionsDialog(geometry, load_page_options(), parent, title=title, action=action)
    try:
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        options = dlg.options()
    finally:
        dlg.deleteLater()
    save_page_options(options)
    return options


__all__ = ["PageOptionsDialog", "ask_page_options", "describe_plan", "load_page_options",
           "save_page_options"]
