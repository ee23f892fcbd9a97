"""
The contract's size limit on a request body, in one place for every layer.

The limit is the project's own (the spec's ``behaviour.body-too-large``, tagged assumed): the mock
answers 413 above it, and ``truewatch-contract validate`` reads no more than it (plus the one byte
that shows an input is larger).
"""

from __future__ import annotations

BODY_LIMIT = 1024 * 1024  # 1 MiB
