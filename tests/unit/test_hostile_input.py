"""Hostile input from an editor: raw HTML in Markdown and static files.

Every payload below is an error of `invoke check` (and so of the build's gate) on the
line where it starts; what editors legitimately write passes. The catalogue holds the
23 payloads found in the audit (issue 16) and more.
"""

from __future__ import annotations

import pytest

from sitekit.content.check import main, run_checks
from sitekit.content.html import sanitize
from sitekit.content.rules import Project
from tests.support import page, run_main, write_files

E = "https://example.org"
# name → raw HTML (the body of a page; it starts on line 6 of the file).
PAYLOADS = {
    # Markdown's attribute lists ({: … }, from the `extra` extension) write
    # attributes too: the same allowlist holds for them.
    "attribute list href": '[a](https://www.example.org/){: href="javascript:x"}',
    "attribute list event": '[a](https://www.example.org/){: onmouseover="x()" }',
    "attribute list style": '[a](https://www.example.org/){: style="display:none" }',
    "attribute list theme id": "## Kop {: #mh-exit }",
    "attribute list image src": '![a]({static}../extra/logo.svg){: src="javascript:x"}',
    "attribute list formaction": '[a](https://www.example.org/){: formaction="x" }',
    "script element": "<script>alert(1)</script>",
    "multi-line onerror": f'<img src="a.png" alt="a"\n   onerror="fetch(\'{E}\')">',
    "onerror before =": '<img src="a.png" alt="a" onerror\n=alert(1)>',
    "decimal-entity javascript:": '<a href="&#106;avascript:alert(1)">x</a>',
    "hex-entity javascript:": '<a href="jav&#x61;script:alert(1)">x</a>',
    "mixed-case javascript:": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "tab in javascript:": '<a href="java\tscript:alert(1)">x</a>',
    "newline entity in javascript:": '<a href="java&NewLine;script:alert(1)">x</a>',
    "vbscript:": '<a href="vbscript:msgbox(1)">x</a>',
    "data: URL": '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>',
    "plain http": '<a href="http://example.org/">x</a>',
    "protocol-relative": '<a href="//example.org/">x</a>',
    "meta refresh": f'<meta http-equiv="refresh" content="5; url={E}/">',
    "form action": f'<form action="{E}/"><p>x</p></form>',
    "base": f'<base href="{E}/">',
    "external stylesheet": f'<link rel="stylesheet" href="{E}/x.css">',
    "srcset": f'<img src="a.png" alt="a" srcset="{E}/a.png 2x">',
    "video poster": f'<video poster="{E}/p.png"></video>',
    "ping": f'<a href="/x.html" ping="{E}/track">x</a>',
    "multi-line style": '<p class="x"\n   style="background: url(https://example.org/)">x</p>',
    "formaction": f'<button formaction="{E}/">x</button>',
    "style element": "<style>body { display: none }</style>",
    "iframe": f'<iframe src="{E}/"></iframe>',
    "object": '<object data="x.swf"></object>',
    "embed": '<embed src="x.swf">',
    "svg onload": "<svg onload=alert(1)>",
    "svg script": "<svg><script>alert(1)</script></svg>",
    "slash-separated attributes": "<img/src=x/onerror=alert(1)>",
    "mouse event on div": '<div onmouseover="alert(1)">x</div>',
    "details ontoggle": "<details open ontoggle=alert(1)><summary>x</summary>",
    "input autofocus": "<input autofocus onfocus=alert(1)>",
    "math mutation": "<math><mtext><table><mglyph><style><img src=x onerror=a()>",
    "noscript mutation": '<noscript><p title="</noscript><img src=x onerror=a()>">',
    "template": "<template><script>alert(1)</script></template>",
    "comment hiding a script": "<!--><script>alert(1)</script>-->",
    "xml processing instruction": '<?xml-stylesheet href="https://example.org/x.xsl"?>',
    "audio src": f'<audio src="{E}/a.mp3" autoplay></audio>',
    "area href": '<map name="m"><area href="javascript:alert(1)"></map>',
    "a target": '<a href="/x.html" target="_blank">x</a>',
    "img src http": '<img src="http://example.org/a.png" alt="a">',
    # Markdown's own links become href= too.
    "markdown link javascript:": "[x](javascript:alert(1))",
    "markdown link entity": "[x](&#106;avascript:alert(1))",
    "markdown image data:": "![a](data:image/svg+xml,x)",
    "markdown reference javascript:": "[r]: javascript:alert(1)\n\n[x][r]",
}

ALLOWED_HTML = "\n".join(
    [
        '<div class="mh-contact" markdown="1">',
        "",
        "Bel [112](tel:112) of schrijf naar <info@example.org>, zie <https://www.example.org/>.",
        "",
        "</div>",
        "",
        '<table><caption>Tabel</caption><thead><tr><th scope="col">A</th></tr></thead>',
        '<tbody><tr><td colspan="2">1</td></tr></tbody></table>',
        "",
        '<dl><dt><abbr title="Mensenhandel">MH</abbr></dt>',
        '<dd lang="fr" dir="ltr">x</dd></dl>',
        "",
        "<details><summary>Meer</summary><p>Tekst.</p></details>",
        "",
        '<p><a href="{filename}ander.nl.md">ander</a>, <a href="tel:112">112</a>,',
        '<a href="mailto:info@example.org">mail</a>, <a href="https://www.example.org/">',
        'site</a>, <img src="{static}../extra/logo.svg" alt="Logo"></p>',
        "",
        r"Escaped: \<script>, and `<script>` in code.",
    ]
)
LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2">'
    '<rect width="2" height="2" fill="#123"/></svg>'
)


