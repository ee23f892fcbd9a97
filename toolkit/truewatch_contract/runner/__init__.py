"""
The runner: ``truewatch-contract run`` and ``truewatch-contract mutants``.

It starts the contract suite in its own pytest process (never imports it), reads the run record
the suite and the :mod:`~truewatch_contract.runner.collector` plugin append to, and writes the
reports (``junit.xml``, ``report.html``, ``report.json``; ``mutants.html``, ``mutants.json``).
"""

from __future__ import annotations
