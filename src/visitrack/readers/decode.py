"""Bytes to text: the one sniff of an input's head, binary detection, charset decoding.

Every reader (files, stdin, WARC records, fetched pages, the API's request bodies) decides
"is this text, and in what encoding?" here, looking at the same :data:`SNIFF_BYTES` of the head,
so an input is refused for the same reason whichever way it arrives.
"""

from __future__ import annotations

import re

import charset_normalizer

__all__ = [
    "SNIFF_BYTES",
    "Refusal",
    "binary_kind",
    "decode_body",
    "decode_text",
    "head",
    "looks_like_html",
]

# Binary sniffing looks at the head only: magic numbers live there, and a NUL in the first
# block is as telling as one anywhere.
SNIFF_BYTES = 8192
# Real text has almost no C0 control characters; decoded binary has roughly one in ten.
MAX_CONTROL_CHAR_SHARE = 0.05
# How much less coherent (charset-normalizer's 0..1 language fit) Windows-1252 may be than the
# top guess and still be preferred; see _detect.
CP1252_COHERENCE_MARGIN = 0.1

# HTML sniffing: the head must open like a page, or the tags must be both numerous and a
# sizeable share of the characters, so prose that mentions "<br>" once is not taken for HTML.
HTML_SNIFF_CHARS = 65536
HTML_HEAD_CHARS = 1024
MIN_HTML_TAGS = 4
MIN_MARKUP_SHARE = 0.10

_MAGIC_NUMBERS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip archive"),
    (b"PK\x05\x06", "zip archive"),
    (b"\x89PNG\r\n\x1a\n", "png image"),
    (b"\x1f\x8b", "gzip"),
    (b"\xff\xd8\xff", "jpeg image"),
    (b"GIF87a", "gif image"),
    (b"GIF89a", "gif image"),
    (b"BZh91AY&SY", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\x7fELF", "executable"),
    (b"MZ\x90\x00", "executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ms office document"),
    (b"SQLite format 3\x00", "sqlite database"),
    (b"\x00\x00\x01\x00", "icon"),
    (b"RIFF", "riff media"),
    (b"OggS", "ogg media"),
    (b"ID3", "mp3 audio"),
)

# Longest BOMs first: the UTF-32-LE BOM begins with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


# Tab, LF, VT, FF and CR are whitespace; every other C0 control (and DEL) marks binary.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")

_HTML_TAG_NAMES = (
    "a|abbr|article|aside|b|blockquote|body|br|button|caption|code|dd|div|dl|dt|em|figcaption|"
    "figure|footer|form|h[1-6]|head|header|hr|html|i|iframe|img|input|label|li|link|main|meta|"
    "nav|noscript|ol|option|p|picture|pre|section|select|small|source|span|strong|style|sub|"
    "sup|svg|table|tbody|td|th|thead|time|title|tr|u|ul|script"
)
_HTML_TAG_RE = re.compile(rf"</?(?:{_HTML_TAG_NAMES})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_HTML_OPENING_RE = re.compile(r"<!doctype\s+html|<html[\s>]", re.IGNORECASE)
_FIRST_TAG_RE = re.compile(r"<([A-Za-z][A-Za-z0-9]*)")
# SGML news archives (Reuters-21578, TREC) use <TITLE>/<BODY> too, but the cleaner wants them
# as text: their root element tells them apart from a page.
_SGML_ROOTS = frozenset({"reuters", "doc", "docno", "newsitem"})


# --- sniffing -------------------------------------------------------------------------------------


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is an HTML page or fragment (not plain text, not Reuters-style SGML)."""
    head = text[:HTML_HEAD_CHARS]
    first_tag = _FIRST_TAG_RE.search(head)
    if first_tag and first_tag.group(1).lower() in _SGML_ROOTS:
        return False
    if _HTML_OPENING_RE.search(head):
        return True
    sample = text[:HTML_SNIFF_CHARS]
    if not sample:
        return False
    tags = _HTML_TAG_RE.findall(sample)
    if len(tags) < MIN_HTML_TAGS:
        return False
    return sum(len(t) for t in tags) / len(sample) >= MIN_MARKUP_SHARE


def head(path: str) -> bytes:
    """The first :data:`SNIFF_BYTES` of a file, or nothing if it cannot be read."""
    try:
        with open(path, "rb") as fh:
            return fh.read(SNIFF_BYTES)
    except OSError:
        return b""


# --- charset decoding -----------------------------------------------------------------------------


class Refusal:
    """Why bytes or a field could not be used; kept apart from ``str`` results by type."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def decode_text(data: bytes) -> str | Refusal:
    """Bytes of one document as text, or why they are not text (empty, binary, no encoding).

    A byte-order mark decides; else UTF-8; else charset-normalizer's guess. Files, stdin and
    the API's request bodies all go through here, so they are refused for the same reasons.
    """
    if not data.strip():
        return Refusal("empty file")
    text = _decode_bytes(data)
    if isinstance(text, Refusal):
        return text
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return Refusal("empty file")
    controls = len(_CONTROL_RE.findall(text))
    if controls / len(text) > MAX_CONTROL_CHAR_SHARE:
        return Refusal("binary file, not text (too many control characters)")
    return text


def _decode_bytes(data: bytes) -> str | Refusal:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return Refusal(f"binary file, not text (invalid {codec} after byte-order mark)")
    kind = binary_kind(data[:SNIFF_BYTES])
    if kind == "contains nul bytes":
        # UTF-16/32 without a byte-order mark is full of NULs yet is text.
        guess = charset_normalizer.from_bytes(data).best()
        if guess is not None and guess.encoding.startswith(("utf_16", "utf_32")):
            return str(guess)
    if kind is not None:
        return Refusal(f"binary file, not text ({kind})")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _detect(data)


def _detect(data: bytes) -> str | Refusal:
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        return Refusal("binary file, not text (no text encoding fits)")
    # On short, mostly-ASCII news text charset-normalizer's ranking among single-byte codecs is
    # close to noise (it picked cp775 for plain Latin-1, turning "Café" into "Cafķ"). News in a
    # legacy encoding is most often Windows-1252, so it wins unless another codec is clearly
    # more coherent; the cost is that Central European cp1250 text may lose some diacritics.
    for match in matches:
        close = match.coherence >= best.coherence - CP1252_COHERENCE_MARGIN
        if match.chaos <= best.chaos and close and "cp1252" in match.could_be_from_charset:
            try:
                return data.decode("cp1252")
            except UnicodeDecodeError:
                break
    return str(best)


def binary_kind(head: bytes) -> str | None:
    """What binary format the first bytes of an input show (``"pdf"``, ...), or ``None``."""
    for magic, kind in _MAGIC_NUMBERS:
        if head.startswith(magic):
            return kind
    if b"\x00" in head:
        return "contains nul bytes"
    return None


def decode_body(body: bytes, charset: str | None) -> str:
    """Bytes to text: the declared charset, else UTF-8, else charset-normalizer's best guess.

    For bodies that come with a declared charset (fetched pages, WARC records); unlike
    :func:`decode_text` it never refuses.
    """
    if charset:
        try:
            return body.decode(charset, errors="replace").removeprefix("\ufeff")
        except LookupError:
            pass  # an unknown charset name: fall through to detection
    try:
        return body.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(body).best()
        return str(best) if best is not None else body.decode("utf-8", errors="replace")
