"""The trigger vocabulary: one table the pre-filter (:mod:`visitrack.nlp`) and the extractor
(:mod:`visitrack.extract`) both read, so a word the extractor acts on can never be dropped
before parsing.

Each row is a lemma with the kind of trigger it makes and the surface forms the pre-filter
looks for in raw text. ``forms`` is a regular expression fragment matched case-insensitively
at a word boundary; irregular forms are written out ("went", "flew", "left").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from visitrack.records import Role

TriggerClass = Literal[
    "travel", "motion", "trip", "event", "invite", "host", "take", "arrival", "activity", "route"
]


@dataclass(frozen=True, slots=True)
class Trigger:
    """One trigger word: its lemma, what it makes, and its surface forms in raw text."""

    lemma: str
    kind: TriggerClass
    forms: str


def _regular(stem: str) -> str:
    return stem + r"\w*"


# What may lie between an act and its place. The pattern is matched one sentence at a time,
# so a full stop inside it belongs to an abbreviation ('chaired talks with S. Jaishankar in Delhi',
# 'addressed the U.N. assembly in Geneva'); a semicolon still ends the clause.
_GAP = r"[^;]"


def _activity(forms: str) -> str:
    """An act's forms followed within a few words by 'in'/'at' and a capitalised place."""
    return forms + r"\b" + _GAP + r"{0,80}?\b(?:in|at)\s+(?-i:[A-Z])"


# Verbs of travel. "motion" verbs are trips only with a direction ('went to Paris', not 'went
# on'); the extractor checks for the direction, the pre-filter only for the word.
TRIGGERS: tuple[Trigger, ...] = (
    Trigger("visit", "travel", _regular("visit")),
    Trigger("travel", "motion", _regular("travel")),
    Trigger("fly", "motion", r"fl(?:y|ies|ew|ying|own)"),
    Trigger("head", "motion", r"head(?:s|ed|ing)?\s+(?:to|for|back)"),
    Trigger("go", "motion", r"(?:go|goes|going|went|gone)\s+(?:to|back)"),
    Trigger("come", "motion", r"(?:come|comes|coming|came)\s+to"),
    Trigger("arrive", "travel", _regular("arriv")),
    Trigger("land", "travel", r"land(?:s|ed|ing)?\s+(?:in|at)"),
    Trigger("tour", "travel", _regular("tour")),
    Trigger("attend", "travel", _regular("attend")),
    Trigger("leave", "motion", r"(?:leav\w*|left)\s+(?:for|to)"),
    Trigger("depart", "motion", _regular("depart")),
    Trigger("return", "motion", _regular("return")),
    Trigger("stop", "motion", r"stop(?:s|ped|ping)?\s+(?:in|at|over)"),
    # a tour or trip 'that has taken X to A, B and C'
    Trigger("take", "take", r"(?:take|takes|taking|took|taken)\b[^.;]{0,60}?\bto"),
    # expected arrivals: 'is expected in Helsinki on Thursday', 'is due in Ankara'
    Trigger("expect", "arrival", r"expected\s+(?:in|at)\b"),
    Trigger("due", "arrival", r"due\s+(?:in|at)\b"),
    # nouns of a trip
    Trigger("trip", "trip", _regular("trip")),
    Trigger("journey", "trip", _regular("journey")),
    Trigger("stopover", "trip", _regular("stopover")),
    Trigger("arrival", "trip", _regular("arriv")),
    Trigger("attendance", "trip", _regular("attend")),
    Trigger("mission", "trip", _regular("mission")),
    Trigger("delegation", "trip", _regular("delegation")),
    Trigger("visitor", "trip", _regular("visit")),
    # the journey's end: 'stopped in Madrid on her way to Rome', 'en route to Washington'
    Trigger("way", "route", r"way\s+to"),
    Trigger("route", "route", r"route\s+to"),
    # events: a trip when placed ('the summit in Doha')
    Trigger("summit", "event", _regular("summit")),
    Trigger("parade", "event", _regular("parade")),
    Trigger("celebration", "event", _regular("celebrat")),
    Trigger("ceremony", "event", _regular("ceremon")),
    Trigger("forum", "event", _regular("forum")),
    Trigger("conference", "event", _regular("conference")),
    Trigger("funeral", "event", _regular("funeral")),
    Trigger("inauguration", "event", _regular("inaugurat")),
    Trigger("meeting", "event", _regular("meeting")),
    Trigger("talks", "event", r"talks"),
    Trigger("session", "event", _regular("session")),
    Trigger("fair", "event", r"fairs?"),
    Trigger("festival", "event", _regular("festival")),
    Trigger("games", "event", r"games"),
    Trigger("commemoration", "event", _regular("commemorat")),
    Trigger("anniversary", "event", _regular("anniversar")),
    Trigger("swearing", "event", r"swearing"),
    Trigger("dialogue", "event", _regular("dialog")),
    # acts that put the actor in a place ('addressed parliament in Nairobi', 'will chair a
    # meeting in Cape Town', 'laid a wreath in Hanoi'): a trip when the place is abroad. The
    # pre-filter wants a capitalised place after 'in'/'at' close by.
    Trigger("address", "activity", _activity(r"address(?:es|ed|ing)?")),
    Trigger("chair", "activity", _activity(r"chair(?:s|ed|ing)?")),
    Trigger("inaugurate", "activity", _activity(r"inaugurat(?:e|es|ed|ing)")),
    Trigger("lay", "activity", _activity(r"(?:lay|lays|laid|laying)")),
    Trigger("sign", "activity", _activity(r"sign(?:s|ed|ing)?")),
    Trigger("speak", "activity", _activity(r"(?:speak|speaks|spoke|speaking)")),
    Trigger("open", "activity", _activity(r"open(?:s|ed|ing)?")),
    # invitations and hosting
    Trigger("invite", "invite", _regular("invit")),
    Trigger("invitation", "invite", _regular("invit")),
    Trigger("host", "host", _regular("host")),
    Trigger("receive", "host", _regular("receiv")),
    Trigger("welcome", "host", _regular("welcom")),
)

