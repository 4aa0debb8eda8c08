"""sitemap.xml lists every page of every language with its alternates; robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.support import SITEURL

NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}


def read_sitemap(site):
    root = ET.parse(site.output / "sitemap.xml").getroot()
    return {
        url.find("s:loc", NS).text: {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", NS)
        }
        for url in root.findall("s:url", NS)
    }


def test_every_page_is_in_the_sitemap_with_its_alternates(site):
    sitemap = read_sitemap(site)
    pages = [p for p in site.pages if not p.relative.endswith("404.html")]
    assert sorted(sitemap) == sorted(page.url for page in pages)
    for page in pages:
        in_page = {
            link["hreflang"]: link["href"]
            for link in page.soup.find_all("link", rel="alternate", hreflang=True)
        }
        assert sitemap[page.url] == in_page, page.relative


def test_404_pages_are_not_in_the_sitemap(site):
    assert not [url for url in read_sitemap(site) if "404" in url]


def test_robots_txt_points_at_the_sitemap(site):
    robots = (site.output / "robots.txt").read_text()
    assert f"Sitemap: {SITEURL}/sitemap.xml" in robots
    assert "User-agent: *" in robots
