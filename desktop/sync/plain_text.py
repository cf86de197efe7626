"""Descriptions as text (S16): BigCommerce keeps HTML, Hike gets plain text.

``normalize_text`` is how plain text is compared and sent; ``html_to_text`` turns BigCommerce's HTML into the text
Hike gets; ``text_to_html`` turns Hike's text into simple HTML for BigCommerce, and
``html_to_text(text_to_html(t)) == normalize_text(t)``, so a description copied one way reads back unchanged.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

_WS = re.compile(r"\s+")
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "header", "footer", "aside", "nav", "main", "h1", "h2", "h3", "h4", "h5", "h6",
    "dl", "table", "thead", "tbody", "tfoot", "blockquote", "pre", "figure", "figcaption", "hr", "address", "form",
    "fieldset", "details", "summary", "center"})
_LINE_TAGS = frozenset({"tr", "dt", "dd", "caption"})
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript", "iframe", "object"})
_LINE_BREAK, _PARAGRAPH_BREAK = 1, 2  # break markers between blocks: consecutive ones merge into the largest


def normalize_text(text: str | None) -> str:
    """Plain text as it syncs: one space for any run of spaces, no spaces at line ends, at most one blank line
    between paragraphs, none at the start or end."""
    if not text:
        return ""
    lines = [_WS.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    gap = False
    for line in lines:
        if not line:
            gap = bool(out)
            continue
        if gap:
            out.append("")
            gap = False
        out.append(line)
    return "\n".join(out)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str | int] = []  # text, or a break marker
        self.skipping = 0
        self.lists: list[list[Any]] = []  # [tag, items so far]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag == "br":
            self.parts.append("\n")  # text, not a marker: two <br> make a blank line
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
            self.parts.append(_LINE_BREAK if len(self.lists) > 1 else _PARAGRAPH_BREAK)
        elif tag == "li":
            self.parts.append(_LINE_BREAK)
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                self.parts.append(f"{self.lists[-1][1]}. ")
            else:
                self.parts.append("- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARAGRAPH_BREAK)
        elif tag in _LINE_TAGS:
            self.parts.append(_LINE_BREAK)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif self.skipping:
            return
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.parts.append(_LINE_BREAK if self.lists else _PARAGRAPH_BREAK)
        elif tag == "li" or tag in _LINE_TAGS:
            self.parts.append(_LINE_BREAK)
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARAGRAPH_BREAK)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(_WS.sub(" ", data))

    def text(self) -> str:
        out: list[str] = []
        pending = 0
        for part in self.parts:
            if isinstance(part, int):
                pending = max(pending, part)
            elif pending and not part.strip():
                continue  # layout whitespace between blocks
            else:
                if pending:
                    out.append("\n" * pending)
                    pending = 0
                out.append(part)
        return normalize_text("".join(out))


_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>")


def looks_like_html(text: str) -> bool:
    """Whether a value shown to a person holds markup (a description's HTML), to be shown as its words."""
    return bool(_TAG.search(text))


def html_to_text(markup: str | None) -> str:
    """BigCommerce's HTML description as the plain text Hike gets (S16): paragraphs and headings separated by a
    blank line, ``<br>`` as a line break, list items as ``- item`` (``1. item`` when numbered) on their own
    lines, entities unescaped, scripts and styles dropped."""
    if not markup:
        return ""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    return parser.text()


def text_to_html(text: str | None) -> str:
    """Plain text as simple HTML: a ``<p>`` per paragraph, ``<br>`` per line break, everything escaped.
    ``html_to_text(text_to_html(t)) == normalize_text(t)``."""
    norm = normalize_text(text)
    if not norm:
        return ""
    return "\n".join("<p>" + "<br>\n".join(html.escape(line, quote=False) for line in para.split("\n")) + "</p>"
                     for para in norm.split("\n\n"))
