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
    """
    Collects the visible text. Block boundaries only *request* a line break, taken when more text
    follows: so ``<td><p>issue_id</p></td><td>string</td>`` stays one row, while two paragraphs
    or a ``<br>`` inside a description cell still put their lines apart.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._lines: list[tuple[str, int]] = []
        self._current = ""
        self._current_line = 1
        self._pending = False
        self._skip_stack: list[str] = []
        self._pre = 0
        self._cells_in_row = 0

    # Output ------------------------------------------------------------------------------------

    def _break(self) -> None:
        """End the current line, unless it is blank (blocks never add blank lines)."""
        if self._current.strip():
            self._lines.append((self._current, self._current_line))
        self._current = ""
        self._pending = False

    def _write(self, text: str, line: int) -> None:
        if self._pending and text.strip():
            self._break()
        if not self._current.strip(" \t"):
            if not self._current:
                self._current_line = line
            if not self._pre:
                text = text.lstrip(" ")
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
        if self._skip_stack or tag in _SKIPPED or hidden:
            if tag not in _VOID:
                self._skip_stack.append(tag)
            return
        if tag == "tr":
            self._break()
            self._cells_in_row = 0
        elif tag in ("td", "th"):
            self._pending = False
            if self._cells_in_row:
                self._current += "\t"
            self._cells_in_row += 1
        elif tag == "br" or tag in _BLOCKS:
            self._pending = True
        if tag == "pre":
            self._pre += 1

    def handle_endtag(self, tag: str) -> None:
        if self._skip_stack:
            if tag in self._skip_stack:
                while self._skip_stack and self._skip_stack.pop() != tag:
                    pass
            return
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
        if tag in _BLOCKS:
            self._pending = True

    def handle_data(self, data: str) -> None:
        if self._skip_stack:
            return
        line = self.getpos()[0]
        if self._pre:
            for offset, part in enumerate(data.split("\n")):
                if offset:
                    self._lines.append((self._current, self._current_line))
                    self._current = ""
                    self._current_line = line + offset
                self._write(part, line + offset)
            return
        collapsed = _WHITESPACE.sub(" ", data)
        if collapsed.strip() or (self._current and not self._current.endswith((" ", "\t"))):
            leading = data[: len(data) - len(data.lstrip())].count("\n")
            self._write(collapsed, line + leading)
