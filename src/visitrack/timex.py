"""Find time expressions in news sentences and normalise them to closed date windows.

Every window is anchored on the document's publication date. Conventions (shared with
``shared/spec/visit-record.md``):

* Windows are closed ``[start, end]`` calendar dates; a week runs Monday to Sunday.
* Seasons are meteorological: spring Mar 1-May 31, summer Jun 1-Aug 31, autumn/fall
  Sep 1-Nov 30, winter Dec 1-end of Feb of the following year ("winter 2023" is the one
  that starts in December 2023).
* A date without a year is resolved by tense: past -> the latest occurrence starting on or
  before publication, future -> the earliest one ending on or after it, present/unknown ->
  the nearest one (a tie goes to the publication year). Tense allows one day of slack
  (``TENSE_GRACE_DAYS``), and with a part-of modifier ("late March") it is judged on that part.
* "early"/"mid"/"late" split a month at days 10 and 20, and a year or season into thirds of
  whole months; "the end of" means the same as "late".
* "before/by/until X" becomes ``[published, end of X]`` when X has not ended yet.
* Plain locative prepositions ("in", "on", "during") are left out of the mention text, as
  the output contract's own example does ("May 9", not "on May 9"); prepositions that change
  the window ("before", "by", "until", "since") and modifiers ("early", "the end of") are kept.
* With no publication date, only expressions carrying an explicit year get dates.
  :func:`find_times` still reports the others, with ``start``/``end`` left ``None``, so a
  caller can show the text; :func:`normalise` returns ``None`` for them.

Everything is compiled regular expressions (no ``dateparser``): the rules below cover the
absolute forms news text uses, and one scan per expression family keeps a megabyte of text
well under a second.
"""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from visitrack.records import When

__all__ = ["Granularity", "Tense", "TimeMention", "duration_days", "find_times", "normalise"]

Tense = Literal["past", "present", "future"]
Granularity = Literal["day", "week", "month", "season", "year", "vague"]

# Plausible years for news about diplomacy; a bare number outside this range ("1675 days")
# is never read as a year.
YEAR_MIN = 1900
YEAR_MAX = 2100

# How far left of a match to look for its preposition/modifier. The longest left context
# the patterns know is "until the very beginning of " (29 characters); every extra character
# costs a regex attempt per candidate, so the window is kept just above that.
LEFT_CONTEXT_CHARS = 32

# Horizons for open forward spans without a number ("in the coming days/weeks/months").
# No gold visit is dated by such a span (the one there was postponed), so these are
# conventional readings, not tuned values: "days" ~ a week, "weeks" ~ three weeks,
# "months" ~ a quarter, "years" ~ two years.
DEFAULT_SPAN_COUNT = {"day": 7, "week": 3, "month": 3, "year": 2}
# "a few" and "several" as counts, by the same convention.
FEW_COUNT = 3
SEVERAL_COUNT = 5

# Longest trip duration_days() will report; gold trips run 2-10 days, and a number above
# this next to "day" ("a 1675-day standoff") is not a visit length.
MAX_DURATION_DAYS = 62

# Longest stretch one "D1 Month1 - D2 Month2" range may cover; past it the two are separate
# dates ("on March 3 and November 5"). The longest trip duration_days() reports.
MAX_RANGE_DAYS = MAX_DURATION_DAYS

# A publication date is often a day off the story's own (metadata in UTC, a stamp from the next
# morning's edition): "arrived on March 11" in a March 10 story is that March 11, not one a
# year earlier, and "will arrive on March 9" in a March 10 story is not a year away. Weekdays
# are not given this slack: their alternative is a week, not a year, away.
TENSE_GRACE_DAYS = 1

# Rolling windows for "the past/coming week|month|year".
_UNIT_DAYS = {"day": 1, "week": 7, "weekend": 7, "month": 30, "year": 365}


@dataclass(frozen=True, slots=True)
class TimeMention:
    """One time expression: ``[start, end)`` offsets into the text passed in, and its window."""

    start: int
    end: int
    text: str
    when: When
    granularity: Granularity


_Window = tuple[date, date]


@dataclass(frozen=True, slots=True)
class _Hit:
    lo: date | None
    hi: date | None
    gran: Granularity


# --- calendar helpers ------------------------------------------------------------------------


def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _month(y: int, m: int) -> _Window:
    return date(y, m, 1), date(y, m, _last_day(y, m))


def _year(y: int) -> _Window:
    return date(y, 1, 1), date(y, 12, 31)


def _shift_month(y: int, m: int, k: int) -> tuple[int, int]:
    idx = y * 12 + (m - 1) + k
    return idx // 12, idx % 12 + 1


_SEASON_START = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}


def _season(name: str, y: int) -> _Window:
    first = _SEASON_START[name]
    ey, em = _shift_month(y, first, 2)
    return date(y, first, 1), date(ey, em, _last_day(ey, em))


def _week(d: date) -> _Window:
    monday = d - timedelta(days=d.weekday())
    return monday, monday + timedelta(days=6)


def _safe_date(y: int, m: int, d: int) -> date | None:
    if YEAR_MIN <= y <= YEAR_MAX and 1 <= m <= 12 and 1 <= d <= _last_day(y, m):
        return date(y, m, d)
    return None


def _distance(w: _Window, p: date) -> int:
    if w[0] <= p <= w[1]:
        return 0
    return min(abs((w[0] - p).days), abs((w[1] - p).days))


def _pick(
    windows: Sequence[_Window], p: date, tense: Tense | None, mod: str | None = None
) -> _Window | None:
    """Choose among chronologically sorted occurrences of a year-less expression by tense.

    With a part-of modifier (``mod``, e.g. "late"), the tense is judged on the part the text
    names: "visited in late March" in a March 10 story is last year's late March, although
    this year's March has already begun.
    """
    if not windows:
        return None
    seen = list(windows)
    if mod is not None and mod not in ("later", "earlier"):
        seen = [_mod_window(mod, w, p) for w in windows]
    order = range(len(seen))
    grace = timedelta(days=TENSE_GRACE_DAYS)
    if tense == "past":
        before = [i for i in order if seen[i][0] <= p + grace]
        return windows[before[-1] if before else 0]
    if tense == "future":
        after = [i for i in order if seen[i][1] >= p - grace]
        return windows[after[0] if after else -1]
    best = min(
        order, key=lambda i: (_distance(seen[i], p), seen[i][0].year != p.year, seen[i][0] > p)
    )
    return windows[best]


