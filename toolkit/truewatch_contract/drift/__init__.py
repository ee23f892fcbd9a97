"""
Spec drift: does the vendor's page still say what the spec was written from?

``check(page)`` reads the endpoint's description from a `Page` (see `read_file`, `fetch`,
`snapshot_path`) and compares it with the spec; the `Report` holds the drift, the known page
defects (the spec's ``x-page-defects``) seen on the page, and the defects the page has fixed.
Only the standard library and the package's spec loader are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from truewatch_contract.drift.compare import Difference, compare, is_the_endpoint, template
from truewatch_contract.drift.defects import Defect, defects_of, sort
from truewatch_contract.drift.expected import Resolver, expected
from truewatch_contract.drift.extract import Where, extract
from truewatch_contract.drift.fetch import DEFAULT_TIMEOUT, fetch
from truewatch_contract.drift.page import VENDOR_URL, Page, PageError, read_file, snapshot_path


@dataclass(frozen=True)
class Report:
    """The outcome of one comparison."""

    source: str
    drift: list[Difference]
    known: list[tuple[Defect, Where]]
    fixed: list[tuple[Defect, str | None, Where]]

    @property
    def exit_code(self) -> int:
        """0 when page and spec agree, 1 on drift or a fixed defect (the spec's list is stale)."""
        return 1 if self.drift or self.fixed else 0


def check(page: Page, document: dict[str, Any] | None = None) -> Report:
    """
    Compare a page with the spec (the package's own unless ``document`` is given).

    Raises:
        PageError: the page does not document the endpoint.
    """
    if document is None:
        from truewatch_contract.spec import spec_document

        document = spec_document()
    spec = expected(document)
    endpoint = extract(page)
    if not is_the_endpoint(endpoint, spec):
        raise PageError(
            f"{page.source} documents {endpoint.method} {endpoint.route}, not this endpoint "
            f"({spec.method} {template(spec.route)})"
        )
    differences = compare(endpoint, spec, Resolver(document))
    sorted_ = sort(differences, defects_of(document), endpoint)
    return Report(page.source, sorted_.drift, sorted_.known, sorted_.fixed)


__all__ = [
    "DEFAULT_TIMEOUT",
    "VENDOR_URL",
    "Defect",
    "Difference",
    "Page",
    "PageError",
    "Report",
    "Where",
    "check",
    "fetch",
    "read_file",
    "snapshot_path",
]
