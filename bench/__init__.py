"""Benchmarks for QMS Workbench: the large-workspace generator and ``python -m bench``.

See ``bench/README.md`` for how to run them and what each figure means.
"""
