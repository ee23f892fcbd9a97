# ruff: noqa: E501  (a saved docs page has long lines, as the real one does)
"""
Pages for the drift tests: the shipped snapshot, edits of it, and the same page as HTML.

The HTML is what a browser saves of a docs site (mkdocs-material): a header and navigation that
mention other pages, headings with permalink marks, the parameter tables as HTML tables with
``<br>`` inside the description cells, highlighted code blocks with line anchors, a copy button,
e-mail protection links and a footer.
"""

from __future__ import annotations

import html
from pathlib import Path

from truewatch_contract.drift import snapshot_path

SNAPSHOT = snapshot_path().read_text(encoding="utf-8")


def edited(old: str, new: str, text: str = SNAPSHOT) -> str:
    """The page with one exact edit; fails loudly if ``old`` is not on it exactly once."""
    assert text.count(old) == 1, f"{old!r} is on the page {text.count(old)} times"
    return text.replace(old, new)


def write(tmp_path: Path, text: str | bytes, name: str = "page.txt") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _response_json() -> str:
    return SNAPSHOT[SNAPSHOT.index("{\n") :].rstrip("\n")


def _code_block(number: int, language: str, text: str) -> str:
    """A highlighted code block as mkdocs-material renders it: one span and anchor per line."""
    spans = []
    for index, line in enumerate(text.split("\n"), start=1):
        escaped = html.escape(line, quote=False)
        escaped = escaped.replace(
            "[email\xa0protected]",
            '<a href="/cdn-cgi/l/email-protection" class="__cf_email__" '
            'data-cfemail="4c3f29">[email&#160;protected]</a>',
        )
        escaped = escaped.replace(": ", '<span class="p">:</span><span class="w"> </span>', 1)
        anchor = f"__codelineno-{number}-{index}"
        spans.append(
            f'<span id="__span-{number}-{index}"><a id="{anchor}" name="{anchor}" '
            f'href="#{anchor}"></a>{escaped}\n</span>'
        )
    return (
        f'<div class="language-{language} highlight"><pre><span></span>'
        f'<button class="md-clipboard md-icon" title="Copy to clipboard">Copy</button>'
        f"<code>{''.join(spans)}</code></pre></div>"
    )


CURL = """curl 'https://openapi.truewatch.com/api/v1/error_track/<issue_id>/update' \\
-H 'DF-API-KEY: <DF-API-KEY>' \\
-H 'Content-Type: application/json;charset=UTF-8' \\
--data-raw '{"issueStatus":"Resolved"}' """


