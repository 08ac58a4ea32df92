"""The process map editor (QGraphicsScene/View) and map rendering.

* :class:`~.editor.FlowchartEditor` — the editor widget (canvas, palette, overview, properties,
  validation, import/export actions);
* :func:`~.render.render_map` — PNG/SVG/PDF of a map, headless (used by ``qms export diagram``).

Import the submodules directly; this package imports nothing heavy on its own.
"""