def _mod_window(mod: str, w: _Window, p: date) -> _Window:
    hit = _apply_mod(mod, _Hit(w[0], w[1], "month"), p)
    return (hit.lo or w[0], hit.hi or w[1])


def _next_after(windows: Sequence[_Window], p: date) -> _Window | None:
    return next((w for w in windows if w[0] > p), None)


def _last_before(windows: Sequence[_Window], p: date) -> _Window | None:
    return next((w for w in reversed(windows) if w[1] < p), None)


def _whole_months(w: _Window) -> int:
    """Number of calendar months ``w`` spans exactly, or 0 when it is not month-aligned."""
    lo, hi = w
    if lo.day != 1 or hi.day != _last_day(hi.year, hi.month):
        return 0
    return (hi.year - lo.year) * 12 + hi.month - lo.month + 1


def _month_slice(w: _Window, first: int, count: int) -> _Window:
    y, m = _shift_month(w[0].year, w[0].month, first)
    ey, em = _shift_month(y, m, count - 1)
    return date(y, m, 1), date(ey, em, _last_day(ey, em))


# --- vocabulary --------------------------------------------------------------------------------

_MONTH_NUM = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
}
_MONTH_NUM |= {"oct": 10, "nov": 11, "dec": 12}
_WEEKDAY_NUM = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_NUM_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "few": FEW_COUNT,
    "several": SEVERAL_COUNT,
    "couple": 2,
}