# Surface patterns that signal a visit or its stage without being one trigger lemma: the
# extractor reads them through the parse (stage cues, 'be in', 'meet in'), so sentences holding
# them must be parsed too.
EXTRA_PATTERNS: tuple[str, ...] = (
    r"postpon\w*",
    r"cancel\w*",
    r"call\w*\s+off",
    r"scrap\w*",
    r"shelv\w*",
    r"snub\w*",
    r"(?:is|was|are|were|be|been)\s+(?:in\s+[A-Z]|present)",
    # present where the story is filed: 'who is here for talks', 'was currently here'
    r"(?:is|was|are|were|be|been)\s+(?:\w+\s+)?here\b",
    r"state\s+visit",
    # a place left: 'left Bonn early yesterday evening'
    r"(?:leav(?:e|es|ing)|left|depart(?:s|ed|ing)?)\s+(?-i:[A-Z])",
    # a meeting, with its place ('met X in Y') or without ('ROME - Meloni has met A and B':
    # where the dateline is)
    r"me(?:et|ets|t)\b",
)


def _lemmas(*kinds: TriggerClass) -> frozenset[str]:
    return frozenset(t.lemma for t in TRIGGERS if t.kind in kinds)


TRAVEL_VERBS = _lemmas("travel", "motion")
ACTIVITY_VERBS = _lemmas("activity")
MOTION_VERBS = _lemmas("motion")
TRIP_NOUNS = _lemmas("trip") | {"visit", "tour", "travel"}

# Adjectives that name one office's holder as a trip's traveller ('the first papal visit to
# Iraq'): adjective -> (state, role). Only offices with one holder at a time and no other
# reading ('presidential' or 'royal' could be any state's).
OFFICE_ADJECTIVES: dict[str, tuple[str, Role]] = {
    "papal": ("VAT", "head_of_state"),
    "pontifical": ("VAT", "head_of_state"),
}
EVENT_NOUNS = _lemmas("event")
INVITE_WORDS = _lemmas("invite")
HOST_VERBS = _lemmas("host")
TAKE_VERBS = _lemmas("take")
ARRIVAL_WORDS = _lemmas("arrival")
ROUTE_NOUNS = _lemmas("route")


def prefilter_pattern() -> re.Pattern[str]:
    """The pre-filter: any trigger's surface form or any extra pattern, case-insensitive.

    A miss here is a miss in the output, so it errs on the side of recall."""
    alternatives = [t.forms for t in TRIGGERS] + list(EXTRA_PATTERNS)
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")", re.IGNORECASE)


# Words in a person's title that make them a state's official, for placing a person no
# gazetteer knows by the country the story is told from.
OFFICIAL_TITLE_WORDS = frozenset(
    {
        "minister",
        "secretary",
        "director",
        "assistant",
        "adviser",
        "advisor",
        "envoy",
        "commander",
        "general",
        "admiral",
        "official",
        "senator",
        "congressman",
        "congresswoman",
        "deputy",
        "undersecretary",
        "representative",
        "coordinator",
        "administrator",
        "governor",
        "president",
        "premier",
        "chancellor",
        "lady",
        "gentleman",
        "spokesperson",
    }
)
# Church titles: they stand before a name as state titles do ('Cardinal Ana Ruiz'), and an
# appositive starting with one is the office of the name before it.
RELIGIOUS_TITLE_WORDS = frozenset(
    {
        "cardinal",
        "archbishop",
        "bishop",
        "patriarch",
        "metropolitan",
        "nuncio",
        "monsignor",
        "rabbi",
        "imam",
        "ayatollah",
    }
)
# Titles that name the state their holder serves, whatever the holder's birthplace: a
# cardinal or a nuncio acts for the Holy See (Vatican City's ISO code).
TITLE_STATES: dict[str, str] = {
    "cardinal": "VAT",
    "nuncio": "VAT",
}
# Words that make a person a company's, club's or artist's, never a state's official.
NON_OFFICIAL_TITLE_WORDS = frozenset(
    {
        "ceo",
        "chairman",
        "chairwoman",
        "executive",
        "founder",
        "billionaire",
        "businessman",
        "businesswoman",
        "investor",
        "coach",
        "player",
        "striker",
        "captain",
        "champion",
        "singer",
        "actor",
        "actress",
        "star",
        "rapper",
        "company",
        "bank",
        "club",
        "exchange",  # a stock or commodity exchange's president
        "firm",
        # a government's voice, whose words are reported, not their travels
        "information",
        "media",
        "press",
        "communications",
    }
)


# Verbs of saying: a time on them dates the report, not the trip ('said on Wednesday he will
# visit in April').
REPORTING_VERBS = frozenset(
    {
        "say",
        "announce",
        "tell",
        "confirm",
        "reveal",
        "report",
        "state",
        "add",
        "note",
        "disclose",
        "declare",
        "write",
        "tweet",
        "post",
        "inform",
    }
)


# Verbs whose subject speaks of, hopes for or urges what the clause under them names ('said
# the next meeting will be brief', 'urged the coming summit to act'): the subject is not
# thereby at that gathering.
STANCE_VERBS = REPORTING_VERBS | frozenset(
    {"expect", "predict", "hope", "believe", "think", "urge", "call", "warn", "argue"}
)
