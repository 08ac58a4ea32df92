"""A map at fit shows its text: labels down to a few pixels high, a map opened fitted to its width
when that is readable, side panes that fold away, decision names clear of their connectors."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QRectF  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from qms_desktop.services import processes as P  # noqa: E402
from qms_desktop.ui.flowchart.items import segment_meets_rect  # noqa: E402

pytestmark = pytest.mark.usefixtures("shown")

STEPS = 11


def _long_map(ws, *, tall: bool = False) -> dict:
    """A start, eleven steps in a row and an end (about 2,300 px wide, like the demo's maps);
    ``tall`` adds a note far below, so the whole map only fits at a small zoom."""
    pid = P.add_process(ws, {"name": "Eleven steps", "code": "P11"}).result
    lane = P.add_lane(ws, pid, "Everyone").result
    ids = [P.add_node(ws, pid, "start", 20, 62, lane_id=lane, name="Order in").result]
    for i in range(STEPS):
        ids.append(P.add_node(ws, pid, "step", 100 + i * 190, 40, lane_id=lane,
                              name=f"Step {i + 1} of the flow").result)
    ids.append(P.add_node(ws, pid, "end", 100 + STEPS * 190, 62, lane_id=lane,
                          name="Shipped").result)
    for a, b in zip(ids, ids[1:]):
        P.add_edge(ws, pid, a, b)
    if tall:
        ids.append(P.add_node(ws, pid, "annotation", 100, 2200, name="Far below").result)
    return {"pid": pid, "nodes": ids}


@pytest.fixture
def make_editor(qtbot, controller):
    from qms_desktop.ui.flowchart.editor import FlowchartEditor

    def make(width: int = 1300, height: int = 800, sizes: list[int] | None = None):
        ed = FlowchartEditor(controller)
        qtbot.addWidget(ed)
        ed.resize(width, height)
        ed.show()
        qtbot.waitExposed(ed)
        if sizes is not None:
            ed.splitter.setSizes(sizes)
        QApplication.processEvents()
        return ed

    return make


def _shown_step_labels(ed) -> list[str]:
    return [n.label.text for n in ed.scene.nodes.values()
            if n.kind == "step" and n.has_label() and n.label.isVisible() and n.label.text]


def test_a_map_at_fit_shows_its_step_labels(make_editor, ws):
    m = _long_map(ws)
    ed = make_editor(sizes=[170, 800, 300])
    ed.open_process(m["pid"])
    ed.actions["zoom_fit"].trigger()
    QApplication.processEvents()
    z = ed.view.zoom()
    assert 0.25 <= z < 0.4, z  # (the zoom at which labels used to be hidden)
    assert ed.scene.detail
    assert len(_shown_step_labels(ed)) == STEPS
    # and the labels are drawn: the picture of a step has dark text pixels inside its box
    step = ed.scene.nodes[m["nodes"][1]]
    img = ed.view.viewport().grab().toImage()
    box = ed.view.mapFromScene(step.sceneBoundingRect()).boundingRect().adjusted(2, 2, -2, -2)
    dark = sum(1 for x in range(box.left(), box.right()) for y in range(box.top(), box.bottom())
               if img.pixelColor(x, y).lightness() < 140)
    assert dark > 3


def test_labels_are_hidden_only_when_less_than_a_few_pixels_high(make_editor, ws):
    from qms_desktop.ui.flowchart.style import LABEL_PX, MIN_LABEL_PX

    m = _long_map(ws)
    ed = make_editor()
    ed.open_process(m["pid"])
    ed.view.set_zoom(MIN_LABEL_PX / LABEL_PX)
    assert ed.scene.detail and len(_shown_step_labels(ed)) == STEPS
    ed.view.set_zoom(0.9 * MIN_LABEL_PX / LABEL_PX)
    assert not ed.scene.detail and not _shown_step_labels(ed)


def test_side_panes_fold_away_and_the_canvas_widens(make_editor, ws):
    from qms_desktop.ui.flowchart.editor import LEFT_PANE, RIGHT_PANE

    m = _long_map(ws)
    ed = make_editor(width=1440, height=900)
    ed.open_process(m["pid"])
    vp = ed.view.viewport()
    # the properties start folded; the shapes are shown
    assert ed.pane_open(LEFT_PANE) and not ed.pane_open(RIGHT_PANE)
    assert ed.actions["show_shapes"].isChecked()
    assert not ed.actions["show_properties"].isChecked()
    ed.actions["show_properties"].trigger()
    QApplication.processEvents()
    both = vp.width()
    pane = ed.tabs.width()
    assert ed.pane_open(RIGHT_PANE) and pane > 200
    ed.actions["show_shapes"].trigger()
    ed.actions["show_properties"].trigger()
    QApplication.processEvents()
    assert not ed.pane_open(LEFT_PANE) and not ed.pane_open(RIGHT_PANE)
    assert not ed.actions["show_shapes"].isChecked()
    assert vp.width() >= both + 400  # the canvas got the panes' room
    assert vp.width() >= ed.width() - 40
    # a map still fitted to the window is fitted again to the wider canvas
    assert len(_shown_step_labels(ed)) == STEPS
    rect = ed.scene.map_rect()
    assert ed.view.visible_scene_rect().contains(rect)
    # opening a pane again gives it back its width
    ed.actions["show_properties"].trigger()
    QApplication.processEvents()
    assert abs(ed.tabs.width() - pane) <= 2
    # validating shows the list, opening the pane when it was folded
    ed.set_pane_open(RIGHT_PANE, False)
    ed.validate()
    assert ed.pane_open(RIGHT_PANE) and ed.actions["show_properties"].isChecked()


def test_a_map_opens_fitted_to_its_width_when_that_is_readable(make_editor, ws):
    from qms_desktop.ui.flowchart.view import READABLE_FIT_SCALE

    m = _long_map(ws, tall=True)
    ed = make_editor(sizes=[0, 1200, 0])
    ed.open_process(m["pid"])
    QApplication.processEvents()
    view = ed.view
    width = view.fit_width_scale()
    assert width >= READABLE_FIT_SCALE
    assert view.zoom() == pytest.approx(width)
    # the whole width shows, from the top: every step of the row is in view, with its label
    vis = view.visible_scene_rect()
    for nid in m["nodes"][:-1]:
        assert vis.contains(ed.scene.nodes[nid].sceneBoundingRect())
    assert len(_shown_step_labels(ed)) == STEPS
    assert ed.zoom_label.text() == f"Zoom: {round(width * 100)} %"


def test_a_small_enough_map_opens_whole(make_editor, ws):
    m = _long_map(ws)
    ed = make_editor(width=1440, height=900)  # the default panes: properties folded
    ed.open_process(m["pid"])
    QApplication.processEvents()
    vis = ed.view.visible_scene_rect()
    assert vis.contains(ed.scene.map_rect())
    assert len(_shown_step_labels(ed)) == STEPS


def _decision_after_a_drop(ws) -> dict:
    """A step above and to the left of a decision: its connector comes down into the
    decision's left corner, through the spot a decision's name takes by default."""
    pid = P.add_process(ws, {"name": "Check"}).result
    step = P.add_node(ws, pid, "step", 100, 0, name="Make the first part").result
    dec = P.add_node(ws, pid, "decision", 300, 200, name="First part within tolerance?").result
    yes = P.add_node(ws, pid, "step", 460, 200, name="Run the batch").result
    no = P.add_node(ws, pid, "step", 280, 360, name="Adjust").result
    e_in = P.add_edge(ws, pid, step, dec).result
    P.add_edge(ws, pid, dec, yes, label="yes")
    P.add_edge(ws, pid, dec, no, label="no")
    return {"pid": pid, "decision": dec, "incoming": e_in}


def _label_scene_rect(item) -> QRectF:
    return item.label.mapRectToScene(item.label.text_rect())


def _crosses(edge, r: QRectF) -> bool:
    box = (r.left(), r.top(), r.right(), r.bottom())
    pts = edge.points
    return any(segment_meets_rect(a, b, box) for a, b in zip(pts, pts[1:]))


def test_a_decisions_name_does_not_cross_its_incoming_connector(make_editor, ws, controller):
    m = _decision_after_a_drop(ws)
    ed = make_editor()
    ed.open_process(m["pid"])
    ed.view.zoom_actual()
    QApplication.processEvents()
    dec = ed.scene.nodes[m["decision"]]
    incoming = ed.scene.edges[m["incoming"]]
    xs = {round(p[0]) for p in incoming.points}
    assert len(incoming.points) >= 3 and min(xs) < 300  # it comes down left of the diamond
    assert dec.label.isVisible() and dec.label.text == "First part within tolerance?"
    assert not _crosses(incoming, _label_scene_rect(dec))
    # moving the step so its connector comes in straight from the left: the name goes back to
    # its usual place, above left
    ed.move_nodes_to({ed.scene.nodes[incoming.source.nid].nid: (100, 200)})
    QApplication.processEvents()
    incoming = ed.scene.edges[m["incoming"]]
    r = _label_scene_rect(dec)
    assert not _crosses(incoming, r)
    assert r.right() <= dec.center().x() and r.bottom() <= dec.center().y()


def test_segment_meets_rect():
    box = (0.0, 0.0, 10.0, 10.0)
    assert segment_meets_rect((-5, 5), (15, 5), box)  # straight through
    assert segment_meets_rect((5, 5), (6, 6), box)  # inside
    assert not segment_meets_rect((-5, -1), (15, -1), box)  # above
    assert not segment_meets_rect((11, -5), (11, 15), box)  # beside
    assert segment_meets_rect((-5, 20), (20, -5), box)  # diagonal through a corner region
    assert not segment_meets_rect((-5, 4), (4, -5), box)  # diagonal missing the corner


def _whole_map_shows(ed) -> bool:
    return ed.view.visible_scene_rect().contains(ed.scene.map_rect())


def test_after_fit_folding_or_unfolding_a_pane_fits_again(make_editor, ws, qtbot):
    from PySide6.QtCore import Qt

    from qms_desktop.ui.flowchart.editor import LEFT_PANE, RIGHT_PANE

    m = _long_map(ws)
    ed = make_editor(width=1440, height=900)
    ed.open_process(m["pid"])
    ed.view.setFocus()
    ed.actions["zoom_fit"].trigger()
    QApplication.processEvents()
    fitted = ed.view.zoom()
    assert _whole_map_shows(ed)
    # the modifier keys of Ctrl+Shift+1 reach the canvas before the shortcut does
    for key in (Qt.Key.Key_Control, Qt.Key.Key_Shift):
        qtbot.keyPress(ed.view, key)
        qtbot.keyRelease(ed.view, key)
    ed.actions["show_shapes"].trigger()  # more room: the map grows
    QApplication.processEvents()
    assert not ed.pane_open(LEFT_PANE)
    assert ed.view.zoom() > fitted and _whole_map_shows(ed)
    # a click on the canvas (selecting nothing) does not end the fit either
    corner = ed.view.viewport().rect().bottomRight()
    qtbot.mouseClick(ed.view.viewport(), Qt.MouseButton.LeftButton, pos=corner - QPoint(4, 4))
    ed.actions["show_properties"].trigger()  # less room: the map shrinks, still whole
    QApplication.processEvents()
    assert ed.pane_open(RIGHT_PANE)
    assert _whole_map_shows(ed)
    assert ed.zoom_label.text() == f"Zoom: {ed.view.zoom() * 100:.0f} %"
    # the window resizes: fitted again
    ed.resize(1100, 800)
    QApplication.processEvents()
    assert _whole_map_shows(ed)


def test_a_hand_zoom_is_kept_when_a_pane_toggles(make_editor, ws):
    m = _long_map(ws)
    ed = make_editor(width=1440, height=900)
    ed.open_process(m["pid"])
    ed.actions["zoom_fit"].trigger()
    ed.actions["zoom_in"].trigger()
    QApplication.processEvents()
    zoom = ed.view.zoom()
    ed.actions["show_shapes"].trigger()
    ed.actions["show_properties"].trigger()
    QApplication.processEvents()
    assert ed.view.zoom() == pytest.approx(zoom)
    # a user scroll after Fit keeps the view too
    ed.actions["zoom_fit"].trigger()
    QApplication.processEvents()
    zoom = ed.view.zoom()
    bar = ed.view.horizontalScrollBar()
    bar.triggerAction(bar.SliderAction.SliderSingleStepAdd)
    ed.actions["show_properties"].trigger()
    QApplication.processEvents()
    assert ed.view.zoom() == pytest.approx(zoom)


def test_a_map_shown_only_in_part_says_how_to_see_it_whole(make_editor, ws):
    from qms_desktop.ui.flowchart.editor import LEFT_PANE

    pid = P.add_process(ws, {"name": "Very long", "code": "P30"}).result
    prev = None
    for i in range(30):
        nid = P.add_node(ws, pid, "step", 100 + i * 190, 40, name=f"Step {i + 1}").result
        if prev is not None:
            P.add_edge(ws, pid, prev, nid)
        prev = nid
    ed = make_editor(width=1280, height=640)
    ed.open_process(pid)
    QApplication.processEvents()
    assert not _whole_map_shows(ed)
    assert "Fold the Shapes pane (Ctrl+Shift+1)" in ed.last_status
    assert "Fit (Ctrl+Shift+F)" in ed.last_status
    # a map that shows whole says nothing
    ed.last_status = ""
    small = _long_map(ws)
    ed.set_pane_open(LEFT_PANE, False)
    ed.resize(2600, 900)
    ed.open_process(small["pid"])
    QApplication.processEvents()
    assert _whole_map_shows(ed) and ed.last_status == ""
    # with the shapes folded already, only Fit is suggested
    ed.resize(1280, 640)
    ed.open_process(pid)
    QApplication.processEvents()
    assert "Fit (Ctrl+Shift+F)" in ed.last_status and "Shapes" not in ed.last_status


def test_the_panes_fold_state_is_kept_between_runs(make_editor, ws):
    from qms_desktop.ui.flowchart.editor import LEFT_PANE, RIGHT_PANE

    m = _long_map(ws)
    ed = make_editor(width=1440, height=900)
    ed.open_process(m["pid"])
    assert ed.pane_open(LEFT_PANE) and not ed.pane_open(RIGHT_PANE)
    ed.actions["show_shapes"].trigger()
    ed.actions["show_properties"].trigger()
    QApplication.processEvents()
    ed.close()
    again = make_editor(width=1440, height=900)  # the next run
    assert not again.pane_open(LEFT_PANE) and again.pane_open(RIGHT_PANE)
    assert not again.actions["show_shapes"].isChecked()
    assert again.actions["show_properties"].isChecked()
    assert again.tabs.width() > 200
