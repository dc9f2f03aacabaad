"""Find a news document's publication date.

Dates are looked for in an ordered list of places, most trustworthy first:

1. explicit metadata (HTML meta tags via trafilatura, YAML front matter fields);
2. machine headers in the raw text (Reuters ``<DATE>``, a leading `` date 2022-12-30``);
3. standalone date *marker lines* ("Updated 30 December 2022", "30 Dec, 2022 12:04",
   "Published: March 3, 2025", "Updated: 14/11/2025 10:32", "By Ana Ruiz | 14.11.2025"),
   the first one in the document winning, unless a dated wire dateline comes before it;
4. wire datelines near the top (:func:`dateline`: "PARIS, 3 February 2026 -",
   "LIMA, Feb 3, 2026 (Reuters) -", "SEOUL, Dec. 29 (Yonhap) --") and year-less markers
   ("October 08, 13:43 UTC+3"); a dateline or marker without a year takes it from elsewhere
   in the document.

A date inside an article sentence is never taken: a marker line must consist of the date plus
time-of-day, weekday, time-zone and label words (or a byline's names) only, so
"... since Feb. 24." fails the test; a dateline must open a line near the top of the story.

Numeric dates: ``2025-11-14`` is year-month-day; ``14.11.2025`` and ``14/11/2025`` are
day-month-year (the order most of the world writes), unless the day cannot be a month
("11/14/2025") or the document's other slashed dates show it writes month first.

All matching is done with compiled regexes; dateparser is not needed for these shapes and
would cost milliseconds per call on MB-sized inputs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

__all__ = [
    "Dateline",
    "copyright_year",
    "dateline",
    "find_published",
    "parse_date_marker",
    "parse_date_value",
    "split_front_matter",
]

# Metadata keys in the order they are trusted. "date" comes late because some front matters
# use it for an edit date; published_time/pubDate are explicit about what they mean.
METADATA_KEYS: tuple[str, ...] = (
    "article:published_time",
    "published_time",
    "datepublished",
    "published_at",
    "pubdate",
    "post_date",
    "publish_date",
    "date",
    "published",
    "created",
)

MONTHS_IN_YEAR = 12

# A byline with its date ("By Ana Ruiz and Tom Lee | 14.11.2025"): at most this many
# capitalised words (names, an agency) may stand beside the stamp vocabulary.
MAX_BYLINE_WORDS = 6

# Years outside this window are OCR/typing noise rather than publication dates.
MIN_YEAR = 1900
MAX_YEAR = 2100

# A wire dateline ("SEOUL, Dec. 29 (Yonhap) --") is only a publication date near the top of a
# story; deeper in, "CITY, Month D" is quoted text. 3000 chars covers the Yonhap/TASS pages in
# shared/gold, whose datelines sit after up to ~800 chars of headline and navigation.
DATELINE_WINDOW = 3000

# Marker lines longer than this are sentences, not date stamps (longest stamp seen in the gold
# pages, "*12:45 AM, Tuesday, June 18, 2024*", is 34 chars; a prefix label adds ~20).
MAX_MARKER_LEN = 80

_MONTHS: dict[str, int] = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_MONTH_RE = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)

# Case-insensitive, non-capturing month for patterns whose other parts are case-sensitive.
_MONTH_NC = "(?i:" + _MONTH_RE.replace("?P<mon>", "?:") + ")"

_ISO = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")
_REUTERS = re.compile(r"(?<!\d)(?P<d>\d{1,2})-" + _MONTH_RE + r"-(?P<y>\d{4})(?!\d)", re.I)
_DMY = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_RE + r"\.?,?\s+(?P<y>\d{4})\b",
    re.I,
)
_MDY = re.compile(
    r"\b" + _MONTH_RE + r"\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?!\d)", re.I
)
_MD = re.compile(r"\b" + _MONTH_RE + r"\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?![\d,]*\d{4})", re.I)
_DM = re.compile(r"(?<![\d.])(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_RE + r"\b\.?", re.I)

# "14.11.2025", "14/11/2025": day first unless told otherwise (see _numeric_date).
_NUMERIC = re.compile(
    r"(?<![\d.:/])(?P<a>\d{1,2})(?P<sep>[./])(?P<b>\d{1,2})(?P=sep)(?P<y>(?:19|20)\d{2})(?![\d./])"
)
_SLASHED = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(?:19|20)\d{2}(?![\d/])")

_FULL_PATTERNS: tuple[re.Pattern[str], ...] = (_ISO, _REUTERS, _DMY, _MDY, _NUMERIC)
_YEARLESS_PATTERNS: tuple[re.Pattern[str], ...] = (_MD, _DM)

# Cheap gate: a line without a digit and a month-ish token or ISO shape is skipped at once.
_DATE_SHAPED = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{4}|\d\s*[A-Za-z]{3}|[A-Za-z]{3}\.?\s+\d", re.I
)

# Words allowed around the date in a marker line; anything else means the line is prose.
_MARKER_VOCAB = """updated update published publish posted post by on at date dated last
    modified first
    created time am pm a.m p.m utc gmt est edt cet cest bst ist msk kst jst pst pdt cst cdt
    ist mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday
    saturday sunday | - — – : , . / at: on: updated: published: posted:"""
_MARKER_WORDS = frozenset(_MARKER_VOCAB.split())
_TOKEN_STRIP = re.compile(r"[*_#`\[\]()>\"'“”]+")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TIME = re.compile(
    r"(?<![\d])\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?m\.?)?(?!\d)"
    r"|(?:utc|gmt)\s*[+-]\s*\d{1,2}(?::?\d{2})?|[+-]\d{2}:?\d{2}\b|\bT(?=\d)",
    re.I,
)
_ALLCAPS_WORD = re.compile(r"^[A-Z][A-Z.'-]{2,}$")
_HTML_TAG = re.compile(r"<[^<>\n]{0,200}>")
_NAME_WORD = re.compile(r"^[A-Z][\w.'’-]*$")
_BYLINE = re.compile(r"^[\W_]*(?i:by)\s*:?\s+[A-Z]")
# At most this many ALL-CAPS place words may trail a stamp ("October 08, 13:43 UTC+3 MOSCOW").
MAX_PLACE_WORDS = 2

_REUTERS_DATE_TAG = re.compile(r"<DATE>\s*([^<]+?)\s*</DATE>", re.I)
_LEADING_DATE_HEADER = re.compile(r"\A\s*date\s+((?:19|20)\d{2}-\d{2}-\d{2})\b")
_FRONT_MATTER = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_FM_KEY = re.compile(r"^([A-Za-z_][\w:.-]*)\s*:\s?(.*)$")
# A wire dateline: PLACE[, Region] [(Agency)] [, date] [(Agency)|/AGENCY/] separator.
# The place is in capitals ("SAN JOSE"), or in title case at the start of a line when a dated
# dateline follows ("Lima, Feb 3, 2026 (Reuters) -"); the date is any of the shapes below, a
# weekday may precede it.
_DL_WEEKDAY = r"(?:(?i:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?i:day)?\.?,?\s+)"
_DL_DATE = (
    r"(?:"
    + _DL_WEEKDAY
    + r")?(?:"
    + _MONTH_NC
    + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d{2})?"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH_NC + r"\.?(?:,?\s+(?:19|20)\d{2})?"
    r"|\d{1,2}[./]\d{1,2}[./](?:19|20)\d{2}|(?:19|20)\d{2}-\d{1,2}-\d{1,2})(?![\w/.-]\d)"
)
_DL_AGENCY = r"\((?P<{0}>[A-Z][\w .&'-]{{1,24}})\)|/(?P<{0}s>[A-Z][A-Za-z-]{{1,12}})/"
_DATELINE = re.compile(
    r"(?<![\w'’./-])(?P<place>[A-Z][A-Z.'’/-]+(?:[ ][A-Z][A-Z.'’/-]+){0,3}"
    r"|(?<![^\n>*_#\s])[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2})"
    # a state or country after the city: "SAN JOSE, Costa Rica,", "RICHMOND, Va. Feb 26"
    r"(?:\s?,\s+(?!" + _MONTH_NC + r"\.?\s+\d)"
    r"[A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+)?(?=,|\s*[(/]|(?<=\.)\s+[\dA-Z]))?"
    r"(?:\s*(?:" + _DL_AGENCY.format("ag1") + r"))?"
    r"(?:\s?,?\s+(?P<when>" + _DL_DATE + r"))?"
    r"(?:\.?\s*(?:" + _DL_AGENCY.format("ag2") + r"))?"
    r"(?P<sep>\s*(?:--|[-–—:])(?=\s)|(?<=/)\.?)?"
)
# Words a title-case "place" must not be: labels and dates open lines as well.
_LABEL_VOCAB = """by photo photos source video breaking update exclusive watch live opinion analysis
    editorial note correction file read also more related tags topics advertisement listen
    comment comments share sponsored notes editor editors ends contact disclaimer reporting
    writing editing updates warning attention"""
_NOT_PLACES = frozenset(_MARKER_WORDS) | frozenset(_MONTHS) | frozenset(_LABEL_VOCAB.split())
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|copyright)[^\n]{0,120}?((?:19|20)\d{2})(?:\s*[-–—]\s*((?:19|20)\d{2}))?",
    re.I,
)
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def _make_date(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _numeric_date(a: int, b: int, y: int, *, month_first: bool) -> date | None:
    """A numeric date's day and month: day first unless ``month_first``; a "day" above 12 that
    leaves a valid month settles it either way ("11/14/2025" is November 14)."""
    day, month = (b, a) if month_first else (a, b)
    if month > MONTHS_IN_YEAR >= day:
        day, month = month, day
    return _make_date(y, month, day)


def _month_first(text: str) -> bool:
    """Whether the document writes slashed dates month first: more of them have a second
    number above 12 ("11/14/2025") than a first one ("14/11/2025")."""
    votes = 0
    for m in _SLASHED.finditer(text):
        a, b = int(m.group(1)), int(m.group(2))
        votes += (b > MONTHS_IN_YEAR >= a) - (a > MONTHS_IN_YEAR >= b)
    return votes > 0


def _from_match(
    m: re.Match[str], year: int | None = None, *, month_first: bool = False
) -> date | None:
    groups = m.groupdict()
    if groups.get("a"):
        first = month_first and groups.get("sep") == "/"  # a dotted date is always day first
        return _numeric_date(
            int(groups["a"]), int(groups["b"]), int(groups["y"]), month_first=first
        )
    mon = groups.get("mon")
    month = _MONTHS.get(mon.lower().rstrip(".")) if mon else int(groups["m"])
    if month is None:
        return None
    y = int(groups["y"]) if groups.get("y") else year
    if y is None:
        return None
    return _make_date(y, month, int(groups["d"]))


def parse_date_value(value: str) -> date | None:
    """Parse a metadata value ("2022-12-05 17:01:31-05:00", "'2022-06-01'", "8th May 2024").

    Returns None for non-dates such as ``published: true``.
    """
    value = value.strip().strip("'\"")
    if not value or len(value) > 120:
        return None
    best: tuple[int, date] | None = None
    for pattern in _FULL_PATTERNS:
        m = pattern.search(value)
        if m:
            d = _from_match(m)
            if d is not None and (best is None or m.start() < best[0]):
                best = (m.start(), d)
    return best[1] if best else None


def _residue_ok(rest: str, *, byline: bool = False) -> bool:
    """True when what is left of a line after removing its date is only stamp vocabulary
    (and, in a byline, a few names)."""
    rest = _TIME.sub(" ", rest)
    place_words = 0
    name_words = 0
    for raw in rest.split():
        tok = _TOKEN_STRIP.sub("", raw)
        if not tok:
            continue
        low = tok.lower().strip(",.:;|")
        if not low or low in _MARKER_WORDS:
            continue
        if byline and (low == "and" or _NAME_WORD.match(tok.strip(",.:;|"))):
            name_words += 1
            if name_words <= MAX_BYLINE_WORDS:
                continue
        if _ALLCAPS_WORD.match(tok.strip(",.:;")):
            place_words += 1
            if place_words <= MAX_PLACE_WORDS:
                continue
        return False
    return True


def parse_date_marker(
    line: str, *, year_hint: int | None = None, month_first: bool = False
) -> date | None:
    """Parse a standalone date stamp line; None when the line is prose or has no date.

    Accepts e.g. "Updated 30 December 2022", "30 Dec, 2022 12:04", "Published: March 3, 2025",
    "Post By : 8th May 2024", "### [2018-01-12](/news/...)" and, with ``year_hint``,
    "October 08, 13:43 UTC+3 MOSCOW".

    Args:
        line: one line of text.
        year_hint: the year to use for a stamp that gives none; without it such stamps
            return None.
        month_first: read an ambiguous slashed date ("03/04/2025") month first.
    """
    text = line.strip()
    if not text or len(text) > MAX_MARKER_LEN * 2 or not _DATE_SHAPED.search(text):
        return None
    text = _MD_LINK.sub(r"\1", text)
    if len(text) > MAX_MARKER_LEN:
        return None
    byline = _BYLINE.match(text) is not None
    for pattern in _FULL_PATTERNS:
        m = pattern.search(text)
        if m and _residue_ok(text[: m.start()] + " " + text[m.end() :], byline=byline):
            return _from_match(m, month_first=month_first)
    if year_hint is None:
        return None
    for pattern in _YEARLESS_PATTERNS:
        m = pattern.search(text)
        if m and _residue_ok(text[: m.start()] + " " + text[m.end() :], byline=byline):
            return _from_match(m, year_hint)
    return None


def is_yearless_marker(line: str) -> bool:
    """True when ``line`` is a date stamp that lacks its year ("October 08, 13:43 UTC+3")."""
    return parse_date_marker(line) is None and parse_date_marker(line, year_hint=2000) is not None


def split_front_matter(text: str) -> tuple[dict[str, str], int]:
    """Split YAML front matter (``---\\n...\\n---``) from ``text``.

    Only top-level ``key: value`` pairs are read (a full YAML parser is not a dependency);
    folded continuation lines are appended to the previous key's value.

    Returns:
        The fields (keys lower-cased, values unquoted) and the offset where the body starts
        (0 when there is no front matter).
    """
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, 0
    fields: dict[str, str] = {}
    last: str | None = None
    for line in m.group(1).splitlines():
        km = _FM_KEY.match(line) if line[:1] not in (" ", "\t", "-") else None
        if km:
            last = km.group(1).lower()
            fields[last] = km.group(2).strip()
        elif last is not None and line.strip():
            cont = line.strip().lstrip("\\").strip()
            joined = fields[last].rstrip("\\").rstrip()
            fields[last] = f"{joined} {cont}".strip() if joined not in (">", "|") else cont
    for key, value in fields.items():
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            inner = value[1:-1]
            fields[key] = _yaml_unescape(inner) if value[0] == '"' else inner.replace("''", "'")
    return fields, m.end()


_YAML_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|.)")
_YAML_SIMPLE = {"_": " ", " ": " ", "n": " ", "t": " ", '"': '"', "\\": "\\", "/": "/", "N": " "}


def _yaml_unescape(value: str) -> str:
    """Decode the escapes of a YAML double-quoted scalar (``\\u2019``, ``\\_`` = nbsp)."""

    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc[0] in "uUx" and len(esc) > 1:
            return chr(int(esc[1:], 16))
        return _YAML_SIMPLE.get(esc, esc)

    return " ".join(_YAML_ESCAPE.sub(one, value).split())


def copyright_year(text: str) -> int | None:
    """The latest year on a copyright line ("© ... 2005–2022" gives 2022), if any."""
    best: int | None = None
    for m in _COPYRIGHT.finditer(text):
        years = [int(g) for g in m.groups() if g]
        top = max(years)
        best = top if best is None else max(best, top)
    return best


def _metadata_date(metadata: Mapping[str, str]) -> date | None:
    lowered = {k.lower(): v for k, v in metadata.items() if v}
    for key in METADATA_KEYS:
        value = lowered.get(key)
        if value:
            d = parse_date_value(value)
            if d is not None:
                return d
    return None


def _header_date(text: str) -> date | None:
    head = text[:2000]
    m = _REUTERS_DATE_TAG.search(head)
    if m:
        d = parse_date_value(m.group(1))
        if d is not None:
            return d
    m = _LEADING_DATE_HEADER.match(text)
    if m:
        return parse_date_value(m.group(1))
    return None


def find_published(text: str, *, metadata: dict[str, str] | None = None) -> date | None:
    """Return the publication date of a document, or None when there is no reliable one.

    Args:
        text: raw or cleaned document text (front matter and Reuters tags are understood).
        metadata: explicit fields (HTML meta, front matter); these win over the text.
    """
    if metadata:
        d = _metadata_date(metadata)
        if d is not None:
            return d
    d = _header_date(text)
    if d is not None:
        return d
    fields, body_start = split_front_matter(text)
    if fields:
        d = _metadata_date(fields)
        if d is not None:
            return d
    body = text[body_start:]
    month_first = _month_first(body)
    # A dateline with a full date; one without a year is only a last resort (below).
    dated_line = next((d for d in _datelines(body, None, DATELINE_WINDOW) if d.has_date), None)
    if dated_line is not None and dated_line.date is None:
        dated_line = None
    yearless_first: str | None = None
    pos = 0
    for line in body.splitlines(keepends=True):
        offset, pos = pos, pos + len(line)
        if dated_line is not None and offset > dated_line.start:
            return dated_line.date  # a dated dateline heads the story before any stamp
        line = line.rstrip("\r\n")
        if not line or len(line) > MAX_MARKER_LEN * 2 or not _DATE_SHAPED.search(line):
            continue
        d = parse_date_marker(line, month_first=month_first)
        if d is not None:
            if yearless_first is not None:
                # A year-less stamp came first: it is the page's own, this one lends the year.
                return parse_date_marker(yearless_first, year_hint=d.year) or d
            return d
        if yearless_first is None and is_yearless_marker(line):
            yearless_first = line
    if dated_line is not None:
        return dated_line.date
    hint = copyright_year(body)
    if yearless_first is not None and hint is not None:
        return parse_date_marker(yearless_first, year_hint=hint)
    return dateline_date(body, year_hint=hint)


@dataclass(frozen=True, slots=True)
class Dateline:
    """A wire dateline: where and when a story was filed.

    ``start``/``end`` are offsets into the text searched: from the place to the end of the
    separator ("PARIS, 3 February 2026 -"), so ``text[end:]`` is the story's first sentence.
    ``date`` is ``None`` when the dateline gives none ("SEOUL (Yonhap) --") or gives no year
    and no ``year_hint`` was passed; ``has_date`` tells the two apart.
    """

    place: str
    date: date | None
    start: int
    end: int
    agency: str | None = None
    has_date: bool = False


def _line_start(text: str, pos: int) -> bool:
    """Whether only blanks and markup stand between the last line break and ``pos``."""
    head = _HTML_TAG.sub("", text[text.rfind("\n", 0, pos) + 1 : pos])
    return not head.strip(" \t*_#>\"'“")


def _dateline_at(m: re.Match[str], text: str, year_hint: int | None) -> Dateline | None:
    place = m.group("place")
    agency = m.group("ag1") or m.group("ag1s") or m.group("ag2") or m.group("ag2s")
    when = m.group("when")
    sep = m.group("sep")
    if len([c for c in place if c.isalpha()]) < 3:
        return None
    if place.lower() in _NOT_PLACES or place.split()[0].lower() in _NOT_PLACES:
        return None
    title_case = not place.isupper()
    at_start = _line_start(text, m.start())
    if title_case and not (when and at_start):
        return None  # "Paris" in a sentence is no dateline; "Paris, 3 May 2026 -" opening one is
    if not sep:
        return None  # "PARIS, 3 May" inside a sentence is a date, "NSC (National ...)" a name
    if not (at_start or agency):
        return None  # mid-line, only the agency-marked wire form ("... SEOUL (Yonhap) --")
    day = _dateline_day(when, year_hint) if when else None
    return Dateline(place, day, m.start(), m.end(), agency, has_date=bool(when))


def _dateline_day(when: str, year_hint: int | None) -> date | None:
    for pattern in _FULL_PATTERNS:
        wm = pattern.search(when)
        if wm:
            return _from_match(wm)
    if year_hint is None:
        return None
    for pattern in _YEARLESS_PATTERNS:
        wm = pattern.search(when)
        if wm:
            return _from_match(wm, year_hint)
    return None


def dateline(
    text: str, *, year_hint: int | None = None, window: int = DATELINE_WINDOW
) -> Dateline | None:
    """The first wire dateline in the first ``window`` characters of ``text``.

    Recognised: "PARIS, 3 February 2026 -", "PARIS, Feb 3, 2026 (Reuters) -",
    "SEOUL, Dec. 29 (Yonhap) --", "MOSCOW, October 8. /TASS/.", "LIMA (Reuters) Nov 14, 2025 -",
    "SAN JOSE, Costa Rica, 14.11.2025 —", "SEOUL (Yonhap) --" (a place without a date), and a
    title-case place opening a line when a date follows ("Lima, Friday, 14 November 2025 -").
    A date without a year is completed with ``year_hint`` when given.
    """
    return next(_datelines(text, year_hint, window), None)


def _datelines(text: str, year_hint: int | None, window: int) -> Iterator[Dateline]:
    head = text[:window]
    for m in _DATELINE.finditer(head):
        found = _dateline_at(m, head, year_hint)
        if found is not None:
            yield found


def dateline_date(text: str, *, year_hint: int | None) -> date | None:
    """The date of the first dated wire dateline near the top ("SEOUL, Dec. 29 (Yonhap) --"),
    a year-less one completed with ``year_hint``."""
    for found in _datelines(text, year_hint, DATELINE_WINDOW):
        if found.has_date:
            return found.date
    return None
