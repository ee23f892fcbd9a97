"""
A saved HTML page turned into the text a browser shows (``innerText``), with stdlib html.parser.

Tables become one line per row with tab-separated cells; a line break inside a cell stays a line
break (so a description's "Allow empty: False" lands on its own line, as in a text scrape); code
blocks keep their whitespace. Navigation, scripts, styles and code line numbers are left out.
Each line carries the number of the HTML source line it starts on.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIPPED = {"script", "style", "noscript", "template", "svg", "nav", "footer", "head", "button"}
_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}
_BLOCKS = {
    "address", "article", "aside", "blockquote", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "thead",
    "tfoot", "tr", "ul", "caption",
}  # fmt: skip
_WHITESPACE = re.compile(r"[ \t\r\n\f]+")


def looks_like_html(text: str) -> bool:
    """Tell a saved HTML page from a text scrape by its first few kilobytes."""
    head = text[:4096].lower()
    return any(marker in head for marker in ("<!doctype html", "<html", "<body", "<head"))


def html_lines(text: str) -> list[tuple[str, int]]:
    """Return the visible text of an HTML page as (line, source line number) pairs."""
    builder = _TextBuilder()
    builder.feed(text)
    builder.close()
    return builder.finish()


class _TextBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._lines: list[tuple[str, int]] = []
        self._current = ""
        self._current_line = 1
        self._skip_depth = 0
        self._skip_stack: list[str] = []
        self._pre = 0
        self._cells_in_row = 0

    # Output ------------------------------------------------------------------------------------

    def _break(self) -> None:
        """End the current line, unless it is empty (block elements never add blank lines)."""
        if self._current.strip():
            self._lines.append((self._current, self._current_line))
        self._current = ""

    def _write(self, text: str, line: int) -> None:
        if not self._current.strip(" \t"):
            if not self._current:
                self._current_line = line
            text = text.lstrip(" ") if not self._pre else text
        self._current += text

    def finish(self) -> list[tuple[str, int]]:
        self._break()
        return self._lines

    # Parser callbacks --------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        hidden = any(name == "hidden" for name, _ in attrs) or any(
            "linenos" in name or name == "linenodiv" for name in classes
        )
        if self._skip_depth or tag in _SKIPPED or hidden:
            if tag not in _VOID:
                self._skip_depth += 1
                self._skip_stack.append(tag)
            return
        if tag == "br":
            self._break_in_cell()
        elif tag == "tr":
            self._break()
            self._cells_in_row = 0
        elif tag in ("td", "th"):
            if self._cells_in_row:
                self._write("\t", self.getpos()[0])
            self._cells_in_row += 1
        elif tag in _BLOCKS:
            self._break_in_cell()
        if tag == "pre":
            self._pre += 1

    def handle_endtag(self, tag: str) -> None:
        if self._skip_depth:
            if tag in self._skip_stack:
                while self._skip_stack:
                    self._skip_depth -= 1
                    if self._skip_stack.pop() == tag:
                        break
            return
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
        if tag in _BLOCKS and tag not in ("td", "th"):
            self._break_in_cell()

    def _break_in_cell(self) -> None:
        # Inside a cell a block ends a line only once the cell has text: `<td><p>x</p></td>`
        # stays on the row's line.
        if self._current.endswith("\t"):
            return
        self._break()

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        line = self.getpos()[0]
        if self._pre:
            parts = data.split("\n")
            for offset, part in enumerate(parts):
                if offset:
                    self._lines.append((self._current, self._current_line))
                    self._current = ""
                    self._current_line = line + offset
                self._write(part, line + offset)
            return
        collapsed = _WHITESPACE.sub(" ", data)
        if collapsed.strip() or (self._current and not self._current.endswith((" ", "\t"))):
            self._write(collapsed, line + data[: len(data) - len(data.lstrip())].count("\n"))
