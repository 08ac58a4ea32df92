"""Python modules compiled from the Qt Designer files in ``forms/`` (do not edit by hand).

Regenerate after changing a ``.ui`` file with ``python -m qms_desktop.ui.forms``;
``tests/gui/test_forms_current.py`` fails when a committed module is out of date.
"""
