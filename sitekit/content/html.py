"""Raw HTML in content and SVG files, judged by a maintained allowlist sanitizer.

Hand-written patterns miss cases (entity-encoded `javascript:`, attributes over several
lines, `srcset`, `formaction`, `<meta http-equiv=refresh>`, …). Instead every element
and attribute an editor writes is passed through `nh3` (the binding of Rust's
`ammonia`) with the allowlist below; whatever it would remove is one error naming the
element or attribute, so nothing is published that the sanitizer would not keep, and
nothing is dropped silently.

SVG files (`content/extra/*.svg`) are XML, which `ammonia` does not read: they get an
allowlist of their own here (shapes, gradients, text; no scripts, no event handlers,
no styles, no references outside the file).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from html.parser import HTMLParser

import nh3

# What editors legitimately write in Markdown's raw HTML: structure, tables, lists,
# definition lists, abbreviations, details/summary, and language marks. h1 is the
# page's title (the template writes it).
TAGS = frozenset(
    {
        *("a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite"),
        *("code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl"),
        *("dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr"),
        *("i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s"),
        *("samp", "small", "span", "strong", "sub", "summary", "sup", "table"),
        *("tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var"),
        "wbr",
    }
)
# `markdown` is read (and removed) by Markdown's md_in_html: `<div markdown="1">`.
ATTRIBUTES = {
    "*": {"lang", "dir", "title", "id", "class", "markdown"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope", "abbr"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "time": {"datetime"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "details": {"open"},
}
CONTEXT = {
    **dict.fromkeys(("caption", "thead", "tbody", "tfoot", "colgroup"), "<table>"),
    "tr": "<table><tbody>",
    "td": "<table><tbody><tr>",
    "th": "<table><tbody><tr>",
    "col": "<table><colgroup>",
}
URL_SCHEMES = {"https", "mailto", "tel"}
URL_ATTRIBUTES = {"href", "src", "cite"}
# Markdown text that looks like a tag but is not one: autolinks, escaped "<".
AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]*:[^<>\s]*>|<[^<>\s!]+@[^<>\s@]+>")
ESCAPED = re.compile(r"\\<")
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"}
    | {"source", "track", "wbr"}
)


def _url_filter(tag: str, attribute: str, value: str) -> str | None:
    """Our own paths, not `//other.host/…` (a relative URL to another site)."""
    if attribute in URL_ATTRIBUTES and value.strip().startswith(("//", "\\", "/\\")):
        return None
    return value


def sanitize(fragment: str) -> str:
    """The fragment as the allowlist keeps it."""
    return nh3.clean(
        fragment,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        attribute_filter=_url_filter,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


class _Tags(HTMLParser):
    """Every start tag, comment and declaration, with its line (1-based)."""

    def __init__(self, first_line: int = 1) -> None:
        super().__init__(convert_charrefs=True)
        self.first_line = first_line  # of the text in its file, for messages
        self.found: list[tuple[int, str, list[tuple[str, str | None]]]] = []
        self.other: list[tuple[int, str]] = []
        self.unbalanced: list[tuple[int, str, str]] = []  # line, what, how to fix
        self._open: list[tuple[str, int]] = []  # elements open now, innermost last

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((self.getpos()[0], tag, attrs))
        if tag not in VOID_ELEMENTS:
            self._open.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.found.append((self.getpos()[0], tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        line = self.getpos()[0]
        if self._open and self._open[-1][0] == tag:
            self._open.pop()
        elif any(name == tag for name, _ in self._open):
            while self._open[-1][0] != tag:
                inner, opened = self._open.pop()
                self.unbalanced.append(
                    (
                        opened,
                        f"<{inner}> is not closed before </{tag}> on line "
                        f"{line + self.first_line - 1}",
                        f"add </{inner}> where the element ends",
                    )
                )
            self._open.pop()
        else:
            self.unbalanced.append(
                (
                    line,
                    f"</{tag}> closes an element that was not opened",
                    f"remove it, or add <{tag}> where the element starts",
                )
            )

    def close(self) -> None:
        """Finish; what is still open was never closed."""
        super().close()
        for name, opened in reversed(self._open):
            self.unbalanced.append(
                (
                    opened,
                    f"<{name}> is never closed: the rest of the page would end up "
                    "inside it",
                    f"add </{name}> where the element ends",
                )
            )
        self._open.clear()

    def handle_comment(self, data: str) -> None:
        self.other.append((self.getpos()[0], "an HTML comment <!-- … -->"))

    def handle_decl(self, decl: str) -> None:
        self.other.append((self.getpos()[0], f"a declaration <!{decl[:20]}>"))

    def unknown_decl(self, data: str) -> None:
        self.other.append((self.getpos()[0], f"a declaration <![{data[:20]}>"))

    def handle_pi(self, data: str) -> None:
        self.other.append(
            (self.getpos()[0], f"a processing instruction <?{data[:20]}>")
        )


def _parse(text: str, first_line: int = 1) -> _Tags:
    parser = _Tags(first_line)
    parser.feed(text)
    parser.close()
    return parser


def _serialize(tag: str, attrs: list[tuple[str, str | None]]) -> str:
    from html import escape

    parts = [tag]
    for name, value in attrs:
        parts.append(f'{name}="{escape(value or "", quote=True)}"')
    return "<" + " ".join(parts) + ">"


def _shown(value: str | None) -> str:
    value = (value or "").replace("\n", " ")
    return value if len(value) <= 40 else value[:37] + "…"


def removed(tag: str, attrs: list[tuple[str, str | None]]) -> list[str]:
    """What the sanitizer removes from one start tag, in words ([] when nothing)."""
    # Table parts exist only inside a table: HTML's parser drops them elsewhere.
    context = CONTEXT.get(tag, "")
    kept = _parse(sanitize(context + _serialize(tag, attrs))).found
    kept = kept[context.count("<") :]
    if not kept or kept[0][1] != tag:
        return [f"the element <{tag}>"]
    left = [(name, value or "") for name, value in kept[0][2]]
    words = []
    for name, value in attrs:
        if (name, value or "") in left:
            left.remove((name, value or ""))
        else:
            words.append(f'the attribute {name}="{_shown(value)}" of <{tag}>')
    return words


def link_allowed(target: str) -> bool:
    """A Markdown link's target, as the sanitizer judges an href (entities decoded)."""
    from html import unescape

    return not removed("a", [("href", unescape(target))])


