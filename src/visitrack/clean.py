"""Turn a raw scraped document into clean paragraphs split into stories.

The cascade, one document at a time:

1. pick the reader by format: Reuters SGML, an HTML page (trafilatura, then lxml, then a
   tag-stripping fallback so a broken page never raises), or text with optional YAML front
   matter, markdown and embedded HTML fragments. trafilatura's text is checked against the
   page itself: the JSON-LD ``articleBody`` and the article block (the smallest element around
   the headline holding prose, else the densest prose block) replace it when it lacks most of
   their prose (table layouts, script-rendered pages), paragraphs it dropped beside kept ones
   are put back, teaser cards outside the article are taken out, a block dating several items
   whose dates it dropped (feeds, digests; ``<time datetime>`` stamps spelt out) is read
   instead, and a text export whose prose sits between HTML fragments goes to the text reader;
2. tidy each line (entities, control characters, markdown decoration, template junk);
3. build paragraphs, joining hard-wrapped lines (Reuters, White House readouts);
4. drop boilerplate: icon and menu runs, cookie/donation appeals, "Read also"/"Top stories"
   blocks with the headline lists after them, copyright lines, player timestamps, repeats;
5. pull out publication-date stamps (lines of their own, or a date opening a paragraph:
   "12 March 2025 — ...") and split the page into stories where a new stamp follows body
   text (a new day, or a new time of the same day with its own headline), each story
   starting at the headline just before its stamp and dated by it.

It is conservative: a line is dropped only when it matches a boilerplate shape, because a lost
article sentence costs more downstream than a stray menu word.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from visitrack.pubdate import (
    copyright_year,
    find_published,
    is_yearless_marker,
    parse_date_marker,
    parse_date_value,
    split_front_matter,
)
from visitrack.records import CleanDocument, RawDocument, Story

__all__ = ["clean"]

# --- thresholds -------------------------------------------------------------------------------

# A line counts as an icon run when it holds at least this many "...icon" tokens and they make
# up this share of its words (the RT page header has ~50 of ~60; prose never has 3).
ICON_MIN_TOKENS = 3
ICON_MIN_SHARE = 0.3

# Menu runs: this many consecutive short, unpunctuated lines with no blank line between them are
# navigation. 4 drops the TASS/RT menus and podcast lists in shared/seeds while a headline plus
# a one-line standfirst (2 lines) survives.
MENU_RUN_MIN = 4
# "Short" for menu items and list headlines: word count at most this (TASS menu items <= 4).
NAV_MAX_WORDS = 5

# A paragraph is article prose (ends a related-headlines block, counts as story body) when it
# has at least this many words and ends like a sentence. 8 separates the shortest gold body
# sentences from "Kim Jong-un expects Russia to help ease sanctions" style headlines.
SENTENCE_MIN_WORDS = 8

# Headline-like: short and without a final full stop (headlines of the gold pages are <= 25
# words; longer unpunctuated lines are usually captions or bullet standfirsts).
HEADLINE_MAX_WORDS = 25

# How many headline-like paragraphs before a date stamp may belong to the new story
# (headline, optional standfirst/caption).
HEADLINE_LOOKBACK = 2

# Appeals and copyright lines longer than this are kept: an article paragraph may mention a
# privacy policy, a banner never runs that long (longest Moscow Times appeal line: ~270).
APPEAL_MAX_CHARS = 320
COPYRIGHT_MAX_CHARS = 200
# A trailing "© Agency/Photographer" credit is cut from a caption when at most this long.
CREDIT_MAX_CHARS = 80

# Hard wrap: at least this many long lines, and this share of them no longer than
# WRAP_MAX_LINE; the Reuters and White House texts wrap at 65-75 chars, scraped paragraphs
# run to hundreds.
WRAP_MIN_LINES = 4
WRAP_MAX_LINE = 90
WRAP_MIN_SHARE = 0.85
WRAP_LONG_LINE = 40
# ...and at least this share of long lines must continue in lower case on the next line (the
# White House readouts in shared/gold: 0.35-0.6; scraped one-paragraph-per-line pages: < 0.05).
WRAP_MIN_CONTINUED = 0.2

# Embedded HTML in a text body (WordPress exports): this many block tags mean "parse as HTML".
HTML_FRAGMENT_MIN_TAGS = 2

# A markdown line with this many links and at most this much text outside them is a link bar
# (the Wikinews "Formats: [HTML](..) [JSON](..)" row); a sentence with one link is prose.
NAV_MIN_LINKS = 2
NAV_MAX_OUTSIDE_CHARS = 12

# HTML pages: the extractor's text is checked against the page's article block (and the
# JSON-LD articleBody); when it lacks more than this share of that prose, and what it lacks
# outweighs half of the prose it has, the block is read instead. Below the share, the missing
# prose lines are put back in page order...
MISSING_SHARE = 0.5
# ...and only when the missing prose is at least this share of the block: a stray promo line
# inside a long article ("Chat with us in Facebook Messenger.") is the extractor's good call.
MERGE_MIN_SHARE = 0.2
# A block's own text counts towards the density score from this many characters (a dateline
# or caption is shorter; the shortest article paragraphs of the gold pages are longer).
DENSE_MIN_BLOCK_CHARS = 40
# The article block is the smallest element around the headline with this much prose (two
# short paragraphs); headlines shorter than HEADLINE_MIN_CHARS (letters and digits) are not
# looked for.
ARTICLE_MIN_PROSE = 150
HEADLINE_MIN_CHARS = 15

# A date stamp opening a paragraph ("12 March 2025 — The minister ...") is at most this long.
LEAD_STAMP_MAX_CHARS = 60

# A <time datetime> is a stamp when its block holds at most this many other words ("Posted").
TIME_MAX_NEIGHBOUR_WORDS = 3
# A page block holding stamps of at least this many distinct days is a dated list of items.
DIGEST_MIN_DATES = 2

# Teaser cards: an element repeated at least CARD_MIN_REPEAT times among its siblings (same tag
# and class), each with a link of CARD_LINK_MIN_WORDS words or more, found at most
# CARD_MAX_DEPTH levels above the summary; summaries are located by their first characters.
CARD_MIN_REPEAT = 3
CARD_LINK_MIN_WORDS = 3
CARD_MAX_DEPTH = 3
CARD_PREFIX_CHARS = 20

# --- patterns ---------------------------------------------------------------------------------

_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$|[\"”’]$")
_WORD = re.compile(r"\S+")
_ICON_TOKEN = re.compile(r"icon$", re.I)
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2060\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2009\u202f]+")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
_MD_HEADER = re.compile(r"^\s*\\?#{1,6}\s*")
_MD_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_ITALIC = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_MD_ESCAPE = re.compile(r"\\([#*_\[\]`>\\-])")
_RULE = re.compile(r"^\s*(?:[-*_=~]\s*){3,}$")
_BULLET = re.compile(r"^\s*(?:[•·▪►◦‣]|[-*+](?=\s))\s*")
_AD_MARK = re.compile(r"\[ad_\d+\]", re.I)
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s")
_TIMESTAMP = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?$")
_URL_ONLY = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
_HAS_LETTER = re.compile(r"[^\W\d_]")
_BREADCRUMB = re.compile(r"^Home(?=[A-Z\s>/»|›])")
_COPYRIGHT_LINE = re.compile(r"^(?:©|\(c\)\s|copyright\b|all rights reserved)", re.I)
_CREDIT_TAIL = re.compile(r"\s*©[^©]*$")
_CRAWL_FOOTER = re.compile(r"^(?:crawled at|source:|originally published|this article was)", re.I)
_APPEAL = re.compile(
    r"this (?:web)?site uses cookies|we use cookies|accept (?:all )?cookies|cookie (?:policy|"
    r"settings|preferences)|privacy policy|all rights reserved|subscribe (?:to|now)|sign up "
    r"(?:for|to)|newsletter|support us|support our|remind me|your support|we need your help|"
    r"make a (?:donation|contribution)|donate|become a (?:member|subscriber|patron)|"
    r"already a subscriber|log in to|create an account|terms of (?:use|service)",
    re.I,
)
# Lines that open a donation appeal; everything after them up to the next story is the appeal.
_APPEAL_START = re.compile(r"^(?:dear reader|dear readers|message from (?:the )?[\w .]+:$)", re.I)

# Lines that are interface chrome on their own (compared lower-cased, trailing ':' removed).
_CHROME = frozenset(
    """share|follow|short url|tweet|email|e-mail|print|comments|comment|show more|load more|
    more news|loading|advertisement|ad|continued|close|menu|search|sign in|log in|subscribe|
    all news|news feed|sections|source|photo|video|scroll down for video|skip to content|
    back to top|all podcasts|listen|play|pause|copy link|copied|whatsapp|facebook|twitter|
    telegram|linkedin|reddit|x|vk|share this article|share on facebook|share on twitter|
    details to follow|use filter|go to search|now|today|this week|top|next|previous|home|
    @highlight|text size|font size|a a a|×|read more|more|view comments|save|bookmark|
    listen to this article|1 pages in this article|select the city|currency converter|
    continue reading|read the full story|full story|leer más|lire la suite|weiterlesen|
    leia mais""".replace("\n", "").split("|")
)
_CHROME_NORMALISED = frozenset(c.strip() for c in _CHROME)

# Headings that open a list of other stories' headlines.
_SECTION_HEADINGS = frozenset(
    """read also|also read|read more|related|related stories|related articles|related news|
    related content|related topics|top stories|most read|most popular|most viewed|popular|
    trending|recommended|you may also like|you might also like|more from|more stories|
    latest news|see also|sources|changes|rt features|podcasts|infographics|
    partner news|in other media|topics|tags|source|more on this topic|editor's picks|
    editors' picks|what to read next|other news|from the web|promoted stories""".replace(
        "\n", ""
    ).split("|")
)
_SECTION_HEADINGS_NORMALISED = frozenset(s.strip() for s in _SECTION_HEADINGS)