_MONTH_FULL = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
# Abbreviations only ever appear next to a day number, where they are unambiguous.
# The dot belongs to an abbreviation only: "on 12 June." ends a sentence.
_MONTH_ANY = (
    r"(?:(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December)\b|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b"
# The same, as a plain character class, for a pattern's first token (validated later).
_DAY_LEAD = r"[0-3]?\d(?:st|nd|rd|th)?\b"
_YEAR = r"(?:19\d\d|20\d\d|2100)(?![\d%]|[.,/]\d|-\d)"
_RANGE_SEP = r"\s*(?:-|–|—|to|through|until|till|and|&)\s*"
_NUM = (
    r"(?:\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
    r"|fourteen|fifteen|twenty|thirty|(?:a\s+)?few|several|(?:a\s+)?couple\s+of)"
)

# Every pattern starts with a literal or a character class (a month, a weekday, a digit, a
# unit word), never with an optional word or ``\b``: that lets ``re`` skip ahead cheaply and
# is what keeps a megabyte scan fast. Words to the left ("next", "the", "Monday,") are read
# afterwards from a short window before the match, and a match glued to a preceding letter
# or digit is dropped in find_times().
_RX_ISO = re.compile(r"(?P<y>[12]\d{3})-(?P<m>\d\d)-(?P<d>\d\d)(?![\w-])")
# "14.11.2025", "14/11/2025": day first, as in publication stamps (pubdate); a first number
# above 12 cannot be a month either way, a second one above 12 makes it month first.
_RX_NUMERIC = re.compile(
    r"(?P<a>[0-3]?\d)(?P<sep>[./])(?P<b>[01]?\d)(?P=sep)(?P<y>(?:19|20)\d\d)(?![\d%]|[./-]\d)"
)
_RX_MD = re.compile(
    rf"(?P<m1>{_MONTH_ANY})\s+(?P<d1>{_DAY})"
    rf"(?:(?:,?\s+(?P<y0>{_YEAR}))?{_RANGE_SEP}(?:(?P<m2>{_MONTH_ANY})\s+)?(?P<d2>{_DAY}))?"
    rf"(?:,?\s+(?P<y>{_YEAR})|\s+(?P<ry>this|next|last)\s+year\b)?"
)
_RX_DM = re.compile(
    rf"(?P<d1>{_DAY_LEAD})(?:(?:\s+(?:of\s+)?(?P<m0>{_MONTH_ANY})(?:,?\s+(?P<y0>{_YEAR}))?)?"
    rf"{_RANGE_SEP}(?:the\s+)?"
    rf"(?P<d2>{_DAY}))?\s+(?:of\s+)?(?P<m1>{_MONTH_ANY})"
    rf"(?:,?\s+(?P<y>{_YEAR})|\s+(?P<ry>this|next|last)\s+year\b)?"
)
_RX_MONTH = re.compile(
    rf"(?P<m>{_MONTH_FULL})\b"
    rf"(?:,?\s+(?:of\s+)?(?P<y>{_YEAR})|\s+(?:of\s+)?(?P<ry>this|next|last)\s+year\b)?"
)
_RX_MONTH_SPAN = re.compile(
    rf"(?P<m>{_MONTH_FULL})\s*(?:-|–|—|\s(?:to|through|until|till|(?P<alt>and|or))\s)\s*"
    rf"(?P<m2>{_MONTH_FULL})\b(?:,?\s+(?P<y>{_YEAR}))?"
)
MONTHS_IN_YEAR = 12
_SPAN_LEFT = re.compile(r"(?i)\b(?:between|from)\s+$")
_RX_YEAR = re.compile(rf"(?P<y>{_YEAR})\b")
_RX_SEASON = re.compile(
    r"(?P<s>[SsAaFfWw](?:pring|ummer|utumn|all|inter))(?P<time>time)?\b"
    rf"(?:\s+of\s+(?:(?P<ofrel>this|next|last)\s+year\b|(?P<y>{_YEAR}))|,?\s+(?P<y2>{_YEAR}))?"
)
_RX_WEEKDAY = re.compile(
    rf"(?P<wd>{_WEEKDAY})\b"
    rf"(?:\s*(?:-|–|to|through|and|or)\s*(?P<wd2>{_WEEKDAY})\b)?"
    r"(?:\s+(?:morning|afternoon|evening|night)\b)?"
)
_RX_RELDAY = re.compile(
    r"(?P<w>[TtYy](?:oday|onight|his\s+(?:morning|afternoon|evening)|omorrow|esterday"
    r"|he\s+day\s+(?:before\s+yesterday|after\s+tomorrow))|[Ll]ast\s+night)\b"
    r"(?:\s+(?:morning|afternoon|evening|night)\b)?"
)
_RX_UNIT = re.compile(r"(?P<u>week(?:end)?|month|year|day)(?P<pl>s)?\b")

# Left and right neighbours of a core match.
_REL_LEFT = re.compile(r"(?i)\b(?P<rel>this|next|last|coming|past)\s+$")
_SEASON_REL_LEFT = re.compile(r"(?i)\b(?P<rel>this|next|last|coming|past|the)\s+$")
_WEEKDAY_LEFT = re.compile(rf"\b(?P<wd>{_WEEKDAY}),?\s+$")
_DM_LEFT = re.compile(rf"(?:\b(?P<wd>{_WEEKDAY}),?\s+)?\b(?i:the)\s+$|\b(?P<wd2>{_WEEKDAY}),?\s+$")
_PERIOD_LEFT = re.compile(
    r"(?i)\b(?P<rel>this|next|last|the\s+coming|the\s+past|the\s+current|the)\s+$"
)
_FORWARD_LEFT = re.compile(
    rf"(?i)\b(?:(?:(?:in|over|during|within)\s+)?the\s+(?:coming|next|upcoming)\s+"
    rf"(?:(?P<n1>{_NUM})\s+)?|within\s+(?:the\s+next\s+)?(?:(?P<n2>{_NUM})\s+)?"
    rf"|in\s+(?P<n3>{_NUM})\s+)$"
)
_SINCE_LEFT = re.compile(r"(?i)\bsince\s+(?:(?:early|mid|late)(?:\s+|\s*-\s*))?$")
_TIME_RIGHT = re.compile(r"(?:'s|')?\s+time\b")
_COUNT_LEFT = re.compile(rf"(?i)\b(?P<n>{_NUM})\s+$")
_AGO_RIGHT = re.compile(r"\s+ago\b")
_WEEKEND_PREP = re.compile(r"(?i)\b(?:over|at|on|during|across)\s+$")
# A trip noun right after 'weekend' makes it the trip's time: 'a weekend visit'.
_TRIP_NOUN_RIGHT = re.compile(r"(?i)\s+(?:visit|trip|tour|stay|stopover)\b")
# "the last week of May": the unit is part of a larger date, not the week before publication.
_OF_DATE_RIGHT = re.compile(
    rf"\s+of\s+(?:(?:the|this|next|last|coming)\s+)?(?:{_MONTH_FULL}|year|month"
    r"|[Ss]pring|[Ss]ummer|[Aa]utumn|[Ff]all|[Ww]inter|(?:19|20)\d\d)\b"
)
_NOT_YEAR_LEFT = re.compile(r"[\w$£€.,/]$|\d-$")

# Words that make a capitalised "May" (or a bare season or year) a date rather than a name.
_MAY_CONTEXT = re.compile(
    r"(?i)\b(?:in|early|mid|late|since|until|till|by|next|last|this|during"
    r"|(?:beginning|start|middle|end|half|quarter|week|month|days)\s+of)(?:\s+|\s*-\s*)$"
)
_YEAR_CONTEXT = re.compile(
    r"(?i)(?:\b(?:in|since|until|till|by|of|from|during|before|after|through|throughout"
    r"|early|mid|late|the|around|between|year|calendar|fiscal)(?:\s+|\s*-\s*)"
    r"|\b(?:19|20)\d\d\s*(?:-|–|and|to|or)\s*)$"
)
_QUANTITY_LEFT = re.compile(r"(?i)\b(?:of|by|the|some|about|nearly|over)\s+$")
# After "of 2000", "the 2000": a counted noun makes the number a quantity.
_QUANTITY_AFTER = re.compile(
    r"\s+(?:people|persons|troops|soldiers|delegates|participants|members|residents|workers"
    r"|refugees|migrants|police|officers|guests|students|visitors|tons|tonnes|km|miles|votes"
    r"|dollars|euros|units|cases|deaths|homes|jobs|new|more|other)\b"
)
_SEASON_CONTEXT = re.compile(
    r"(?i)\b(?:in|during|by|until|till|since|before|after|through|throughout|early|mid|late"
    r"|over)(?:\s+|\s*-\s*)$"
)
_CAPITALISED_AFTER = re.compile(r"\s+[A-Z][a-z]")
_NOT_SEASON_AFTER = re.compile(r"\s+(?:of|in|from|to|into|on|at|back|short|apart)\b")

# A preposition that changes the window and/or a part-of modifier, directly left of a match.
_LEFT = re.compile(
    r"(?i)"
    r"(?:\b(?P<prep>before|by|until|till|since|after|from|between|around)\s+)?"
    r"(?:\b(?P<mod>(?:early|mid)(?:\s*-\s*|\s+)to(?:\s*-\s*|\s+)(?:mid|late)"
    r"|early|mid|late|later|earlier"
    r"|(?:the\s+)?(?:very\s+)?(?:beginning|start|middle|end|close)\s+of"
    r"|(?:the\s+)?(?:first|second|latter)\s+half\s+of"
    r"|(?:the\s+)?(?:first|second|third|fourth|last|final)\s+quarter\s+of"
    r"|(?:the\s+)?(?:first|second|third|fourth|last|final)\s+week\s+of"
    r"|(?:the\s+)?(?:first|opening|last|final|closing)\s+days\s+of"
    r"|(?:the\s+)?week\s+(?:of|beginning|starting|commencing))"
    r"(?:\s+in)?(?:\s*-\s*|\s+))?"
    r"$"
)


# Every modifier _LEFT knows ends in one of these words; checking that first keeps the search
# for a modifier off most matches.
_MOD_LAST_WORDS: tuple[str, ...] = (
    "early",
    "mid",
    "late",
    "later",
    "earlier",
    "of",
    "beginning",
    "starting",
    "commencing",
)
_MOD_TAIL_CHARS = 16


# --- expression families -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ctx:
    text: str
    published: date | None
    tense: Tense | None
    first: int  # offset of the first non-blank character
    last: int  # offset after the last character that is not blank or final punctuation

    def left(self, rx: re.Pattern[str], pos: int) -> re.Match[str] | None:
        """``rx`` (anchored with ``$``) matched against the few characters before ``pos``."""
        return rx.search(self.text, max(0, pos - LEFT_CONTEXT_CHARS), pos)

    def right(self, rx: re.Pattern[str], pos: int) -> re.Match[str] | None:
        return rx.match(self.text, pos)

    def alone(self, start: int, end: int) -> bool:
        """True when the match is the whole text: the caller asserted it is a time expression."""
        return start <= self.first and end >= self.last

    def tense_at(self, pos: int) -> Tense | None:
        """The sentence's tense, unless the preposition fixes it: "since March" is behind us."""
        return "past" if self.left(_SINCE_LEFT, pos) else self.tense

    def mod_kind(self, pos: int) -> str | None:
        """The part-of modifier left of ``pos`` ("late", "the first week of"), as a kind."""
        tail = self.text[max(0, pos - _MOD_TAIL_CHARS) : pos].rstrip(" -\t\n").lower()
        if tail.endswith(" in"):  # "early in May", but not the common "in May"
            tail = tail[:-3].rstrip()
        if not tail.endswith(_MOD_LAST_WORDS):
            return None  # the common case, decided without a regex search
        found = self.left(_LEFT, pos)
        return _mod_kind(found.group("mod")) if found and found.group("mod") else None

    def has_modifier(self, pos: int) -> bool:
        found = self.left(_LEFT, pos)
        return found is not None and found.group("mod") is not None


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    hit: _Hit


def _at(m: re.Match[str], hit: _Hit | None, start: int | None = None) -> _Found | None:
    return None if hit is None else _Found(m.start() if start is None else start, m.end(), hit)


def _span_days(m1: int, d1: int, m2: int, d2: int) -> int:
    """Days from month/day 1 to month/day 2 (into the next year when month 2 comes first)."""
    y2 = 2001 if m2 >= m1 else 2002  # common years: "February 29" is clamped, not rejected
    return (date(y2, m2, min(d2, _last_day(y2, m2))) - date(2001, m1, min(d1, 28))).days


def _year_offset(word: str) -> int:
    return {"this": 0, "next": 1, "last": -1}[word.lower()]


def _day_range(m: re.Match[str], ctx: _Ctx) -> _Found | None:
    """'May 9', 'Jan. 25-26', '9 May 2025', 'April 30 to May 6', 'Monday, December 5'."""
    groups = m.groupdict()
    m1 = _MONTH_NUM[m.group("m1").rstrip(".").lower()]
    m2 = _MONTH_NUM[groups["m2"].rstrip(".").lower()] if groups.get("m2") else m1
    if groups.get("m0"):  # "30 September to 2 October": the first month stands after day 1
        m1, m2 = _MONTH_NUM[groups["m0"].rstrip(".").lower()], m1
    d1 = int(m.group("d1").rstrip("stndrh"))
    d2 = int(m.group("d2").rstrip("stndrh")) if m.group("d2") else None
    start, end, year = m.start(), m.end(), m.group("y")
    y0 = groups.get("y0")
    both_years: _Window | None = None
    if y0 and d2 is not None and year:
        # "December 28, 2026 to January 3, 2027": each end carries its own year.
        lo, hi = _safe_date(int(y0), m1, d1), _safe_date(int(year), m2, d2)
        if lo and hi and lo <= hi and (hi - lo).days <= MAX_RANGE_DAYS:
            both_years = lo, hi
    if y0 and both_years is None:
        # A year after the first date but no range to go with it: that date alone.
        m2, d2, end, year = m1, None, m.end("y0"), y0
    if d2 is not None and m2 != m1 and _span_days(m1, d1, m2, d2) > MAX_RANGE_DAYS:
        # "on March 3 and November 5" names two dates, not an eight-month stay.
        first_month = "m0" if groups.get("m0") else "d1"
        m2, d2, end, year = m1, None, m.end(first_month), None
    if d2 is not None and m2 == m1 and d2 <= d1:
        if m.re is _RX_DM:
            return None
        # "on May 9 and 5 others": a count follows, so only "May 9" is a date.
        d2, end, year = None, m.end("d1"), None
    wd: int | None = None
    if m.re is _RX_DM:
        left = ctx.left(_DM_LEFT, start)
        if left is not None:
            start = left.start()
            name = left.group("wd") or left.group("wd2")
            wd = _WEEKDAY_NUM[name.lower()] if name else None
    elif left := ctx.left(_WEEKDAY_LEFT, start):
        start, wd = left.start(), _WEEKDAY_NUM[left.group("wd").lower()]

    def window(y: int) -> _Window | None:
        lo = _safe_date(y, m1, d1)
        if lo is None:
            return None
        if d2 is None:
            return lo, lo
        hi = _safe_date(y, m2, d2) if m2 >= m1 else _safe_date(y + 1, m2, d2)
        return (lo, hi) if hi is not None and hi >= lo else None

    p = ctx.published
    w: _Window | None
    if both_years:
        w = both_years
    elif year:
        # "28 December - 3 January 2027": the year belongs to the end of the range.
        w = window(int(year) - (1 if d2 is not None and m2 < m1 else 0))
    elif m.group("ry") and p is not None and end == m.end():
        w = window(p.year + _year_offset(m.group("ry")))
    elif p is not None:
        options = [w for y in (p.year - 1, p.year, p.year + 1) if (w := window(y))]
        # "Monday, December 5": the weekday tells which year is meant.
        if wd is not None and any(w[0].weekday() == wd for w in options):
            options = [w for w in options if w[0].weekday() == wd]
        w = _pick(options, p, ctx.tense_at(start), ctx.mod_kind(start))
    elif window(2000) or window(2001):  # a leap year and a common one: "February 29" is valid
        return _Found(start, end, _Hit(None, None, "day"))
    else:
        return None
    return _Found(start, end, _Hit(w[0], w[1], "day")) if w else None


def _numeric(m: re.Match[str], ctx: _Ctx) -> _Found | None:
    if ctx.left(_NOT_YEAR_LEFT, m.start()):
        return None  # "1.14.11.2025", "v2/14/11/2025"
    if m.group("sep") == "." and len(m.group("b")) == 1:
        return None  # "version 1.2.2026": dotted dates are written "01.02.2026"
    day, month = int(m.group("a")), int(m.group("b"))
    if month > MONTHS_IN_YEAR >= day:
        day, month = month, day
    d = _safe_date(int(m.group("y")), month, day)
    return _at(m, _Hit(d, d, "day") if d else None)


def _iso(m: re.Match[str], ctx: _Ctx) -> _Found | None:
    if ctx.left(_NOT_YEAR_LEFT, m.start()):
        return None
    d = _safe_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    return _at(m, _Hit(d, d, "day") if d else None)


def _month_name(m: re.Match[str], ctx: _Ctx) -> _Found | None:
    """'in March', 'March 2023', 'next March', 'May this year'; 'May' alone is a modal verb."""
    month = _MONTH_NUM[m.group("m").lower()]
    rel_match = ctx.left(_REL_LEFT, m.start())
    rel = rel_match.group("rel").lower() if rel_match else ""
    start = rel_match.start() if rel_match else m.start()
    qualified = bool(rel or m.group("y") or m.group("ry"))
    if not qualified and not ctx.alone(m.start(), m.end()):
        if month == 5 and not ctx.left(_MAY_CONTEXT, m.start()):
            return None
        # "June Carter", "the October Revolution": a bare month before a capitalised word is
        # part of a name unless a preposition says otherwise.
        if ctx.right(_CAPITALISED_AFTER, m.end()) and not ctx.left(_SEASON_CONTEXT, m.start()):
            return None
    if m.group("y"):
        lo, hi = _month(int(m.group("y")), month)
        return _at(m, _Hit(lo, hi, "month"), start)
    p = ctx.published
    if p is None:
        return _at(m, _Hit(None, None, "month"), start)
    if m.group("ry"):
        lo, hi = _month(p.year + _year_offset(m.group("ry")), month)
        return _at(m, _Hit(lo, hi, "month"), start)
    options = [_month(y, month) for y in range(p.year - 1, p.year + 3)]
    if rel in ("next", "coming"):
        w = _next_after(options, p)
    elif rel in ("last", "past"):
        w = _last_before(options, p)
    elif rel == "this":
        w = _month(p.year, month)
    else:
        w = _pick(options[:3], p, ctx.tense_at(start), ctx.mod_kind(start))
    return _at(m, _Hit(w[0], w[1], "month") if w else None, start)


def _month_span(m: re.Match[str], ctx: _Ctx) -> _Found | None:
    """'May-June', 'between March and May', 'from October to December 2026', 'June or July'."""
    m1, m2 = _MONTH_NUM[m.group("m").lower()], _MONTH_NUM[m.group("m2").lower()]
    if m1 == m2:
        return None
    between = ctx.left(_SPAN_LEFT, m.start()) is not None
    if m1 == 5 and not (ctx.left(_MAY_CONTEXT, m.start()) or between):
        return None  # "May and June": a name or a verb can come first
    if m.group("alt") and (m2 - m1) % MONTHS_IN_YEAR != 1 and not between:
        return None  # "in March and June" names two months; "June or July" is one span

    def window(y: int) -> _Window:
        lo = date(y, m1, 1)
        return lo, _month(y if m2 > m1 else y + 1, m2)[1]

    if m.group("y"):
        y = int(m.group("y"))
        return _at(m, _Hit(*window(y if m2 > m1 else y - 1), "month"))
    p = ctx.published
    if p is None:
        return _at(m, _Hit(None, None, "month"))
    options = [window(y) for y in (p.year - 1, p.year, p.year + 1)]
    w = _pick(options, p, ctx.tense_at(m.start()), ctx.mod_kind(m.start()))
    return _at(m, _Hit(w[0], w[1], "month") if w else None)


def _year_number(m: re.Match[str], ctx: _Ctx) -> _Found | None:
    """'in 2016', 'the 2025 celebration'; a bare number needs a date-like word to its left."""
    if ctx.left(_NOT_YEAR_LEFT, m.start()):
        return None  # "$2000", "5.2000", "12-2000"
    context = ctx.left(_YEAR_CONTEXT, m.start())
    if context is None and not ctx.alone(m.start(), m.end()):
        return None
    if ctx.left(_QUANTITY_LEFT, m.start()) and ctx.right(_QUANTITY_AFTER, m.end()):
        return None  # "of 2000 people"
    lo, hi = _year(int(m.group("y")))
    return _at(m, _Hit(lo, hi, "year"))


def _season_name(m: re.Match[str], ctx: _Ctx) -> _Found | None:
    """'next spring', 'the spring of next year', 'spring 2023', 'in the autumn', 'a
    summertime call'."""
    name = m.group("s").lower()
    if name not in _SEASON_START:
        return None  # "Winter"/"Summer" were matched by first-letter class: "Fummer"
    # "springtime", "summertime", "wintertime" can only be seasons, and need no "the" or "in".
    timed = m.group("time") is not None
    if timed and name in ("fall", "autumn"):
        return None
    rel_match = ctx.left(_SEASON_REL_LEFT, m.start())
    rel = rel_match.group("rel").lower() if rel_match else ""
    start = rel_match.start() if rel_match else m.start()
    year = m.group("y") or m.group("y2")
    explicit = bool((rel and rel != "the") or year or m.group("ofrel"))
    if not explicit:
        at_sentence_start = m.start() <= ctx.first
        capitalised = m.group("s")[0].isupper() and not at_sentence_start
        if capitalised and ctx.right(_CAPITALISED_AFTER, m.end()):
            return None  # "Winter Olympics", "Spring Festival"
        if not timed and name in ("fall", "spring") and ctx.right(_NOT_SEASON_AFTER, m.end()):
            return None  # "the fall of Kabul", "the fall in prices"
        # A bare season needs "the" or a preposition: "spring water" is not a time.
        if not (
            timed or rel or ctx.alone(m.start(), m.end()) or ctx.left(_SEASON_CONTEXT, m.start())
        ):
            return None
    if year:
        lo, hi = _season(name, int(year))
        return _at(m, _Hit(lo, hi, "season"), start)
    p = ctx.published
    if p is None:
        return _at(m, _Hit(None, None, "season"), start)
    if m.group("ofrel"):
        lo, hi = _season(name, p.year + _year_offset(m.group("ofrel")))
        return _at(m, _Hit(lo, hi, "season"), start)
    options = [_season(name, y) for y in range(p.year - 2, p.year + 3)]
    if rel in ("next", "coming"):
        w = _next_after(options, p)
    elif rel in ("last", "past"):
        w = _last_before(options, p)
    elif rel == "this":
        w = next((o for o in options if o[0] <= p <= o[1]), None) or _season(name, p.year)
    else:
        w = _pick(options[1:4], p, ctx.tense_at(start), ctx.mod_kind(start))
    return _at(m, _Hit(w[0], w[1], "season") if w else None, start)


def _weekday_occurrence(wd: int, rel: str, p: date, tense: Tense | None) -> date:
    back = p - timedelta(days=(p.weekday() - wd) % 7)  # on or before
    ahead = p + timedelta(days=(wd - p.weekday()) % 7)  # on or after
    if rel in ("next", "coming"):
        return ahead if ahead > p else ahead + timedelta(days=7)
    if rel in ("last", "past"):
        return back if back < p else back - timedelta(days=7)
    if tense == "past":
        return back
    if tense == "future":
        return ahead
    # Unknown tense: the nearer one; news more often reports than previews, so ties go back.
    return back if (p - back) <= (ahead - p) else ahead


def _weekday(m: re.Match[str], ctx: _Ctx) -> _Found | None:
    """'on Friday', 'next Tuesday', 'Friday and Saturday'."""
    rel_match = ctx.left(_REL_LEFT, m.start())
    rel = rel_match.group("rel").lower() if rel_match else ""
    start = rel_match.start() if rel_match else m.start()
    p = ctx.published
    if p is None:
        return _at(m, _Hit(None, None, "day"), start)
    lo = _weekday_occurrence(_WEEKDAY_NUM[m.group("wd").lower()], rel, p, ctx.tense_at(start))
    hi = lo
    if m.group("wd2"):
        hi = lo + timedelta(days=(_WEEKDAY_NUM[m.group("wd2").lower()] - lo.weekday()) % 7)
    return _at(m, _Hit(lo, hi, "day"), start)


_DAY_OFFSET = {
    "today": 0,
    "tonight": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "tomorrow": 1,
    "yesterday": -1,
    "last night": -1,  # a wire story of the morning: the evening before
    "the day before yesterday": -2,
    "the day after tomorrow": 2,
}


def _relative_day(m: re.Match[str], ctx: _Ctx) -> _Found | None:
    """'today', 'tonight', 'this morning', 'tomorrow', 'yesterday', 'last night'."""
    word = " ".join(m.group("w").lower().split())
    if word not in _DAY_OFFSET:
        return None  # the first-letter class also admits "yoday"
    p = ctx.published
    if p is None:
        return _at(m, _Hit(None, None, "day"))
    d = p + timedelta(days=_DAY_OFFSET[word])
    return _at(m, _Hit(d, d, "day"))


def number_word(word: str) -> int | None:
    """The number a word or numeral names ('four', '4'), or None."""
    word = word.lower()
    return int(word) if word.isdigit() else _NUM_WORDS.get(word)


def _count(raw: str | None, unit: str) -> int:
    if raw is None:
        return DEFAULT_SPAN_COUNT[unit]
    words = raw.lower().split()
    word = words[-1] if words[-1] != "of" else words[-2]
    return int(word) if word.isdigit() else _NUM_WORDS[word]


def _unit(m: re.Match[str], ctx: _Ctx) -> _Found | None:
    """A unit word and what surrounds it: 'next week', 'in the coming days', 'two years ago'."""
    unit = m.group("u").lower()
    plural = m.group("pl") is not None
    if unit != "weekend" and (ago := ctx.right(_AGO_RIGHT, m.end())):
        count = ctx.left(_COUNT_LEFT, m.start())
        if count is None:
            return None
        return _ago(count.start(), ago.end(), _count(count.group("n"), unit), unit, ctx)
    fwd = ctx.left(_FORWARD_LEFT, m.start()) if unit != "weekend" else None
    raw = None if fwd is None else fwd.group("n1") or fwd.group("n2") or fwd.group("n3")
    # A singular unit without a count ("the next week") is a calendar period, read below.
    if fwd is not None and (raw or plural):
        end = m.end()
        if tail := ctx.right(_TIME_RIGHT, end):
            end = tail.end()
        elif fwd.group("n3") and unit in ("month", "year"):
            return None  # "his first visit in six years" looks back, not ahead
        p = ctx.published
        if p is None:
            return _Found(fwd.start(), end, _Hit(None, None, "vague"))
        n = _count(raw, unit)
        if unit == "month":
            y, mo = _shift_month(p.year, p.month, n)
            hi = date(y, mo, min(p.day, _last_day(y, mo)))
        else:
            hi = p + timedelta(days=n * _UNIT_DAYS[unit])
        return _Found(fwd.start(), end, _Hit(p, hi, "vague"))
    if plural or unit == "day":
        return None
    if unit == "weekend" and ctx.right(_TRIP_NOUN_RIGHT, m.end()):
        # 'a brief weekend visit': the weekend the tense points to
        return _the_weekend(m.start(), m.end(), ctx)
    period = ctx.left(_PERIOD_LEFT, m.start())
    if period is None:
        return None
    return _period(period, m, unit, ctx)


def _period(rel_match: re.Match[str], m: re.Match[str], unit: str, ctx: _Ctx) -> _Found | None:
    """'this week', 'next month', 'last year', 'the end of the month', 'the past year'."""
    rel = " ".join(rel_match.group("rel").lower().split())
    start = rel_match.start()
    if rel in ("next", "last", "this") and ctx.right(_OF_DATE_RIGHT, m.end()):
        return None
    if rel == "the" and unit == "weekend" and ctx.left(_WEEKEND_PREP, start):
        return _the_weekend(start, m.end(), ctx)
    if rel == "the" and not ctx.has_modifier(start):
        return None  # "the year" is a calendar period only after "the end of" and the like
    gran: Granularity = (
        "week" if unit in ("week", "weekend") else "month" if unit == "month" else "year"
    )
    p = ctx.published
    if p is None:
        return _Found(start, m.end(), _Hit(None, None, gran))
    if rel in ("the past", "the coming"):
        n = timedelta(days=_UNIT_DAYS[unit])
        lo, hi = (p - n, p) if rel == "the past" else (p, p + n)
        return _Found(start, m.end(), _Hit(lo, hi, "vague"))
    step = {"next": 1, "last": -1}.get(rel, 0)
    if (
        rel == "this"
        and unit == "week"
        and p.weekday() == _SUNDAY
        and ctx.tense_at(start) != "past"
    ):
        step = 1  # a Sunday paper's 'this week' is the week that starts tomorrow
    if unit in ("week", "weekend"):
        lo, hi = _week(p + timedelta(days=7 * step))
        if unit == "weekend":
            lo = hi - timedelta(days=1)
    elif unit == "month":
        lo, hi = _month(*_shift_month(p.year, p.month, step))
    else:
        lo, hi = _year(p.year + step)
    return _Found(start, m.end(), _Hit(lo, hi, gran))


_SATURDAY = 5
_SUNDAY = 6


def _the_weekend(start: int, end: int, ctx: _Ctx) -> _Found:
    """'over the weekend', 'at the weekend': the Saturday-Sunday the tense points to, as a
    weekday would be read ('on Saturday')."""
    p = ctx.published
    if p is None:
        return _Found(start, end, _Hit(None, None, "week"))
    saturday = _weekday_occurrence(_SATURDAY, "", p, ctx.tense_at(start))
    if ctx.tense_at(start) is None and p.weekday() == _SATURDAY + 1:
        saturday = p - timedelta(days=1)  # a Sunday story: this weekend, not the next
    return _Found(start, end, _Hit(saturday, saturday + timedelta(days=1), "week"))


def _ago(start: int, end: int, n: int, unit: str, ctx: _Ctx) -> _Found:
    """'three days ago' is that day; weeks, months and years ago are that calendar unit."""
    p = ctx.published
    grans: dict[str, Granularity] = {"day": "day", "week": "week", "month": "month"}
    gran = grans.get(unit, "year")
    if p is None:
        return _Found(start, end, _Hit(None, None, gran))
    if unit == "day":
        lo = hi = p - timedelta(days=n)
    elif unit == "week":
        lo, hi = _week(p - timedelta(days=7 * n))
    elif unit == "month":
        lo, hi = _month(*_shift_month(p.year, p.month, -n))
    else:
        lo, hi = _year(p.year - n)
    return _Found(start, end, _Hit(lo, hi, gran))


_Handler = Callable[[re.Match[str], _Ctx], "_Found | None"]
_FAMILIES: tuple[tuple[re.Pattern[str], _Handler], ...] = (
    (_RX_ISO, _iso),
    (_RX_NUMERIC, _numeric),
    (_RX_MD, _day_range),
    (_RX_DM, _day_range),
    (_RX_MONTH, _month_name),
    (_RX_MONTH_SPAN, _month_span),
    (_RX_YEAR, _year_number),
    (_RX_SEASON, _season_name),
    (_RX_WEEKDAY, _weekday),
    (_RX_RELDAY, _relative_day),
    (_RX_UNIT, _unit),
)


# --- modifiers -----------------------------------------------------------------------------------

_MOD_KIND = {
    "early": "early",
    "beginning of": "early",
    "start of": "early",
    "mid": "mid",
    "middle of": "mid",
    "late": "late",
    "end of": "late",
    "close of": "late",
    "later": "later",
    "earlier": "earlier",
    "first half of": "h1",
    "second half of": "h2",
    "latter half of": "h2",
    "first quarter of": "q1",
    "second quarter of": "q2",
    "third quarter of": "q3",
    "fourth quarter of": "q4",
    "last quarter of": "q4",
    "final quarter of": "q4",
    "early to mid": "early-mid",
    "mid to late": "mid-late",
    "first week of": "wk1",
    "second week of": "wk2",
    "third week of": "wk3",
    "fourth week of": "wk4",
    "last week of": "wklast",
    "final week of": "wklast",
    "first days of": "firstdays",
    "opening days of": "firstdays",
    "last days of": "lastdays",
    "final days of": "lastdays",
    "closing days of": "lastdays",
    "week of": "weekof",
    "week beginning": "weekfrom",
    "week starting": "weekfrom",
    "week commencing": "weekfrom",
}
# "the second week of May" is days 8-14: weeks of a month or year are counted from its first day.
_ORDINAL_WEEK = {"wk1": 0, "wk2": 1, "wk3": 2, "wk4": 3}
_WEEK_DAYS = 7
# A month splits at fixed days ("early September" = 1-10, "mid-" = 11-20, "late" = 21-end).
_MONTH_THIRD_DAYS = 10
_FINER: dict[Granularity, Granularity] = {
    "year": "season",
    "season": "month",
    "month": "week",
    "week": "day",
}


def _mod_kind(raw: str) -> str | None:
    words = [w for w in raw.lower().replace("-", " ").split() if w not in ("the", "very")]
    if words and words[-1] == "in":
        words.pop()
    return _MOD_KIND.get(" ".join(words))


def _apply_mod(kind: str, hit: _Hit, p: date | None) -> _Hit:
    lo, hi = hit.lo, hit.hi
    if lo is None or hi is None:
        return hit
    if kind == "later":
        return _Hit(max(lo, p), hi, hit.gran) if p is not None and p <= hi else hit
    if kind == "earlier":
        return _Hit(lo, min(hi, p), hit.gran) if p is not None and p >= lo else hit
    if "-" in kind:  # "mid-to-late May": from the start of one part to the end of the other
        first, second = (_apply_mod(k, hit, p) for k in kind.split("-"))
        return _Hit(first.lo, second.hi, first.gran)
    if kind in ("weekof", "weekfrom"):
        if lo != hi:
            return hit  # "the week of the summit" is no date we know
        if kind == "weekof":  # "the week of May 5": the Monday-Sunday week holding the day
            a, b = _week(lo)
            return _Hit(a, b, "week")
        return _Hit(lo, lo + timedelta(days=_WEEK_DAYS - 1), "week")
    if kind in ("firstdays", "lastdays"):
        # "the last days of May" / "of the year": the last ten days, whatever the period.
        if (hi - lo).days + 1 <= _MONTH_THIRD_DAYS:
            return hit
        span = timedelta(days=_MONTH_THIRD_DAYS - 1)
        a, b = (lo, lo + span) if kind == "firstdays" else (hi - span, hi)
        return _Hit(a, b, "week")
    if kind in _ORDINAL_WEEK or kind == "wklast":
        if (hi - lo).days + 1 < 4 * _WEEK_DAYS:
            return hit  # only a month or longer has weeks to count
        if kind == "wklast":
            return _Hit(hi - timedelta(days=_WEEK_DAYS - 1), hi, "week")
        a = lo + timedelta(days=_WEEK_DAYS * _ORDINAL_WEEK[kind])
        return _Hit(a, a + timedelta(days=_WEEK_DAYS - 1), "week")
    parts, index = {
        "early": (3, 0),
        "mid": (3, 1),
        "late": (3, 2),
        "h1": (2, 0),
        "h2": (2, 1),
        "q1": (4, 0),
        "q2": (4, 1),
        "q3": (4, 2),
        "q4": (4, 3),
    }[kind]
    finer = _FINER.get(hit.gran, hit.gran)
    months = _whole_months((lo, hi))
    if months == 1 and parts == 3:
        start = lo + timedelta(days=_MONTH_THIRD_DAYS * index)
        end = hi if index == 2 else start + timedelta(days=_MONTH_THIRD_DAYS - 1)
        return _Hit(start, end, finer)
    if months and months % parts == 0:
        size = months // parts
        a, b = _month_slice((lo, hi), index * size, size)
        return _Hit(a, b, finer)
    days = (hi - lo).days + 1
    size = days // parts
    if size == 0:
        return hit
    start = lo + timedelta(days=size * index)
    end = hi if index == parts - 1 else start + timedelta(days=size - 1)
    return _Hit(start, end, finer)


def _apply_prep(prep: str, hit: _Hit, p: date | None) -> _Hit:
    # "before mid-March" in a March 4 article: any time from now until the deadline.
    if prep in ("before", "by", "until", "till") and p is not None and hit.hi and p <= hit.hi:
        return _Hit(p, hit.hi, hit.gran)
    return hit


# --- public API ----------------------------------------------------------------------------------


def _resolve(cands: list[_Found]) -> list[_Found]:
    """Keep the longest of overlapping matches (the earlier one on a tie)."""
    cands.sort(key=lambda c: (c.start - c.end, c.start))
    starts: list[int] = []
    kept: list[_Found] = []
    for cand in cands:
        i = bisect.bisect_right(starts, cand.start)
        if i > 0 and kept[i - 1].end > cand.start:
            continue
        if i < len(starts) and starts[i] < cand.end:
            continue
        starts.insert(i, cand.start)
        kept.insert(i, cand)
    return kept


def find_times(text: str, published: date | None, tense: Tense | None = None) -> list[TimeMention]:
    """Every time expression in ``text``, left to right, non-overlapping, longest match first.

    Mentions that need the publication date to be anchored keep ``when.start``/``when.end``
    ``None`` when ``published`` is ``None`` or outside ``YEAR_MIN``..``YEAR_MAX``.
    """
    if published is not None and not YEAR_MIN <= published.year <= YEAR_MAX:
        # Such a date comes only from a bad field or override ("0001-01-01"); anchoring on it
        # would step off the calendar ("last year"), so it is treated as unknown.
        published = None
    first = len(text) - len(text.lstrip())
    last = len(text.rstrip(" \t\r\n.,;:"))
    ctx = _Ctx(text, published, tense, first, last)
    cands: list[_Found] = []
    for rx, handler in _FAMILIES:
        pos = 0
        while (m := rx.search(text, pos)) is not None:
            s = m.start()
            pos = max(m.end(), s + 1)
            if s and (text[s - 1].isalnum() or text[s - 1] == "_"):
                continue  # inside a word: "G8", "Mayor", "birthday"
            found = handler(m, ctx)
            if found is not None:
                cands.append(found)
                if found.end < m.end():
                    # The handler kept only the head ("March 3" of "March 3 and November 5"):
                    # the rest is scanned again, so the second date is not lost.
                    pos = max(found.end, s + 1)
    mentions: list[TimeMention] = []
    prev_end = 0
    for found in _resolve(cands):
        hit, start = found.hit, found.start
        left = _LEFT.search(text, max(prev_end, start - LEFT_CONTEXT_CHARS), start)
        if left is not None and left.group():
            start = left.start()
            if left.group("mod") and (kind := _mod_kind(left.group("mod"))):
                hit = _apply_mod(kind, hit, published)
            if left.group("prep"):
                hit = _apply_prep(left.group("prep").lower(), hit, published)
        raw = text[start : found.end]
        mentions.append(TimeMention(start, found.end, raw, When(raw, hit.lo, hit.hi), hit.gran))
        prev_end = found.end
    return mentions


_LEADING_FILLER = re.compile(r"(?i)^\s*(?:(?:in|on|at|during|for|of|around|over)\s+)?$")


def normalise(expr: str, published: date | None, tense: Tense | None = None) -> When | None:
    """One time expression -> its window; ``None`` when it is not one or cannot be anchored."""
    mentions = find_times(expr.strip(), published, tense)
    if len(mentions) != 1:
        return None
    mention = mentions[0]
    stripped = expr.strip()
    if not _LEADING_FILLER.match(stripped[: mention.start]):
        return None
    if stripped[mention.end :].strip(" .,;:"):
        return None
    if mention.when.start is None or mention.when.end is None:
        return None
    return When(stripped, mention.when.start, mention.when.end)


# Counts without the article: "a day-long visit" must reach the "-long" reading.
_NUM_COUNT = _NUM.replace("|an?|", "|")
_RX_DURATION = re.compile(
    rf"(?i)\b(?:(?P<n>{_NUM_COUNT})[\s-]+(?P<u>day|week|month)(?:[\s-]*long)?\b(?!s)"
    rf"|(?P<u2>day|week|month|fortnight)[\s-]*long\b"
    rf"|(?P<n3>{_NUM_COUNT})\s+(?P<u3>day|week)s\s+of\b"
    rf"|\bfor\s+(?P<n4>{_NUM_COUNT})\s+(?P<u4>day|week)s?\b)"
)
_DURATION_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30}


def duration_days(text: str) -> int | None:
    """Length of a trip as the text states it: "a two-day visit" -> 2, "week-long" -> 7."""
    for m in _RX_DURATION.finditer(text):
        if m.group("u2"):
            n, unit = 1, m.group("u2").lower()
        else:
            raw = m.group("n") or m.group("n3") or m.group("n4")
            unit = (m.group("u") or m.group("u3") or m.group("u4")).lower()
            n = _count(raw, unit)
        days = n * _DURATION_UNIT_DAYS[unit]
        if 0 < days <= MAX_DURATION_DAYS:
            return days
    return None
