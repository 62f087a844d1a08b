"""Reading ui/tiles.py's text tiles back in page tests (AppTest markdown) and browser tests (the page's DOM)."""

import html
import re

_TILE = re.compile(r'<div class="text-tile" data-label="([^"]*)">.*?<div class="text-tile-value"[^>]*>(.*?)</div>')


def text_tiles(at) -> dict[str, str]:
    """{label: value} of every text tile an AppTest run drew."""
    found = (_TILE.search(m.value) for m in at.markdown)
    return {html.unescape(f[1]): html.unescape(f[2].replace("<wbr>", "")) for f in found if f}


def browser_tile(page, label: str) -> str:
    """A text tile's value in a Playwright page."""
    return page.locator(f'.text-tile[data-label="{label}"] .text-tile-value').first.inner_text()