HINT = (
    "remove it: content may use only plain HTML (text, links to https:, mailto:, "
    "tel: or this site, tables, lists, abbreviations, details); scripts, styles, "
    "forms, frames, event handlers and loading from other sites are not allowed"
)


def raw_html_problems(text: str, first_line: int = 1) -> Iterator[tuple[int, str, str]]:
    """(line, what is wrong, how to fix it) for the raw HTML in Markdown text.

    `text` is the body with code blanked; line 1 is its first line, which is line
    `first_line` of its file (messages name lines of the file).
    """
    if "<" not in text:
        return
    text = AUTOLINK.sub(lambda match: " " * len(match[0]), text)
    text = ESCAPED.sub("  ", text)
    parsed = _parse(text, first_line)
    for line, what in parsed.other:
        yield line, f"{what}: the sanitizer removes it", HINT
    # Markdown passes raw HTML through as it is: an unclosed <div> or <b> would
    # swallow the rest of the page, the footer included.
    yield from parsed.unbalanced
    for line, tag, attrs in parsed.found:
        for what in removed(tag, attrs):
            yield line, f"raw HTML: {what} is not allowed", HINT
        if tag == "img" and not any(name == "alt" for name, _ in attrs):
            yield (
                line,
                "an <img> without an alt attribute",
                'add alt="what the image shows" for visitors who cannot see it',
            )


# --- SVG files --------------------------------------------------------------------
SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
SVG_TAGS = frozenset(
    {
        *("svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline"),
        *("polygon", "title", "desc", "defs", "linearGradient", "radialGradient"),
        *("stop", "clipPath", "mask", "symbol", "use", "text", "tspan", "metadata"),
    }
)
SVG_ATTRIBUTES = frozenset(
    {
        *("viewBox", "width", "height", "x", "y", "x1", "x2", "y1", "y2", "cx"),
        *("cy", "r", "rx", "ry", "d", "points", "fill", "fill-opacity", "stroke"),
        *("stroke-width", "stroke-linecap", "stroke-linejoin", "stroke-opacity"),
        *("stroke-dasharray", "opacity", "transform", "id", "class", "offset"),
        *("stop-color", "stop-opacity", "gradientUnits", "gradientTransform"),
        *("clip-path", "clip-rule", "fill-rule", "mask", "preserveAspectRatio"),
        *("version", "role", "aria-label", "aria-hidden", "focusable", "lang"),
        *("font-size", "font-family", "font-weight", "text-anchor", "href"),
        *("dominant-baseline", "xml:space"),
    }
)
EXTERNAL_REFERENCE = re.compile(r"url\(\s*['\"]?(?!#)", re.IGNORECASE)


