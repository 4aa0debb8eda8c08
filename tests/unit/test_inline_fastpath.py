"""The faster inline step gives exactly stock Python-Markdown's output."""

from __future__ import annotations

import pytest
from markdown import Markdown

from pelicanconf import MARKDOWN
from sitekit.dev.corpus import write_corpus
from sitekit.fast import contract
from sitekit.fast.inline_fastpath import FastInlineProcessor, speed_up
from sitekit.fast.markdown_cache import markdown_settings
from tests.support import ROOT

# Inline syntax of every kind the site's extensions know, alone and nested.
EDGE_CASES = [
    "*em* **strong** ***both*** _em_ __strong__ ___both___ snake_case_word",
    "a * b * c, 2*3*4, ** not strong **, *unclosed and **nested *em* here**",
    "`code` ``code with ` tick`` `unclosed and \\`escaped\\` \\* \\_ \\[",
    "[link](https://example.org/ 'title') [ref][1] [implicit][] ![img](a.png)",
    "[nested [brackets]](u) [link *with* `code`](u) [^1] and a footnote[^note]",
    "<https://example.org> <mail@example.org> <span>html</span> &amp; &copy; & <",
    "line with two trailing spaces  \nnext line, then a soft\nbreak",
    "HTML abbreviation *[HTML]: Hyper Text Markup Language",
    "{: .class } heading attributes\n\n## Title {#custom-id .klass}\n\nText {: #p }",
    "Term\n: Definition with *emphasis*\n\n| a | *b* |\n|---|---|\n| `c` | [d](e) |",
    '<div markdown="1">*inside* html</div>\n\n[1]: https://example.org\n[implicit]: u',
    "[^1]: First footnote with **bold**.\n[^note]: Named footnote.",
    "Mensenhandel — “quotes” ‘single’ … ümlaut café **één** _zeë_",
    "> quote with *em* and `code`\n>\n> - list *item*\n> - [link](u)",
    "```\nfenced *not em*\n```\n\n    indented `not code`",
]


def converters() -> tuple[Markdown, Markdown]:
    options = markdown_settings({"MARKDOWN": MARKDOWN})
    return Markdown(**options), speed_up(Markdown(**options))


def assert_same(texts: list[str]) -> None:
    stock, fast = converters()
    assert isinstance(fast.treeprocessors["inline"], FastInlineProcessor)
    for text in texts:
        stock.reset()
        fast.reset()
        assert fast.convert(text) == stock.convert(text), text


def test_edge_cases_convert_as_stock():
    assert_same([*EDGE_CASES, "\n\n".join(EDGE_CASES)])


def test_real_content_converts_as_stock():
    texts = [path.read_text(encoding="utf-8") for path in ROOT.glob("content/**/*.md")]
    assert len(texts) > 50
    assert_same(texts)


def test_bench_corpus_converts_as_stock(tmp_path):
    write_corpus(tmp_path, 30)
    texts = [path.read_text(encoding="utf-8") for path in tmp_path.rglob("*.md")]
    assert_same(texts)


@pytest.mark.parametrize("release", ["3.11.2", "4.0.0"])
def test_another_markdown_release_keeps_the_stock_step(monkeypatch, release):
    monkeypatch.setitem(contract.WRITTEN_FOR, "markdown", release)
    contract.differences.cache_clear()
    try:
        _, converter = converters()
    finally:
        contract.differences.cache_clear()
    assert type(converter.treeprocessors["inline"]) is not FastInlineProcessor