def problems_of(tmp_path, files: dict[str, str | bytes]) -> list:
    content = tmp_path / "content"
    base = {
        "pages/ander.nl.md": page(Title="Ander", Slug="ander"),
        "extra/logo.svg": LOGO,
    }
    write_files(content, {**base, **files})
    return run_checks(Project(content=content))


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_every_payload_is_an_error_on_its_line(tmp_path, name):
    problems = problems_of(tmp_path, {"pages/statuut.nl.md": page(PAYLOADS[name])})
    errors = [str(p) for p in problems if p.severity == "error"]
    assert any(e.startswith("content/pages/statuut.nl.md:6: ") for e in errors), (
        problems
    )


def test_the_catalogue_holds_the_audits_payloads_and_more():
    assert len(PAYLOADS) > 23


def test_what_editors_write_passes(tmp_path):
    problems = problems_of(tmp_path, {"pages/statuut.nl.md": page(ALLOWED_HTML)})
    assert problems == []


def test_the_message_names_the_removed_element_and_attribute(tmp_path):
    body = (
        'Tekst.\n\n<p title="ok"\n   onclick="go()">x</p>\n\n<form action="/x"></form>'
    )
    problems = problems_of(tmp_path, {"pages/statuut.nl.md": page(body)})
    shown = [str(p) for p in problems]
    assert any(
        s.startswith(
            'content/pages/statuut.nl.md:8: raw HTML: the attribute onclick="go()" '
            "of <p> is not allowed — remove it"
        )
        for s in shown
    ), shown
    assert any(
        s.startswith("content/pages/statuut.nl.md:11: raw HTML: the element <form>")
        for s in shown
    ), shown


def test_what_passes_the_check_is_what_the_sanitizer_keeps():
    # The check's promise: nothing it lets through is changed by the sanitizer.
    for fragment in ('<a href="tel:112" lang="nl">112</a>', '<abbr title="x">x</abbr>'):
        assert sanitize(fragment) == fragment


# --- static files -------------------------------------------------------------------
RAW_HTML_FILE = "<!doctype html><title>x</title><script>alert(document.domain)</script>"
EVIL_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2">\n'
    "  <rect width='2' height='2'/>\n"
    "  <script>alert(document.domain)</script>\n"
    "</svg>\n"
)
STATIC_ERRORS = {
    "extra/raw.html": (RAW_HTML_FILE, ":1: a .html file is not an allowed static file"),
    "extra/evil.svg": (EVIL_SVG, ":3: SVG: the element <script> is not allowed"),
    "extra/onload.svg": (
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        ":1: SVG: the attribute onload= of <svg> is not allowed",
    ),
    "extra/link.svg": (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        '<use x:href="https://example.org/a.svg#b"/></svg>',
        ':1: SVG: <use> href="https://example.org/a.svg#b" points outside the file',
    ),
    "extra/foreign.svg": (
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p>'
        "</foreignObject></svg>",
        ":1: SVG: the element <foreignObject> is not allowed",
    ),
    "extra/entity.svg": (
        '<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg"/>',
        ":1: SVG: <!DOCTYPE: SVG files may not declare or load anything",
    ),
    "extra/style.svg": (
        '<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://e.org/#a)"/></svg>',
        ":1: SVG: the attribute fill= of <rect> loads another file",
    ),
    "extra/page.png": (RAW_HTML_FILE, ":1: the file is not a .png file"),
    "extra/script.js": ("alert(1)", ":1: a .js file is not an allowed static file"),
    "extra/page.xhtml": (RAW_HTML_FILE, ":1: a .xhtml file is not an allowed static"),
    "documents/files/x.htm": (RAW_HTML_FILE, ":1: a .htm file is not an allowed"),
}


@pytest.mark.parametrize("name", list(STATIC_ERRORS))
def test_an_active_static_file_is_an_error(tmp_path, name):
    data, expected = STATIC_ERRORS[name]
    content = tmp_path / "content"
    write_files(content, {"pages/home.nl.md": page(Slug="index"), name: data})
    result = run_main(main, ["--content", content, "--cache", tmp_path / "cache"])
    assert result.returncode == 1
    assert f"content/{name}{expected}" in result.stderr, result.stderr


def test_passive_static_files_pass(tmp_path):
    files = {
        "extra/logo.svg": LOGO,
        "extra/robots.txt": "User-agent: *\n",
        "extra/a.png": b"\x89PNG\r\n\x1a\n" + bytes(16),
        "documents/files/verslag.pdf": b"%PDF-1.7\n",
    }
    problems = problems_of(tmp_path, files)
    assert problems == []


def test_the_sites_own_static_files_pass():
    from tests.support import ROOT

    problems = run_checks(Project(content=ROOT / "content"))
    assert [p for p in problems if p.severity == "error"] == []  # drafts may warn


def test_an_attribute_list_under_a_paragraph_is_an_error_on_its_line(tmp_path):
    body = 'Tekst.\n{: onclick="x()" }'
    problems = problems_of(tmp_path, {"pages/statuut.nl.md": page(body)})
    assert [str(p) for p in problems] == [
        "content/pages/statuut.nl.md:7: the attribute onclick='x()' in {: … } is not "
        "allowed — an attribute list may give only an id, a class, dir= or lang=; "
        "links and pictures are written in Markdown, styles by the theme"
    ]
