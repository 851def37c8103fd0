"""Checks run inside a page by the browser tests: axe-core's accessibility rules and the
layout check (layout_check.js). Both run through the DevTools protocol, not as page
scripts, so the page's own Content-Security-Policy stays in force for everything else."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from playwright.sync_api import BrowserContext, Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LAYOUT_CHECK = Path(__file__).with_name("layout_check.js")


@cache
def _script(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[str]:
    """axe's WCAG 2.2 A and AA violations on the page as it is now, one line each. (A
    context that opens many pages installs axe once with ``install_axe``.)"""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_script(AXE))
    # resultTypes: axe still runs every rule and reports every violating node, but gathers
    # only one node of each passed, incomplete or inapplicable rule (about a third faster).
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})).violations"
        ".map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)",
        WCAG_TAGS,
    )
    return list(result)


def install_axe(context: BrowserContext) -> None:
    """axe in every page the context opens, from the start (sent to the browser once)."""
    context.add_init_script(path=AXE)


def layout_problems(page: Page) -> list[str]:
    """What the layout check finds on the page as it is now: sideways scrolling, an element
    or text running out of its box, a word broken in the middle in a table cell."""
    return list(page.evaluate(_script(LAYOUT_CHECK)))