def _line_of(data: str, needle: str) -> int:
    position = data.find(needle)
    return data.count("\n", 0, position) + 1 if position >= 0 else 1


def svg_problems(data: str) -> Iterator[tuple[int, str]]:
    """(line, what is wrong) for an SVG file: only drawing, nothing active."""
    for declaration in ("<!DOCTYPE", "<!ENTITY", "<?xml-stylesheet"):
        if declaration.lower() in data.lower():
            line = _line_of(data.lower(), declaration.lower())
            yield line, f"{declaration}: SVG files may not declare or load anything"
            return
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        yield error.position[0], f"not well-formed XML ({error})"
        return
    if root.tag not in (f"{{{SVG}}}svg", "svg"):
        yield 1, f"the root element is {root.tag}, not <svg>"
        return
    for element in root.iter():
        namespace, _, tag = element.tag.rpartition("}")
        shown = f"<{tag}>"
        if namespace.lstrip("{") not in ("", SVG) or tag not in SVG_TAGS:
            yield _line_of(data, f"<{tag}"), f"the element {shown} is not allowed"
            continue
        for name, value in element.attrib.items():
            namespace, _, local = name.rpartition("}")
            namespace = namespace.lstrip("{")
            line = _line_of(data, local)
            if local == "href" and namespace in ("", XLINK):
                if not value.strip().startswith("#"):
                    yield (
                        line,
                        f'{shown} href="{_shown(value)}" points outside the file',
                    )
            elif namespace == "http://www.w3.org/XML/1998/namespace" and local in (
                "space",
                "lang",
            ):
                pass
            elif namespace or local not in SVG_ATTRIBUTES:
                yield line, f"the attribute {local}= of {shown} is not allowed"
            elif EXTERNAL_REFERENCE.search(value):
                yield line, f"the attribute {local}= of {shown} loads another file"


# --- Markdown's attribute lists: `{: #id .class dir="ltr" }` ------------------------
# Python-Markdown's attr_list extension (part of `extra`) copies any attribute into
# the HTML: `{: onclick=… }` or `{: href="javascript:…" }` would pass every raw-HTML
# check. Only these are allowed; ids and classes of the theme (mh-…, main) are not,
# since a page could hide the quick exit or break the skip link with them.
ATTRIBUTE_LIST = re.compile(r"\{:?[ ]*(?P<inner>[#.a-zA-Z_][^{}\n]*?)[ ]*\}")
PLACEHOLDERS = {"filename", "static", "attach", "tag", "category", "author", "index"}
RESERVED_IDS = {"main", "content", "top"}
LANGUAGE_VALUE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def attribute_list_problems(line: str) -> Iterator[str]:
    """What is not allowed in the `{: … }` attribute lists of one line of Markdown."""
    from markdown.extensions.attr_list import get_attrs

    for match in ATTRIBUTE_LIST.finditer(line):
        inner = match["inner"]
        if inner in PLACEHOLDERS or line[: match.start()].endswith(
            ("(", "=", '"', "'")
        ):
            continue  # `{filename}` in a link target, not an attribute list
        for name, value in get_attrs(inner):
            if name == "id" and (value in RESERVED_IDS or value.startswith("mh-")):
                yield f"the id {value!r} in {{: … }} is the theme's own"
            elif name == "." and value.startswith("mh-"):
                yield f"the class {value!r} in {{: … }} is the theme's own"
            elif name == "dir" and value not in ("ltr", "rtl", "auto"):
                yield f"dir={value!r} in {{: … }} is not ltr, rtl or auto"
            elif name == "lang" and not LANGUAGE_VALUE.match(value):
                yield f"lang={value!r} in {{: … }} is not a language code"
            elif name not in ("id", ".", "dir", "lang"):
                yield f"the attribute {name}={value!r} in {{: … }} is not allowed"