_REUTERS_TAG = re.compile(r"<REUTERS\b", re.I)
_REUTERS_PART = {
    name: re.compile(rf"<{name}>(.*?)</{name}>", re.I | re.S)
    for name in ("TITLE", "DATELINE", "BODY", "DATE")
}
_REUTERS_SIGNOFF = re.compile(r"^\s*reuter\s*$", re.I)
_HTML_PAGE = re.compile(r"\A\s*(?:<!doctype html|<html\b|<\?xml[^>]*>\s*<html\b)", re.I)
_HTML_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|table|blockquote|section|article|header|footer)\b[^>]*>",
    re.I,
)
_HTML_DROP = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_HTML_TAG = re.compile(r"<[^>]{0,2000}>")
# Characters XML forbids: lxml keeps them in parsed text but refuses them when it is written
# back (ValueError), and trafilatura gives up on them. They carry no text.
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LEADING_DATE_HEADER = re.compile(r"\A\s*date\s+(?:19|20)\d{2}-\d{2}-\d{2}[ \t]*")
_LEAD_SEPARATOR = re.compile(r"\s*(?:[—–|]|--|\s-|:)\s+")
_DATE_DIGIT = re.compile(r"\d")
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# A feed summary's link to the story ("... Biden was late. Read more").
_READ_MORE_TAIL = re.compile(
    r"(?<=[.!?…\"”’])\s+(?:read more|read the full story|continue reading|full story|"
    r"leer más|lire la suite|weiterlesen|leia mais|читать далее)\s*[»›→…]*\s*$",
    re.I,
)
_CLOCK = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?::\d{2})?")
_SENTENCE_END = re.compile(r"(?<=[a-z0-9%][.!?])\s+(?=[A-Z\"“‘'])")
_INNER_STOP = re.compile(r"[a-z][.!?][\"'”’)]*\s+[A-Z]")
_NON_ALNUM = re.compile(r"[\W_]+")
_SOURCE_SPACE = re.compile(r"[ \t\n\r\f\v\u00a0\u2009\u202f]+")
_BLOCK_BREAK = "\u2029"  # marks block ends while a page element's text is read
# Page blocks for the density check, and the chrome it never reads.
_BLOCK_TAGS = frozenset(
    {"p", "div", "td", "th", "li", "dd", "dt", "blockquote", "section", "article", "main"}
    | {"pre", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tr", "tbody", "figure"}
    | {"figcaption"}
)
_CHROME_XPATH = (
    "//script|//style|//noscript|//nav|//footer|//header|//form|//aside|//button|//select"
    "|//iframe|//svg|//template"
)
_CHROME_ATTR = re.compile(
    r"cookie|consent|gdpr|(?<![a-z])nav|menu|breadcrumb|share|social|newsletter|"
    r"comment(?!ary)|related|promo|advert|sponsor|ticker|masthead|subscribe|signup|"
    r"(?<![a-z])ads?(?![a-z])",
    re.I,
)


# --- paragraphs -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Para:
    """A candidate paragraph; ``new_block`` is True when a blank line (or heading) preceded it."""

    text: str
    new_block: bool = True
    heading: bool = False


@dataclass(slots=True)
class _Extracted:
    lines: list[str]
    title: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    wrapped: bool | None = None  # None: detect from the lines
    markdown: bool = False


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _is_sentence(text: str) -> bool:
    return _words(text) >= SENTENCE_MIN_WORDS and bool(_TERMINAL.search(text))


def _is_headline(text: str) -> bool:
    n = _words(text)
    return 0 < n <= HEADLINE_MAX_WORDS and not text.rstrip().endswith(".")


def _is_nav(text: str) -> bool:
    n = _words(text)
    return n <= 2 or (n <= NAV_MAX_WORDS and not _TERMINAL.search(text))


def _norm_key(text: str) -> str:
    return " ".join(text.lower().split())


def _chrome_key(text: str) -> str:
    return _norm_key(text).strip(" :|•·»›>-")


# --- readers ----------------------------------------------------------------------------------


def _unescape(text: str) -> str:
    # Twice: scraped exports often double-escape ("&amp;#x27;").
    return html.unescape(html.unescape(text)) if "&" in text else text


def _read_reuters(content: str) -> _Extracted:
    def part(name: str) -> str:
        m = _REUTERS_PART[name].search(content)
        return _unescape(m.group(1)) if m else ""

    title = " ".join(part("TITLE").split()) or None
    dateline = " ".join(part("DATELINE").split())
    body_lines = [ln for ln in part("BODY").splitlines() if not _REUTERS_SIGNOFF.match(ln)]
    if dateline and body_lines:
        # The dateline names the city the story is filed from, which later stages use.
        body_lines[0] = f"    {dateline} {body_lines[0].strip()}"
    lines = ([title, ""] if title else []) + body_lines
    metadata = {"date": part("DATE").strip()} if _REUTERS_PART["DATE"].search(content) else {}
    return _Extracted(lines, title=title, metadata=metadata, wrapped=True)


def _strip_tags(fragment: str) -> list[str]:
    """Tag-stripping fallback: block tags become paragraph breaks, other tags vanish."""
    text = _HTML_DROP.sub(" ", fragment)
    text = _HTML_BLOCK_TAG.sub("\n\n", text)
    text = _HTML_TAG.sub(" ", text)
    return [_SPACES.sub(" ", ln).strip() for ln in _unescape(text).splitlines()]


def _lxml_lines(page: str) -> list[str] | None:
    try:
        import lxml.html  # type: ignore[import-untyped]
        from lxml import etree

        root = lxml.html.document_fromstring(page)
    except (ValueError, etree.ParserError, etree.XMLSyntaxError):
        return None
    for bad in root.xpath("//script|//style|//noscript|//nav|//footer|//header|//form"):
        bad.drop_tree()
    body = root.find("body")
    target = body if body is not None else root
    for el in target.iter():
        if isinstance(el.tag, str) and el.tag.lower() in {"p", "div", "br", "li", "h1", "h2", "h3"}:
            el.tail = "\n\n" + (el.tail or "")
    text = target.text_content()
    lines = [_SPACES.sub(" ", ln).strip() for ln in text.splitlines()]
    return lines if any(lines) else None


def _parse_page(content: str) -> Any | None:
    try:
        import lxml.html
        from lxml import etree

        return lxml.html.document_fromstring(content)
    except (ValueError, etree.ParserError, etree.XMLSyntaxError):
        return None


def _ld_objects(data: object) -> Iterator[dict[str, Any]]:
    """Every JSON object of a JSON-LD block, ``@graph`` members and nested lists included."""
    if isinstance(data, list):
        for item in data:
            yield from _ld_objects(item)
    elif isinstance(data, dict):
        yield data
        yield from _ld_objects(data.get("@graph"))


def _json_ld_article(root: Any) -> tuple[str | None, str | None, str | None]:
    """(articleBody, headline, datePublished) of the page's JSON-LD article, if any."""
    best: tuple[str | None, str | None, str | None] = (None, None, None)
    for script in root.xpath("//script[@type='application/ld+json']"):
        raw = script.text or ""
        if "articleBody" not in raw and "datePublished" not in raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        for obj in _ld_objects(data):
            body, head, day = (obj.get(k) for k in ("articleBody", "headline", "datePublished"))
            body = body if isinstance(body, str) and body.strip() else None
            head = head if isinstance(head, str) else None
            day = day if isinstance(day, str) else None
            if body and len(body) > len(best[0] or ""):
                best = (body, head or best[1], day or best[2])
            elif best == (None, None, None) and day:
                best = (None, head, day)
    return best


def _own_text(el: Any) -> tuple[int, int]:
    """(characters, characters inside links) of an element's text outside nested blocks."""
    total = len((el.text or "").strip())
    linked = total if el.tag == "a" else 0
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _BLOCK_TAGS:
            t, ln = _own_text(child)
            total += t
            linked += t if child.tag == "a" else ln
        total += len((child.tail or "").strip())
    return total, linked


def _prose(el: Any) -> int:
    """Unlinked characters in the blocks of ``el`` whose own text is long enough to be prose."""
    total = 0
    for sub in el.iter(*_BLOCK_TAGS):
        chars, linked = _own_text(sub)
        if chars - linked >= DENSE_MIN_BLOCK_CHARS:
            total += chars - linked
    return total


def _headline_block(body: Any, title: str | None) -> Any | None:
    """The smallest element around the page's headline that holds article prose."""
    if not title:
        return None
    key = _alnum(title)
    if len(key) < HEADLINE_MIN_CHARS:
        return None
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag in ("a", "title", "script", "style"):
            continue
        own = _alnum(el.text or "")
        if not own or not key.startswith(own[:HEADLINE_MIN_CHARS]):
            continue
        text = _alnum(el.text_content())
        if text != key and not (key.startswith(text) and len(text) >= HEADLINE_MIN_CHARS):
            continue
        if any(anc.tag == "a" for anc in el.iterancestors()):
            continue
        for anc in el.iterancestors():
            if anc.tag in ("body", "html"):
                return None
            if _prose(anc) >= ARTICLE_MIN_PROSE:
                return anc
    return None


def _dense_block(body: Any) -> Any | None:
    """The element holding the page's densest run of prose (a readability-style score).

    Each block's own unlinked text scores for its parent, half for its grandparent.
    """
    scores: dict[Any, float] = {}
    for el in body.iter(*_BLOCK_TAGS):
        total, linked = _own_text(el)
        prose = total - linked
        if prose < DENSE_MIN_BLOCK_CHARS:
            continue
        parent = el.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + prose
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + prose / 2
    if not scores:
        return None
    return max(scores, key=lambda el: scores[el])


def _drop_chrome(el: Any) -> None:
    """Remove navigation, footers, cookie banners, share and comment widgets, related lists."""
    for bad in el.xpath("." + _CHROME_XPATH.replace("|//", "|.//")):
        if bad.getparent() is not None:
            bad.drop_tree()
    for sub in list(el.iter()):
        if (
            isinstance(sub.tag, str)
            and sub is not el
            and _CHROME_ATTR.search(f"{sub.get('class', '')} {sub.get('id', '')}")
            and sub.getparent() is not None
        ):
            sub.drop_tree()


def _article_block(root: Any, title: str | None) -> tuple[Any | None, bool]:
    """The page's article element (around the headline, else the densest prose block), and
    whether it was found around the headline."""
    body = root.find("body")
    if body is None:
        return None, False
    block = _headline_block(body, title)
    if block is None:
        _drop_chrome(body)
        return _dense_block(body), False
    _drop_chrome(block)
    return block, True


def _card(el: Any) -> Any | None:
    """The teaser card holding ``el``: an element repeated beside siblings of its kind, each
    with a linked headline ("More news": headline link plus a one-paragraph summary)."""
    for anc in itertools.chain([el], itertools.islice(el.iterancestors(), CARD_MAX_DEPTH)):
        parent = anc.getparent()
        if parent is None:
            return None
        kin = [c for c in parent if c.tag == anc.tag and c.get("class") == anc.get("class")]
        if len(kin) < CARD_MIN_REPEAT:
            continue
        linked = sum(
            1
            for c in kin
            if any(_words(a.text_content()) >= CARD_LINK_MIN_WORDS for a in c.iter("a"))
        )
        if linked == len(kin):
            return anc
    return None


def _teaser_keys(root: Any, block: Any, extracted: str) -> set[str]:
    """Keys of the extracted lines that come from teaser cards outside the article block."""
    inside = _alnum("\n".join(_element_lines(block)))
    targets = {
        key
        for ln in extracted.splitlines()
        if _is_sentence(ln) and (key := _alnum(ln)) and key not in inside
    }
    if not targets:
        return set()
    prefixes = {t[:CARD_PREFIX_CHARS] for t in targets}
    keys: set[str] = set()
    for el in root.iter():
        if not isinstance(el.tag, str) or not el.text:
            continue
        own = _alnum(el.text)
        if len(own) < CARD_PREFIX_CHARS or own[:CARD_PREFIX_CHARS] not in prefixes:
            continue
        if _alnum(el.text_content()) not in targets:
            continue
        card = _card(el)
        if card is not None and block not in card.iterancestors() and card is not block:
            keys.update(k for ln in _element_lines(card) if (k := _alnum(ln)) and k not in inside)
    return keys


def _element_lines(el: Any) -> list[str]:
    """The text of ``el``, one line per block (source line breaks inside a block are spaces)."""
    for sub in el.iter():
        if isinstance(sub.tag, str) and sub.tag in _BLOCK_TAGS | {"br"}:
            sub.tail = _BLOCK_BREAK + (sub.tail or "")
    text = _SOURCE_SPACE.sub(" ", el.text_content())
    return [ln.strip() for ln in text.replace(_BLOCK_BREAK, "\n").splitlines()]


def _alnum(text: str) -> str:
    return _NON_ALNUM.sub("", text.lower())


def _missing_prose(candidate: list[str], extracted: str, *, loose: bool = False) -> tuple[int, int]:
    """(prose characters of ``candidate``, of those the ones ``extracted`` lacks).

    ``loose`` also counts long lines with a sentence end inside (a summary followed by a
    "Read more" link).
    """
    have = _alnum(extracted)
    total = missing = 0
    for line in candidate:
        if _is_sentence(line) or (
            loose and _words(line) >= SENTENCE_MIN_WORDS and _INNER_STOP.search(line)
        ):
            total += len(line)
            # Sentence by sentence: a paragraph the extractor split or joined differently, or
            # with a caption in between, is still there.
            missing += sum(
                len(sent) for sent in _SENTENCE_END.split(line) if _alnum(sent) not in have
            )
    return total, missing


def _read_html(content: str) -> _Extracted:
    content = _XML_INVALID.sub("", content)
    title: str | None = None
    metadata: dict[str, str] = {}
    text: str | None = None
    try:
        import trafilatura

        result = trafilatura.bare_extraction(
            content,
            with_metadata=True,
            favor_precision=True,
            include_comments=False,
            include_tables=False,
        )
    except Exception:  # trafilatura raises assorted errors on odd pages; fall back, never crash
        result = None
    if result is not None:
        data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
        text = data.get("text") or None
        title = data.get("title") or None
        if data.get("date"):
            metadata["date"] = str(data["date"])
    root = _parse_page(content)
    if root is None:
        lines = text.splitlines() if text else _strip_tags(content)
        return _Extracted(lines, title=title, metadata=metadata, wrapped=False)
    ld_body, ld_title, ld_date = _json_ld_article(root)
    if ld_date and "date" not in metadata:
        metadata["datepublished"] = ld_date
    title = title or ld_title
    extracted = text or ""
    if ld_body:
        ld_lines = (
            _strip_tags(ld_body)
            if _HTML_BLOCK_TAG.search(ld_body)
            else [_SPACES.sub(" ", ln).strip() for ln in _unescape(ld_body).splitlines()]
        )
        total, missing = _missing_prose(ld_lines, extracted)
        if total and missing > total * MISSING_SHARE and missing > _prose_chars(extracted) / 2:
            # The article is in the page's structured data only (rendered by script) or the
            # extractor took another block: the publisher's own article text wins.
            return _Extracted(ld_lines, title=title, metadata=metadata, wrapped=False)
    _spell_out_times(root)
    dense, anchored = _article_block(root, title)
    if dense is not None:
        dense_lines = _element_lines(dense)
        if _is_dated_list(dense_lines, extracted):
            # A digest or feed page whose items' dates the extractor dropped (they sit in
            # "meta" blocks): the block keeps one stamp per item, so each item is a story.
            return _Extracted(dense_lines, title=title, metadata=metadata, wrapped=False)
        total, missing = _missing_prose(dense_lines, extracted)
        if total and missing > total * MISSING_SHARE and missing > _prose_chars(extracted) / 2:
            # The extractor missed the page's main prose (a table layout, a body in a block
            # whose class looks like chrome): read the article block instead.
            return _Extracted(dense_lines, title=title, metadata=metadata, wrapped=False)
        recovered = _recoverable(dense_lines, extracted)
        if total and sum(len(ln) for ln in recovered) >= total * MERGE_MIN_SHARE:
            text = extracted = _merge_missing(dense_lines, recovered, extracted)
        if anchored and text:
            # Summaries of other stories ("More news" cards) beside the article are not its text.
            teasers = _teaser_keys(root, dense, text)
            if teasers:
                text = "\n".join(ln for ln in text.splitlines() if _alnum(ln) not in teasers)
    elif not _HTML_PAGE.match(content[:500]):
        # No prose block in the markup: a text export with HTML fragments (a feed digest in
        # markdown whose summaries sit between the tags). The text reader sees all of it.
        fallback = _read_text(content, html_fragments=True)
        total, missing = _missing_prose(fallback.lines, extracted, loose=True)
        if total and missing > total * MISSING_SHARE and missing > _prose_chars(extracted) / 2:
            fallback.metadata = {**metadata, **fallback.metadata}
            return fallback
    lines = text.splitlines() if text else (_lxml_lines(content) or _strip_tags(content))
    return _Extracted(lines, title=title, metadata=metadata, wrapped=False)


def _spell_out_times(root: Any) -> None:
    """Give a ``<time datetime>`` that stands alone in its block its full date as text.

    Feed and digest items often show "Monday" or "3 hours ago" and keep the date in the
    attribute; spelt out, the stamp dates its item. A time inside a sentence is left alone.
    """
    for el in root.iter("time"):
        day = parse_date_value(el.get("datetime") or "")
        shown = " ".join(el.text_content().split())
        if day is None or parse_date_marker(shown) is not None:
            continue
        block = next((a for a in el.iterancestors() if a.tag in _BLOCK_TAGS), None)
        if block is None:
            continue
        around = " ".join(block.text_content().split()).replace(shown, " ", 1)
        if _words(around) > TIME_MAX_NEIGHBOUR_WORDS:
            continue
        for child in list(el):
            el.remove(child)
        el.text = f"{day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


def _is_dated_list(block: list[str], extracted: str) -> bool:
    """Whether ``block`` dates several items the extractor's text left undated.

    It must hold stamps of at least DIGEST_MIN_DATES distinct days, more than ``extracted``
    shows, and most of the extracted prose (so it is the same content, not a rail beside it).
    """
    block_days: set[date] = set()
    first: date | None = None
    prose_seen = False
    for ln in block:
        day = parse_date_marker(ln)
        if day is None:
            prose_seen = prose_seen or _is_sentence(ln)
        elif first is None:
            first = day
            block_days.add(day)
        elif prose_seen:
            # Only a new date after prose opens an item ("Published ... Updated ..." above an
            # article's body does not).
            block_days.add(day)
    if len(block_days) < DIGEST_MIN_DATES:
        return False
    shown = {d for ln in extracted.splitlines() if (d := parse_date_marker(ln)) is not None}
    if len(shown) >= len(block_days):
        return False
    total, missing = _missing_prose(extracted.splitlines(), "\n".join(block))
    return total > 0 and missing <= total * MISSING_SHARE


def _prose_chars(text: str) -> int:
    return sum(len(ln) for ln in text.splitlines() if _is_sentence(ln))


def _recoverable(candidate: list[str], extracted: str) -> set[str]:
    """Prose lines of ``candidate`` missing from ``extracted`` next to prose it kept.

    A missing paragraph between or beside kept article paragraphs was dropped by mistake; one
    among menus and puzzles ("Get ready for a challenging Sudoku puzzle!") was not.
    """
    have = _alnum(extracted)
    lines = [ln for ln in candidate if _alnum(ln)]
    state = [
        ("kept" if _alnum(ln) in have else "missing") if _is_sentence(ln) else "other"
        for ln in lines
    ]
    out: set[str] = set()
    for step in (1, -1):
        touching = False
        for i in range(len(lines))[::step]:
            if state[i] == "missing" and touching:
                out.add(lines[i])
            else:
                touching = state[i] == "kept"
    return out


def _merge_missing(candidate: list[str], recovered: set[str], extracted: str) -> str:
    """``extracted`` with the ``recovered`` lines of ``candidate`` put back in page order."""
    out = extracted.splitlines()
    keys = [_alnum(ln) for ln in out]
    pending: list[str] = []
    insert_at = 0
    for line in candidate:
        key = _alnum(line)
        if line in recovered:
            pending.append(line)
            continue
        if not _is_sentence(line):
            continue
        pos = next((i for i, k in enumerate(keys) if key in k), None)
        if pos is not None:
            out[pos:pos] = pending
            keys[pos:pos] = [_alnum(p) for p in pending]
            insert_at = pos + len(pending) + 1
            pending = []
    out[insert_at:insert_at] = pending
    return "\n".join(out)


_MD_BLOCK_START = re.compile(r"^\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\||```)")


def _join_markdown_paragraphs(lines: list[str]) -> list[str]:
    """Markdown lines joined into their paragraphs: a line continues the one before unless a
    blank line, a heading, a list item, a quote or a table row starts a new block (an
    indented line under a list item continues the item)."""
    out: list[str] = []
    continuing = False
    for line in lines:
        if not line.strip():
            out.append(line)
            continuing = False
            continue
        if continuing and not _MD_BLOCK_START.match(line):
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        else:
            out.append(line)
        continuing = not line.lstrip().startswith("#")
    return out


def _read_text(content: str, *, html_fragments: bool = False) -> _Extracted:
    fields, body_start = split_front_matter(content)
    body = content[body_start:]
    body = _LEADING_DATE_HEADER.sub("", body, count=1)
    markdown = bool(fields) or "](" in body or bool(re.search(r"^#{1,6} ", body, re.M))
    if html_fragments or len(_HTML_BLOCK_TAG.findall(body, 0, 20000)) >= HTML_FRAGMENT_MIN_TAGS:
        lines = _strip_tags(body)
        wrapped: bool | None = None if markdown else False
    else:
        if markdown:
            # figures and other inline HTML in a markdown export: markup, not text
            body = _HTML_TAG.sub(" ", _HTML_DROP.sub(" ", body))
        lines = body.splitlines()
        # In markdown a single line break inside a paragraph is a space (converters such as
        # pandoc wrap at 72 columns), and links run across it: paragraphs are joined before
        # the lines are tidied. Elsewhere wrapping is detected from the lines.
        if markdown:
            lines = _join_markdown_paragraphs(lines)
        wrapped = False if markdown else None
    title = fields.get("title") or fields.get("post_title") or None
    if title:
        title = " ".join(_unescape(title).split())
    return _Extracted(lines, title=title, metadata=fields, wrapped=wrapped, markdown=markdown)


# --- line tidying -----------------------------------------------------------------------------


def _tidy(line: str, markdown: bool) -> tuple[str, bool]:
    """Clean one line; returns the text and whether it was a markdown heading."""
    line = _unescape(line)
    line = _CONTROL.sub("", line)
    line = _TEMPLATE.sub(" ", line)
    line = _AD_MARK.sub(" ", line)
    heading = False
    if _RULE.match(line):
        return "", False
    if markdown or "](" in line:
        line = _MD_IMAGE.sub(" ", line)
        links = _MD_LINK.findall(line)
        outside = _MD_LINK.sub("", line)
        if len(links) >= NAV_MIN_LINKS and len(outside.strip(" |:-·")) <= NAV_MAX_OUTSIDE_CHARS:
            return "", False  # a row of links ("Formats: [HTML] [JSON]") is navigation
        line = _MD_LINK.sub(r"\1", line)
    if markdown:
        stripped = _MD_HEADER.sub("", line)
        heading = stripped != line
        line = _MD_BOLD.sub(r"\2", stripped)
        line = _MD_ITALIC.sub(r"\2", line)
        line = _MD_ESCAPE.sub(r"\1", line)
    line = _BULLET.sub("", line, count=1) if _BULLET.match(line) else line
    line = _SPACES.sub(" ", unicodedata.normalize("NFC", line)).strip()
    return line, heading


def _is_wrapped(lines: list[str]) -> bool:
    stripped = [ln.strip() for ln in lines]
    long_idx = [i for i, ln in enumerate(stripped) if len(ln) >= WRAP_LONG_LINE]
    if len(long_idx) < WRAP_MIN_LINES:
        return False
    short = sum(1 for i in long_idx if len(stripped[i]) <= WRAP_MAX_LINE)
    if short / len(long_idx) < WRAP_MIN_SHARE:
        return False
    # Hard-wrapped prose breaks mid-sentence: many lines continue in lower case on the next one,
    # which a list of short headlines or one-sentence paragraphs never does.
    continued = sum(
        1
        for i in long_idx
        if i + 1 < len(stripped)
        and stripped[i + 1][:1].islower()
        and not _TERMINAL.search(stripped[i])
    )
    return continued / len(long_idx) >= WRAP_MIN_CONTINUED


def _paragraphs(ex: _Extracted) -> list[_Para]:
    wrapped = ex.wrapped if ex.wrapped is not None else _is_wrapped(ex.lines)
    paras: list[_Para] = []
    blank = True
    joinable = False
    for raw in ex.lines:
        indented = raw.startswith(("  ", "\t"))
        text, heading = _tidy(raw, ex.markdown)
        if not text:
            blank = True
            joinable = False
            continue
        if text.lower() == "@highlight":
            blank, joinable = True, False
            continue
        list_item = bool(_BULLET.match(raw) or _NUMBERED.match(raw))
        if wrapped and joinable and not indented and not heading and not list_item and paras:
            paras[-1].text = f"{paras[-1].text} {text}"
        else:
            paras.append(_Para(text, new_block=blank or heading, heading=heading))
        blank = heading
        joinable = wrapped and not heading
    return paras


# --- boilerplate ------------------------------------------------------------------------------


def _is_icon_run(text: str) -> bool:
    tokens = text.split()
    icons = sum(1 for t in tokens if _ICON_TOKEN.search(t))
    return icons >= ICON_MIN_TOKENS and icons >= ICON_MIN_SHARE * len(tokens)


def _junk(text: str) -> bool:
    """Lines that are boilerplate wherever they appear."""
    key = _chrome_key(text)
    if not key or key in _CHROME_NORMALISED or not _HAS_LETTER.search(text):
        return True
    if _TIMESTAMP.match(key) or _URL_ONLY.match(text) or _is_icon_run(text):
        return True
    if _BREADCRUMB.match(text) and _words(text) <= NAV_MAX_WORDS + 1 and not _TERMINAL.search(text):
        return True
    if _COPYRIGHT_LINE.match(text) and len(text) <= COPYRIGHT_MAX_CHARS:
        return True
    if _CRAWL_FOOTER.match(text) and len(text) <= COPYRIGHT_MAX_CHARS:
        return True
    return bool(_APPEAL.search(text)) and len(text) <= APPEAL_MAX_CHARS


def _drop_menu_runs(paras: list[_Para]) -> list[_Para]:
    keep = [True] * len(paras)
    i = 0
    while i < len(paras):
        j = i
        while j < len(paras) and _is_nav(paras[j].text) and (j == i or not paras[j].new_block):
            j += 1
        if j - i >= MENU_RUN_MIN:
            for k in range(i, j):
                # Section headings stay so that the headline list after them is dropped too.
                keep[k] = _chrome_key(paras[k].text) in _SECTION_HEADINGS_NORMALISED
        i = max(j, i + 1)
    return [p for p, k in zip(paras, keep, strict=True) if k]


@dataclass(slots=True)
class _Marker:
    index: int  # position in the kept paragraph list the stamp precedes
    day: date | None
    line: str


def _filter(paras: list[_Para]) -> tuple[list[str], list[_Marker]]:
    """Drop boilerplate and pull out date stamps; returns kept paragraphs and stamp positions."""
    kept: list[str] = []
    markers: list[_Marker] = []
    seen: set[str] = set()
    mode = ""  # "" normal, "list" after a related-stories heading, "appeal" after "Dear reader"
    last_dropped_headline: str | None = None
    for para in _drop_menu_runs(paras):
        text = para.text
        day = parse_date_marker(text)
        if day is not None or is_yearless_marker(text):
            if mode == "list" and last_dropped_headline is not None:
                # The headline of the next story sat at the end of a related list.
                key = _norm_key(last_dropped_headline)
                if key not in seen:
                    seen.add(key)
                    kept.append(last_dropped_headline)
            markers.append(_Marker(len(kept), day, text))
            mode, last_dropped_headline = "", None
            continue
        key = _chrome_key(text)
        if key in _SECTION_HEADINGS_NORMALISED:
            mode, last_dropped_headline = "list", None
            continue
        if _APPEAL_START.match(text):
            mode = "appeal"
            continue
        if mode == "appeal":
            continue
        if mode == "list":
            if _is_sentence(text) and not _NUMBERED.match(text):
                mode, last_dropped_headline = "", None
            else:
                last_dropped_headline = text if _is_headline(text) else None
                continue
        if _junk(text):
            continue
        if "©" in text and not text.startswith("©"):
            cut = _CREDIT_TAIL.search(text)
            if cut and len(cut.group(0)) <= CREDIT_MAX_CHARS:
                text = text[: cut.start()].rstrip()
        text = _READ_MORE_TAIL.sub("", text)
        norm = _norm_key(text)
        if norm in seen:
            continue
        seen.add(norm)
        lead = _leading_stamp(text)
        if lead is not None:
            # "12 March 2025 — The minister ...": a digest item's own date; the text stays whole
            # (a wire dateline names the city the story is filed from).
            markers.append(_Marker(len(kept), parse_date_marker(lead), lead))
        kept.append(text)
    return kept, markers


def _leading_stamp(text: str) -> str | None:
    """The date stamp a paragraph opens with before a dash, bar or colon, when the rest is
    prose or a headline ("3 March 2025 | Chancellor to visit Cairo")."""
    for sep in _LEAD_SEPARATOR.finditer(text, 0, LEAD_STAMP_MAX_CHARS):
        stamp = text[: sep.start()].strip()
        if not _DATE_DIGIT.search(stamp):
            continue
        rest = text[sep.end() :]
        if not _is_sentence(rest) and not (_is_headline(rest) and _words(rest) >= 3):
            return None
        if parse_date_marker(stamp) is not None or is_yearless_marker(stamp):
            return stamp
    return None


# --- stories ----------------------------------------------------------------------------------


def _split_stories(
    kept: list[str], markers: list[_Marker], year_hint: int | None, first_date: date | None
) -> list[tuple[int, date | None, bool]]:
    """Story starts as (paragraph index, stamp date, has_stamp)."""

    def resolve(m: _Marker) -> date | None:
        return m.day or (parse_date_marker(m.line, year_hint=year_hint) if year_hint else None)

    starts: list[tuple[int, date | None, bool]] = [(0, first_date, first_date is not None)]
    cur_line: str | None = None  # the stamp line of the current story
    for m in markers:
        cur, cur_date, cur_stamped = starts[-1]
        day = resolve(m)
        has_body = any(_is_sentence(p) for p in kept[cur : m.index])
        if not has_body:
            if not cur_stamped:
                starts[-1] = (cur, day, True)
            cur_line = cur_line or m.line
            continue
        same_day = day == cur_date
        if day is None or (same_day and not _distinct_times(m.line, cur_line)):
            # Same-day stamps after body are summary/full-text repeats of one article.
            continue
        start = m.index
        while (
            start - 1 > cur
            and m.index - (start - 1) <= HEADLINE_LOOKBACK
            and _is_headline(kept[start - 1])
            and not _is_sentence(kept[start - 1])
        ):
            start -= 1
        if start >= len(kept):
            continue  # a stamp at the very end (e.g. "last modified") opens no story
        if same_day and start == m.index:
            continue  # a later time of the same day without a headline of its own: an update
        starts.append((start, resolve(m), True))
        cur_line = m.line
    return starts


def _distinct_times(line: str, other: str | None) -> bool:
    """Whether two stamps of one day give different times ("18 Nov 23:11" vs "18 Nov 21:35"):
    feed items published the same day, not repeats of one article's stamp."""
    if other is None:
        return False
    a, b = _CLOCK.search(line), _CLOCK.search(other)
    return a is not None and b is not None and a.group(0) != b.group(0)


def _first_stamp(kept: list[str], markers: list[_Marker], year_hint: int | None) -> date | None:
    """The date of the first stamp before any body text (the first story's own date)."""
    for m in markers:
        if any(_is_sentence(p) for p in kept[: m.index]):
            return None
        day = m.day or (parse_date_marker(m.line, year_hint=year_hint) if year_hint else None)
        if day is not None:
            return day
    return None


# --- entry point ------------------------------------------------------------------------------


def _read(doc: RawDocument, content: str) -> _Extracted:
    head = content[:500]
    if _REUTERS_TAG.search(head):
        return _read_reuters(content)
    if _HTML_PAGE.match(head) or (doc.is_html and not split_front_matter(content)[0]):
        return _read_html(content)
    # a markdown export with front matter and a few HTML figures is text, not a page
    return _read_text(content)


# Where a page declares its own address: <link rel="canonical" href> and
# <meta property="og:url" content>, canonical first. Read from the page's head only.
DECLARED_URL_SCAN_CHARS = 64 * 1024
_TAG = re.compile(r"<(?:link|meta)\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z:_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def declared_url(content: str) -> str | None:
    """The canonical URL a page declares (``rel="canonical"``, else ``og:url``), or ``None``."""
    found: dict[str, str] = {}
    for tag in _TAG.finditer(content[:DECLARED_URL_SCAN_CHARS]):
        attrs = {
            m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR.finditer(tag.group(0))
        }
        if "canonical" in attrs.get("rel", "").lower().split():
            found.setdefault("canonical", attrs.get("href", "").strip())
        elif attrs.get("property", attrs.get("name", "")).lower() == "og:url":
            found.setdefault("og:url", attrs.get("content", "").strip())
    for key in ("canonical", "og:url"):
        value = found.get(key, "")
        if value.startswith(("http://", "https://")):
            return value
    return None


# Metadata fields that hold the page's own address (front matter, HTML meta), best first.
URL_FIELDS = ("url", "source_url", "canonical", "canonical_url", "og:url", "link")


def _metadata_url(metadata: dict[str, str]) -> str | None:
    for key in URL_FIELDS:
        value = str(metadata.get(key) or "").strip()
        if value.startswith(("http://", "https://")):
            return value
    return None


def clean(doc: RawDocument) -> CleanDocument:
    """Clean one raw document and split it into stories.

    ``doc.published`` (an override from the caller) is used for every story when set;
    otherwise the first story takes the document's date (metadata first, then the first stamp)
    and later stories take their own stamps.
    """
    content = doc.content.replace("\r\n", "\n").replace("\r", "\n")
    ex = _read(doc, content)
    kept, markers = _filter(_paragraphs(ex))

    title = doc.title or ex.title
    if title:
        title = " ".join(_tidy(title, True)[0].split()) or None
    if title:
        head_keys = {_norm_key(p) for p in kept[:3]}
        if _norm_key(title) not in head_keys:
            # Headlines often carry the visit; keep it in the text the extractors read.
            kept.insert(0, title)
            for m in markers:
                m.index += 1
    elif kept and _is_headline(kept[0]) and not _is_sentence(kept[0]):
        title = kept[0]

    published = find_published(content, metadata=ex.metadata)
    if published is None and not ex.metadata:
        published = find_published("\n".join(kept))
    year_hint = published.year if published else copyright_year(content)
    if published is None:
        for m in markers:
            published = m.day or parse_date_marker(m.line, year_hint=year_hint)
            if published is not None:
                break

    text = "\n\n".join(kept)
    offsets: list[int] = []
    pos = 0
    for p in kept:
        offsets.append(pos)
        pos += len(p) + 2

    starts = _split_stories(kept, markers, year_hint, published) if kept else [(0, None, False)]
    lead_day = _first_stamp(kept, markers, year_hint) if len(starts) > 1 else None
    stories: list[Story] = []
    for n, (idx, day, _has) in enumerate(starts):
        begin = offsets[idx] if idx < len(offsets) else len(text)
        end = offsets[starts[n + 1][0]] - 2 if n + 1 < len(starts) else len(text)
        story_title = title if n == 0 else (kept[idx] if _is_headline(kept[idx]) else None)
        # On a page of several stories the first one's own stamp dates it; the page's date
        # may be the oldest item's or the page's (a digest's first item is often newer).
        story_date = doc.published or (day if n > 0 else lead_day or published)
        stories.append(Story(begin, end, story_date, story_title))

    canonical = declared_url(content) if doc.is_html or _HTML_PAGE.match(content[:500]) else None
    return CleanDocument(
        doc_id=doc.doc_id,
        text=text,
        stories=tuple(stories),
        title=title,
        url=doc.url or _metadata_url(ex.metadata) or canonical,
        published=doc.published or (stories[0].published if stories else published),
        canonical_url=canonical,
    )