def html_page(statuses: str = "['Triage', 'Assigned', 'Working', 'Resolved', 'Ignored']") -> str:
    """The vendor's page as a browser saves it from the docs site."""
    return f"""<!DOCTYPE html>
<html lang="en" class="no-js">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width,initial-scale=1">
    <title>Update - TrueWatch Documentation</title>
    <link rel="stylesheet" href="../../assets/stylesheets/main.css">
    <style>.md-typeset table:not([class]) {{ font-size: .64rem }}</style>
    <script>var __md_scope = new URL("../..", location); // POST /api/v1/other/route</script>
  </head>
  <body dir="ltr" data-md-color-scheme="default">
    <input class="md-toggle" data-md-toggle="drawer" type="checkbox" id="__drawer" autocomplete="off">
    <a href="#update" class="md-skip">Skip to content</a>
    <header class="md-header" data-md-component="header">
      <nav class="md-header__inner md-grid" aria-label="Header">
        <a href="../.." title="TrueWatch Documentation" class="md-header__button md-logo">TrueWatch</a>
        <div class="md-header__title"><span class="md-ellipsis">Update</span></div>
        <div class="md-search" role="dialog"><input type="text" placeholder="Search"></div>
      </nav>
    </header>
    <div class="md-container" data-md-component="container">
      <main class="md-main" data-md-component="main">
        <div class="md-main__inner md-grid">
          <div class="md-sidebar md-sidebar--primary" data-md-component="sidebar">
            <nav class="md-nav md-nav--primary" aria-label="Navigation">
              <ul class="md-nav__list">
                <li class="md-nav__item"><a href="../error-track__list/" class="md-nav__link">List</a></li>
                <li class="md-nav__item md-nav__item--active"><a href="./" class="md-nav__link">Update</a></li>
                <li class="md-nav__item"><a href="../response/" class="md-nav__link">Response</a></li>
                <li class="md-nav__item"><code>GET /api/v1/error_track/list</code></li>
              </ul>
            </nav>
          </div>
          <div class="md-sidebar md-sidebar--secondary" data-md-component="sidebar">
            <nav class="md-nav md-nav--secondary" aria-label="Table of contents">
              <label class="md-nav__title" for="__toc">Table of contents</label>
              <ul class="md-nav__list">
                <li><a href="#route-parameters">Route Parameters</a></li>
                <li><a href="#body-parameters">Body Parameters</a></li>
                <li><a href="#request-example">Request Example</a></li>
                <li><a href="#response">Response</a></li>
              </ul>
            </nav>
          </div>
          <div class="md-content" data-md-component="content">
            <article class="md-content__inner md-typeset">
              <h1 id="update">Update<a class="headerlink" href="#update" title="Permanent link">&para;</a></h1>
              <hr />
              <p><code>POST /api/v1/error_track/{{issue_id}}/update</code></p>
              <h2 id="overview">Overview<a class="headerlink" href="#overview" title="Permanent link">&para;</a></h2>
              <h2 id="route-parameters">Route Parameters<a class="headerlink" href="#route-parameters" title="Permanent link">&para;</a></h2>
              <div class="md-typeset__scrollwrap"><div class="md-typeset__table">
              <table>
                <thead>
                  <tr>
                    <th style="text-align: left;">Parameter Name</th>
                    <th style="text-align: left;">Type</th>
                    <th style="text-align: left;">Required</th>
                    <th style="text-align: left;">Description</th>
                  </tr>
                </thead>
                <tbody>
                  <tr>
                    <td style="text-align: left;">issue_id</td>
                    <td style="text-align: left;">string</td>
                    <td style="text-align: left;">Y</td>
                    <td style="text-align: left;">issue uuid <br/>Allow empty string: False <br/></td>
                  </tr>
                </tbody>
              </table>
              </div></div>
              <h2 id="body-parameters">Body Parameters<a class="headerlink" href="#body-parameters" title="Permanent link">&para;</a></h2>
              <div class="md-typeset__scrollwrap"><div class="md-typeset__table">
              <table>
                <thead>
                  <tr><th>Parameter Name</th><th>Type</th><th>Required</th><th>Description</th></tr>
                </thead>
                <tbody>
                  <tr>
                    <td><code>assigner</code></td><td>array</td><td></td>
                    <td>Assignee <br/>Example: [&#39;acnt_xxx&#39;] <br/>Allow empty: False <br/></td>
                  </tr>
                  <tr>
                    <td><code>issueStatus</code></td><td>string</td><td></td>
                    <td>Status <br/>Example: level <br/>Allow empty: False <br/>Allow empty string: False <br/>Allowed values: {html.escape(statuses)} <br/></td>
                  </tr>
                </tbody>
              </table>
              </div></div>
              <h2 id="parameter-details">Parameter Details<a class="headerlink" href="#parameter-details" title="Permanent link">&para;</a></h2>
              <h2 id="request-example">Request Example<a class="headerlink" href="#request-example" title="Permanent link">&para;</a></h2>
              {_code_block(0, "shell", CURL)}
              <h2 id="response">Response<a class="headerlink" href="#response" title="Permanent link">&para;</a></h2>
              {_code_block(1, "JSON", _response_json())}
            </article>
          </div>
        </div>
      </main>
      <footer class="md-footer">
        <nav class="md-footer__inner md-grid" aria-label="Footer">
          <a href="../error-track__list/" class="md-footer__link md-footer__link--prev">Previous: List</a>
        </nav>
        <div class="md-copyright">Copyright &copy; 2026 TrueWatch. Response times may vary.</div>
      </footer>
    </div>
    <script src="../../assets/javascripts/bundle.js"></script>
  </body>
</html>
"""
