"""Every link, image, stylesheet and script of the built site resolves."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from sitekit.languages import LANGUAGE_CODES
from tests.support import SITEURL, Site

LINKING_ATTRIBUTES = (
    ("a", "href"),
    ("link", "href"),
    ("img", "src"),
    ("script", "src"),
)


LEFTOVERS = re.compile(r"\{(filename|static|attach|tag|category|author)\}|/\.\./|/\./")


def all_urls(site: Site):
    for page in site.pages:
        for tag, attribute in LINKING_ATTRIBUTES:
            for element in page.soup.find_all(tag, attrs={attribute: True}):
                yield page, element[attribute]


def test_the_site_has_a_home_page_in_every_language(site):
    languages = {
        page.lang for page in site.pages if page.relative.endswith("index.html")
    }
    assert languages == set(LANGUAGE_CODES)  # help-only languages too


def test_every_internal_url_resolves_to_a_file(site):
    missing = [
        f"{page.relative}: {url}"
        for page, url in all_urls(site)
        if (target := site.local_path(url, page)) is not None and not target.is_file()
    ]
    assert missing == []


def test_every_fragment_has_a_target(site):
    missing = []
    for page, url in all_urls(site):
        target = site.local_path(url, page)
        fragment = urldefrag(url)[1]
        if target is None or not fragment or not target.is_file():
            continue
        linked = next(p for p in site.pages if p.path == target)
        if linked.soup.find(id=fragment) is None:
            missing.append(f"{page.relative}: {url}")
    assert missing == []


def test_no_unresolved_placeholder_or_dot_segment_in_any_url(site):
    bad = [
        f"{page.relative}: {url}"
        for page, url in all_urls(site)
        if LEFTOVERS.search(url)
    ]
    assert bad == []


def test_no_unresolved_placeholder_in_any_text(site):
    bad = [
        page.relative for page in site.pages if "{filename}" in page.path.read_text()
    ]
    assert bad == []


def test_nothing_links_to_a_draft_or_hidden_copy(site):
    assert not (site.output / "drafts").exists()
    linked = {
        urlsplit(urljoin(page.url, url)).path
        for page, url in all_urls(site)
        if urljoin(page.url, url).startswith(SITEURL)
    }
    assert not [path for path in linked if "draft" in path]


def test_external_links_use_https(site):
    insecure = [
        f"{page.relative}: {url}"
        for page, url in all_urls(site)
        if url.startswith("http://")
    ]
    assert insecure == []


@pytest.mark.parametrize(
    "name", ["robots.txt", "sitemap.xml", "favicon.svg", "404.html"]
)
def test_root_files_exist(site, name):
    assert (site.output / name).is_file()
