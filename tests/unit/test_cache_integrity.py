"""Caches verify what they read: a flipped bit is a recompute, never a changed page.

One flipped bit in the old Markdown cache made 9 of 13 trial builds publish changed
pages (`tel:112` became `tel:113`); one in a compiled template made every build fail
until `invoke clean`. Here every byte of a cache file is flipped in turn (or 200
spread positions of a larger one) and what the cache serves must be exactly what was
stored, or nothing.
"""

from __future__ import annotations

import logging

from jinja2 import DictLoader, Environment

from sitekit.fast.markdown_cache import file_digest, load_cache, save_cache
from sitekit.fast.template_cache import SharedBytecodeCache

ENTRIES = {
    file_digest(b"one"): ('<p>Bel <a href="tel:112">112</a>.</p>', {"title": ["Hulp"]}),
    file_digest(b"two"): ("<h2>Politie</h2>\n<p>101</p>", {"lang": ["nl"]}),
    file_digest(b"three"): ("<p>Ünïcode — “quotes”</p>", {}),
}


def positions(size: int, sample: int = 200) -> list[int]:
    """Every position of a small file, else `sample` positions spread over it."""
    if size <= 2000:
        return list(range(size))
    return sorted({round(index * (size - 1) / (sample - 1)) for index in range(sample)})


def flipped(data: bytes, position: int) -> bytes:
    damaged = bytearray(data)
    damaged[position] ^= 1 << (position % 8)  # a different bit at each position
    return bytes(damaged)


def test_a_flipped_bit_in_the_markdown_cache_is_never_served(tmp_path, caplog):
    path = tmp_path / "markdown-cache.json"
    save_cache(path, "print", ENTRIES)
    data = path.read_bytes()
    outcomes = {"whole": 0, "entries dropped": 0, "rebuilt": 0}
    caplog.set_level(logging.WARNING, logger="sitekit.cache")
    for position in positions(len(data)):
        path.write_bytes(flipped(data, position))
        caplog.clear()
        served = load_cache(path, "print")
        for digest, parsed in served.items():
            assert ENTRIES.get(digest) == parsed, f"byte {position}: a changed entry"
        if served == ENTRIES:
            outcomes["whole"] += 1
        else:
            outcomes["rebuilt" if not served else "entries dropped"] += 1
            # Part of the cache dropped is said; all of it may be a key's change.
            assert caplog.records or not served, f"byte {position}: not said"
    assert sum(outcomes.values()) == len(data) > 300
    assert outcomes["entries dropped"] and outcomes["rebuilt"], outcomes


def render(cache_folder) -> str:
    environment = Environment(
        loader=DictLoader(
            {
                "page.html": "{% for n in numbers %}<a href='tel:{{ n }}'>"
                "{{ n|string|upper }}</a>{% endfor %}{% if x %}{{ x.y }}{% endif %}"
            }
        ),
        bytecode_cache=SharedBytecodeCache(cache_folder),
    )
    return environment.get_template("page.html").render(numbers=[112, 101])


def test_a_flipped_bit_in_a_compiled_template_is_compiled_again(tmp_path, caplog):
    folder = tmp_path / "templates"
    expected = render(folder)
    (compiled,) = folder.iterdir()
    data = compiled.read_bytes()
    caplog.set_level(logging.WARNING, logger="sitekit.cache")
    for position in positions(len(data)):
        compiled.write_bytes(flipped(data, position))
        caplog.clear()
        assert render(folder) == expected, f"byte {position}"
        assert caplog.records, f"byte {position}: no warning"
        compiled.write_bytes(data)
    assert render(folder) == expected and not caplog.records[1:]
