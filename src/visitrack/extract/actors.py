"""Actors: the people and unnamed officials a sentence speaks of, and what a story knows.

:func:`find_actors` maps a parsed sentence's tokens to :class:`Actor` records: named people
resolved through the gazetteer, titles ("Russian Foreign Minister") and earlier mentions;
bare surnames the recogniser missed; officials named by title only ("the Chinese leader").
:class:`Discourse` keeps what a story has established so far, so that later sentences can
refer back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from visitrack import resolve
from visitrack.extract.lexicon import (
    OFFICE_ADJECTIVES,
    OFFICIAL_TITLE_WORDS,
    RELIGIOUS_TITLE_WORDS,
    TITLE_STATES,
    TRIP_NOUNS,
)
from visitrack.records import Party, Role, When

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# Title words that make a noun phrase a (possibly unnamed) official.
TITLE_WORDS = frozenset(
    {
        "president",
        "leader",
        "premier",
        "minister",
        "chancellor",
        "king",
        "queen",
        "prince",
        "emir",
        "sultan",
        "secretary",
        "envoy",
        "ambassador",
        "speaker",
        "counterpart",
        "chief",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "pope",
        "monarch",
        "head",
        "foreign minister",
        "president-elect",
        "vice",
        "delegation",
        "mission",
        "leaders",
        "officials",
        "official",
        "diplomat",
        "adviser",
        "advisor",
        "commissioner",
        "senator",
        "governor",
        "general",
    }
)
# Officials whose words are reported, not their travels: never the visitor of a frame.
SPEAKER_TITLES = (
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "press secretary",
    "reporter",
    "correspondent",
)
PRONOUNS = frozenset({"he", "she", "his", "her", "him", "hers"})
# The gender a pronoun refers to, for ruling out antecedents whose given name says otherwise.
PRONOUN_GENDER = {
    "he": "male",
    "his": "male",
    "him": "male",
    "she": "female",
    "her": "female",
    "hers": "female",
}
# A name the recogniser missed is trusted from an appositive title only when it is this many
# capitalised words: one word is too often a place or an organisation, four a phrase.
UNTAGGED_NAME_WORDS = (2, 3)
# Entity types that make a capitalised run something other than a person's name.
NON_PERSON_ENTS = frozenset(
    {"GPE", "LOC", "NORP", "ORG", "FAC", "DATE", "TIME", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)
# Prepositions that tie a person to the state they represent: 'Ken Mori of Japan'.
COUNTRY_PREPS = frozenset({"of", "from"})


@lru_cache(maxsize=1)
def _gender_detector() -> Any:
    import gender_guesser.detector as detector  # deferred: loads a 40,000-name table

    return detector.Detector(case_sensitive=False)


@lru_cache(maxsize=4096)
def name_gender(name: str) -> str | None:
    """'male' or 'female' when the given name of a full name says so clearly, else None
    (gender-guesser's table of given names by country; 'andy' and 'unknown' say nothing)."""
    words = [w for w in name.replace(".", " ").split() if len(w) > 1]
    if len(words) < 2:
        return None
    verdict = str(_gender_detector().get_gender(words[0]))
    return verdict.removeprefix("mostly_") if verdict.endswith(("male", "female")) else None


def pronoun_fits(pronoun: str, actor: Actor) -> bool:
    """Whether a pronoun can refer to an actor: not 'she' for a man named as such."""
    wanted = PRONOUN_GENDER.get(pronoun.lower())
    if wanted is None or not actor.name:
        return True
    found = name_gender(actor.name)
    return found is None or found == wanted


@dataclass(frozen=True, slots=True)
class Actor:
    """A person or unnamed official a sentence speaks of."""

    name: str | None
    role: Role
    country: str | None
    tokens: frozenset[int] = frozenset()
    surface: str = ""
    speaker: bool = False
    title: str = ""

    def party(self) -> Party:
        return Party(self.name, self.role, self.country)

    @property
    def key(self) -> str:
        return self.name.lower() if self.name else f"{self.country}:{self.role}"


@dataclass(slots=True)
class Discourse:
    """What a story has established so far: people by surname, the last person named."""

    published: date | None
    people: dict[str, Actor] = field(default_factory=dict)
    last_person: Actor | None = None
    last_subject: Actor | None = None
    by_title: dict[tuple[str | None, str], Actor] = field(default_factory=dict)
    last_place: resolve.Place | None = None

    year: int | None = None
    home: resolve.Place | None = None
    # Whether the story relays another outlet's report (its dateline a listening post).
    relayed: bool = False
    # The states the story names, most named first: where officials that no title or
    # gazetteer places most likely come from (see extract.story_countries).
    countries: tuple[str, ...] = ()
    # How often the story names each state by its name or demonym (see
    # extract.states_by_name): the state it is about, as its cities do not tell.
    named_states: dict[str, int] = field(default_factory=dict)
    # The capitalised words the story writes in mixed case (see extract.written_names): a name
    # the recogniser found in a headline set in capitals holds only these.
    written_names: frozenset[str] = frozenset()
    # The state the page's address places its publisher in ('.gov', '.gov.in'): a government's
    # own readout speaks of that government's officials.
    source: str | None = None
    last_year: int | None = None
    last_day: date | None = None
    event_places: dict[str, resolve.Place] = field(default_factory=dict)
    # The last trip the story reported (visitor, destination): what 'the trip' refers to.
    last_trip: tuple[Actor, resolve.Place] | None = None
    # The last official the story named by office alone as a subject ('Australia's trade
    # minister said'): who a person named later without a title most likely is.
    last_unnamed: Actor | None = None
    # Where the diplomats the story named are posted ('Ambassador to Mexico, Ken Salazar').
    posted: dict[str, str] = field(default_factory=dict)
    event_times: dict[str, When] = field(default_factory=dict)
    # The time of an event the story places in a city, by (country, city).
    event_at: dict[tuple[str, str], When] = field(default_factory=dict)
    # Windows of trips the story dated without naming a state ('will visit the Middle East
    # region from July 13-16'), by (visitor key, planned): the window of the legs named next.
    # The named people of the last meeting the story told: whom a later 'they' means.
    last_meeting: tuple[Actor, ...] = ()
    # Each is (offset in the text, (visitor key, tense group), window).
    tour_windows: list[tuple[int, tuple[str, str], When]] = field(default_factory=list)
    # The people the story has travelling abroad (actor keys): whom they meet with no place
    # named, they meet on the trip, not at home.
    travellers: set[str] = field(default_factory=set)

    def remember(self, actor: Actor) -> None:
        if actor.speaker:
            return
        if actor.name:
            for part in actor.name.lower().replace("-", " ").split():
                self.people.setdefault(part, actor)
            self.people[actor.name.lower()] = actor
            self.last_person = actor
        if actor.country:
            self.by_title[(actor.country, actor.role)] = actor

    def place_person(self, actor: Actor) -> None:
        """Record the country a sentence found for a person remembered without one."""
        if not actor.name:
            return
        for key, known in list(self.people.items()):
            if known.name == actor.name and known.country is None:
                self.people[key] = replace(known, country=actor.country, role=actor.role)

    def own_countries(self) -> list[str]:
        """The states the story is told from, surest first: the publisher's, the dateline's,
        the one it names most."""
        out = [self.source, self.home.country if self.home else None, *self.countries[:1]]
        return list(dict.fromkeys(c for c in out if c))

    def holder(self, role: Role, office: str | None = None) -> Actor | None:
        """Who 'the President' (or another office named without a country) is."""
        for country in self.own_countries() if office is None else []:
            known = self.by_title.get((country, role))
            if known is not None and known.name:
                return known
        # the gazetteer only for the state the publisher or the dateline places the story in:
        # the state a story names most is as often the one a visit goes to
        sure = [self.source, self.home.country if self.home else None]
        for country in dict.fromkeys(c for c in sure if c):
            if self.published is not None:
                person = resolve.office_holder(country, role, self.published, office)
                if person is not None:
                    return Actor(person.name, person.role, person.country)
        if office is not None:
            return None
        for actor in reversed(list(self.people.values())):
            if actor.role == role and actor.name and actor.country:
                return actor
        return None

    def person_of(self, country: str, role: str | None) -> Actor | None:
        """The person of that country (and role, when given) the story named last."""
        if role is not None:
            hit = self.by_title.get((country, role))
            if hit is not None and hit.name:
                return hit
        for actor in reversed(list(self.people.values())):
            if actor.country == country and actor.name and not actor.speaker:
                return actor
        return None


# --- actors --------------------------------------------------------------------------------------


# The longest title read left of a name: 'Assistant Secretary of Defense for Special Operations
# and Low-Intensity Conflict' is 13 tokens.
TITLE_MAX_TOKENS = 14


def _shared_plural_title(ent: Span) -> str:
    """The plural title before the name this one is coordinated with, or ''."""
    root = ent.root
    if root.dep_ != "conj" or root.head.i >= ent.start:
        return ""
    head = root.head
    first = next((e for e in ent.doc.ents if e.start <= head.i < e.end), None)
    toks = _title_tokens(first if first is not None else ent.doc[head.i : head.i + 1])
    last = toks[-1].lower_ if toks else ""
    if not (last.endswith("s") and resolve.role_from_title(last[:-1])):
        return ""  # 'Ministers', 'Commissioners': a plural office
    return " ".join(t.text for t in toks)


def _known_name_before(doc: Doc, i: int) -> bool:
    """Whether the words before token i end in a name the gazetteer knows, which the
    recogniser missed ('Foreign Ministers Ana Ruiz and ...')."""
    for n in (2, 1):
        if i - n >= 0 and all(t.pos_ == "PROPN" for t in doc[i - n : i]):
            name = doc[i - n : i].text
            if resolve.lookup_person(name, None) is not None:
                return True
    return False


def _title_tokens(ent: Span) -> list[Token]:
    """Tokens left of a person's name that form its title: 'Russian Foreign Minister'.

    A parenthetical inside the title ('Federation Council (upper house) Speaker') is skipped.
    """
    doc = ent.doc
    out: list[Token] = []
    i = ent.start - 1
    while i >= 0 and len(out) < TITLE_MAX_TOKENS:
        t = doc[i]
        if t.text == ")":
            j = i
            while j >= 0 and doc[j].text != "(":
                j -= 1
            if j < 0:
                break
            i = j - 1
            continue
        office_word = i > 0 and doc[i - 1].lower_ in {"of", "for"}  # 'Minister of Agriculture'
        office_word = (
            office_word or t.lower_.rstrip(".") in TITLE_PREFIX_WORDS
        )  # 'First Lady', 'Cardinal'
        joined = t.text == "-" and i > 0 and not doc[i - 1].whitespace_ and not t.whitespace_
        if (t.ent_type_ == "PERSON" and not office_word) or (
            t.is_punct and t.text not in {"'s", "’s", "."} and not joined  # 'Low-Intensity'
        ):
            break
        office_and = (
            t.lower_ in {"and", "&"}
            and i > 0
            and doc[i - 1].text[:1].isupper()
            and doc[i - 1].ent_type_ != "PERSON"
            and doc[i + 1].text[:1].isupper()
            and not _known_name_before(doc, i)
        )  # 'Minister of Trade and Industry', not 'Ministers [Ana Ruiz] and Li Wei'
        if (
            t.pos_ in {"VERB", "AUX", "ADV", "PRON", "CCONJ", "SCONJ"} or t.dep_ == "det"
        ) and not office_and:
            break
        posting = t.lower_ in {"to", "in"} and i > 0 and doc[i - 1].lower_ in POSTING_WORDS
        if t.pos_ == "ADP" and t.lower_ not in {"of", "for"} and not posting:
            break  # but 'Turkish Ambassador to Athens' is one title
        out.append(t)
        i -= 1
    out.reverse()
    return out


# Words of a diplomat's title that a posting follows: 'Ambassador to Athens', 'envoy in Kyiv'.
POSTING_WORDS = frozenset({"ambassador", "envoy", "consul", "commissioner", "affaires"})


def _appositive_title(ent: Span) -> str:
    """Title in an appositive after the name: 'Kang, the presidential chief of staff,'."""
    root = ent.root
    parts = [c for c in root.children if c.dep_ == "appos" and c.tag_ != "NNS"]
    return " ".join(" ".join(t.text for t in p.subtree) for p in parts)


def _country_after(ent: Span) -> tuple[str | None, list[Token]]:
    """A country named after the name, 'Prime Minister Ken Mori of Japan', 'Lena Holm from
    Finland': the country and the tokens of its phrase, or (None, [])."""
    for c in ent.root.children:
        if c.dep_ != "prep" or c.lower_ not in COUNTRY_PREPS or c.i < ent.end:
            continue
        for p in c.children:
            if p.dep_ != "pobj":
                continue
            toks = list(p.subtree)
            code = resolve.country_named(" ".join(t.text for t in toks))
            if code is None and p.ent_type_ == "GPE":
                code = resolve.country_named(p.text)
            if code is not None:
                return code, [c, *toks]
    return None, []


def _head_title(ent: Span) -> list[Token]:
    """The title a name stands in apposition to: 'the Prime Minister of Japan, Ken Mori'."""
    head = ent.root.head
    if ent.root.dep_ != "appos" or head.i >= ent.start or head.tag_ == "NNS":
        return []
    if head.lower_ not in TITLE_WORDS and head.lemma_.lower() not in TITLE_WORDS:
        return []
    return [t for t in head.doc[head.left_edge.i : ent.start] if not t.is_punct]


# A diplomat's posting in a title ('Ambassador to Athens', 'envoy in Kyiv'): the group is the
# state they serve in, not the state they serve.
POSTING_RE = re.compile(
    r"\b(?:ambassador|envoy|consul(?: general)?|charg[ée] d.affaires|high commissioner)\s+"
    r"(?:to|in)\s+(?:the\s+)?([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2})",
    re.I,
)


def _country_in(text: str) -> str | None:
    """The state a title names ('Brazil's finance minister'), leaving out a diplomat's posting."""
    text = POSTING_RE.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)], text)
    words = text.replace("’s", "").replace("'s", "").split()
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            code = resolve.country_named(" ".join(words[i : i + n]))
            if code:
                return code
    return None


def _same_given_name(name: str, other: str | None) -> bool:
    """Whether a name can be the same person as an earlier one sharing its surname: a bare
    surname can, 'Jill Biden' after 'Joe Biden' cannot."""
    words = name.replace(".", " ").lower().split()
    while len(words) > 1 and words[0] in HONORIFIC_WORDS:
        words = words[1:]  # 'Gen Musharraf' is 'Musharraf'
    if len(words) < 2 or not other:
        return True
    known = other.replace(".", " ").lower().split()
    if known[-len(words) :] == words:
        return True  # 'De Croo' after 'Herman De Croo'
    mine, theirs = words[0], known[0]
    return mine == theirs or (len(mine) <= 2 and theirs.startswith(mine[:1]))


def _other_namesake(name: str, earlier: Actor | None, gazetteer_name: str) -> bool:
    """Whether a bare surname is the story's own earlier person rather than the gazetteer's
    namesake."""
    if earlier is None or not earlier.name or len(name.split()) != 1:
        return False
    words = earlier.name.lower().replace("-", " ").split()
    if len(words) < 2 or name.lower() not in words:
        return False  # only a full name the story gave: 'Biden' alone settles nothing
    return resolve.normalize(earlier.name).lower() != resolve.normalize(gazetteer_name).lower()


def org_in(title: str) -> str | None:
    """The international body a title names anywhere in it: 'IMF Managing Director'."""
    words = title.replace("’s", "").replace("'s", "").split()
    for n in (4, 3, 2, 1):
        for i in range(len(words) - n + 1):
            org = resolve.intl_org(" ".join(words[i : i + n]))
            if org:
                return org
    return None


def _shouted(name: str) -> bool:
    """A name set in capitals, as a wire headline is ('BAKER MEETS')."""
    letters = [c for c in name if c.isalpha()]
    return len(letters) >= SHOUTED_MIN_LETTERS and all(c.isupper() for c in letters)


# Capital letters from which a name reads as set in capitals, not as initials ('JFK', 'U.S.').
SHOUTED_MIN_LETTERS = 4


def person_actor(ent: Span, disc: Discourse) -> Actor | None:
    """Resolve a PERSON entity to an actor with role and country, or None if it is nobody we
    can place (no country from gazetteer, title or earlier mention)."""
    name = ent.text.strip(" ,.'’\"").removesuffix("'s").removesuffix("’s")
    if len(name) < 2 or resolve.country_named(name):
        return None  # the recogniser sometimes tags a capital as a person ('visited Kyiv')
    if _shouted(name) and disc.written_names:
        # a headline in capitals ('BRITISH MINISTER GOES TO TOKYO', 'BAKER MEETS ...'): the
        # recogniser takes its verbs for names; only words the story writes as names are
        name = " ".join(w.title() for w in name.split() if w.lower() in disc.written_names)
        if not name:
            return None
    title_toks = _title_tokens(ent) or _head_title(ent)
    title = " ".join(t.text for t in title_toks)
    appos = _appositive_title(ent)
    if not title and not appos:
        # 'EU Commissioners Ana Ruiz and Li Wei': the plural title is each name's (its tokens
        # stay the first name's)
        title = _shared_plural_title(ent)
    full_title = f"{title} {appos}".strip()
    low_title = full_title.lower()
    speaker = any(s in low_title for s in SPEAKER_TITLES)
    if speaker:
        role_hint: Role | None = "other"
    else:
        role_hint = resolve.role_from_title(full_title) if full_title else None
    states = [TITLE_STATES[t.lower_] for t in title_toks if t.lower_ in TITLE_STATES]
    country_hint = states[0] if states else None
    if country_hint is None and full_title:
        country_hint = _country_in(full_title)
    if country_hint is None and title_toks:
        # "Kremlin spokesman": an institution names the country.
        place = resolve.place(title)
        country_hint = place.country if place else None
    after, after_toks = _country_after(ent)
    if country_hint is None:
        country_hint = after
    tokens = frozenset({t.i for t in title_toks} | set(range(ent.start, ent.end)))
    if after is not None and after == country_hint:
        # 'of Japan' belongs to the person, so it is not read as a place the trip goes to
        tokens |= {t.i for t in after_toks}

    earlier = disc.people.get(name.lower())
    if earlier is None:
        by_surname = disc.people.get(name.split()[-1].lower())
        if by_surname is not None and _same_given_name(name, by_surname.name):
            earlier = by_surname
    person = resolve.lookup_person(name, disc.published, country=country_hint, role=role_hint)
    if person is not None and _other_namesake(name, earlier, person.name):
        # 'Chairman Lee' after 'Samsung Chairman Lee Jae-yong' is that chairman, not the
        # gazetteer's President Lee: a story's bare surname means the person it named in full
        person = None
    if person is not None:
        role: Role = person.role
        if person.role == "other" and role_hint:
            role = role_hint
        return Actor(person.name, role, person.country, tokens, ent.text, speaker, full_title)
    if earlier is not None and (country_hint is None or country_hint == earlier.country):
        return Actor(
            earlier.name,
            earlier.role,
            earlier.country,
            tokens,
            ent.text,
            earlier.speaker,
            full_title or earlier.title,
        )
    if country_hint is None:
        org = org_in(full_title) if full_title else None
        if org:
            return Actor(name, "intl_org", None, tokens, ent.text, title=full_title)
        # Nobody we can place yet: kept so that 'led by X' and the dateline can place them.
        return Actor(name, role_hint or "other", None, tokens, ent.text, speaker, full_title)
    return Actor(name, role_hint or "other", country_hint, tokens, ent.text, speaker, full_title)


# Dependencies of a word that stands where a noun does (subject, object, possessor).
NAME_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "poss", "appos", "conj"})


def surname_actor(tok: Token, disc: Discourse) -> Actor | None:
    """A bare surname the entity recogniser missed ('Lavrov's visit'), known from earlier in
    the story or unambiguous in the gazetteer."""
    if len(tok.text) < 2 or not tok.text[0].isupper():
        return None
    key = tok.text.removesuffix("'s").removesuffix("’s").lower()
    earlier = disc.people.get(key)
    if tok.pos_ not in {"PROPN", "NOUN"} and (earlier is None or tok.dep_ not in NAME_DEPS):
        # the tagger reads some surnames as other words ('Conable, who flew ...' as an
        # adjective): a person the story already named, in the place of a noun
        return None
    if tok.pos_ == "NOUN" and (earlier is None or tok.tag_ == "NNS"):
        # the tagger reads a sentence-initial surname as a noun ('Duffy is on a visit'):
        # only the name of someone the story already named counts
        return None
    if earlier is not None:
        return Actor(
            earlier.name,
            earlier.role,
            earlier.country,
            frozenset({tok.i}),
            tok.text,
            earlier.speaker,
        )
    if tok.ent_type_ in {"GPE", "LOC", "NORP", "FAC", "DATE"}:
        return None
    if tok.ent_type_ == "ORG" and not _lone_entity(tok):
        return None  # 'Nakasone' alone tagged as a body may be the premier; 'Ford Motor' not
    person = resolve.lookup_person(tok.text, disc.published)
    if person is not None and person.name.lower().split()[-1] == key:
        return Actor(person.name, person.role, person.country, frozenset({tok.i}), tok.text)
    return None


def _lone_entity(tok: Token) -> bool:
    """Whether the token is an entity of its own, one word long."""
    return tok.ent_iob_ == "B" and (tok.i + 1 >= len(tok.doc) or tok.doc[tok.i + 1].ent_iob_ != "I")


def office_adjective_actor(tok: Token, disc: Discourse) -> Actor | None:
    """The holder of an office an adjective names on a trip noun: 'the papal visit'."""
    office = OFFICE_ADJECTIVES.get(tok.lower_)
    if office is None or tok.dep_ not in {"amod", "compound"}:
        return None
    if tok.head.lemma_.lower() not in TRIP_NOUNS:
        return None
    country, role = office
    person = resolve.office_holder(country, role, disc.published) if disc.published else None
    return Actor(person.name if person else None, role, country, frozenset({tok.i}), tok.text)


# Head words of offices that resolve.OFFICE_TITLES names and TITLE_WORDS does not hold
# ('the First Lady').
OFFICE_HEAD_WORDS = frozenset({"lady", "gentleman"})
# Words for a body's travelling staff: with an international body named, its mission.
MISSION_WORDS = frozenset({"mission", "delegation", "team"})


def _named_head(tok: Token) -> bool:
    """Whether a title in apposition hangs on a name ('Makoto Kuroda, Japan's deputy
    minister', even when the recogniser took the name for a place)."""
    if tok.ent_type_ == "PERSON":
        return True
    if tok.pos_ != "PROPN" or tok.ent_type_ == "ORG":
        return False
    # the whole entity, or the compound name it heads: 'Makoto Kuroda' is no place, though a
    # town is called Kuroda
    span = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)
    words = span.text if span is not None else " ".join(t.text for t in tok.subtree)
    return len(words.split()) > 1 and resolve.place(words) is None


def title_actor(tok: Token, disc: Discourse) -> Actor | None:
    """An official named by title: 'the Chinese leader', "his Chinese counterpart",
    'an Israeli delegation'. Resolves to the story's person of that country when there is one."""
    words = {tok.lower_, tok.lemma_.lower()}
    if not words & (TITLE_WORDS | OFFICE_HEAD_WORDS) and not (
        # 'an IMF team'; not 'the national team', nor a standing body ('the African Union
        # Mission in Somalia', capitalised as a name)
        words & MISSION_WORDS
        and tok.text.islower()
        and org_in(" ".join(t.text for t in tok.subtree if t.i <= tok.i))
    ):
        return None
    if tok.tag_ == "NNS":
        return None  # "the leaders of A, B and C" is a group: see _expand
    mods = [c for c in tok.children if c.dep_ in {"amod", "compound", "poss", "nmod"}]
    country = None
    boss = False
    for m in mods:
        country = resolve.country_named(" ".join(t.text for t in m.subtree)) or country
        if country is None and m.dep_ == "poss" and m.pos_ == "PROPN":
            # "Lee's chief of staff": an aide of that person, from the same country
            known = disc.people.get(m.text.lower()) or resolve.lookup_person(m.text, disc.published)
            if known is not None and known.country:
                country, boss = known.country, True
    phrase = " ".join(t.text for t in tok.subtree if t.i <= tok.i)
    of_part = [c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"]
    if of_part:
        whole = f"{phrase} {' '.join(t.text for t in of_part[0].subtree)}"
        if resolve.role_from_title(whole) == "other" and resolve.role_from_title(phrase) not in {
            None,
            "other",
        }:
            return None  # 'President of the Kenyan Football Federation' heads no state
    indefinite = (
        boss
        # 'Peter Lane, the British minister for trade,': the office of the person named, not
        # another person of that country the story named before
        or (tok.dep_ == "appos" and _named_head(tok.head))
        or tok.lemma_.lower() in {"official", "delegation", "mission"}
        or any(
            c.dep_ == "det" and c.lower_ in {"a", "an", "some", "any", "several"}
            for c in tok.children
        )
    )
    if country is None:
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in {"of", "from"}:
                for p in c.subtree:
                    country = resolve.country_named(p.text) or country
    if country is None:
        role = resolve.role_from_title(phrase)
        office = resolve.office_from_title(phrase)
        if office is not None and any(c.lower_ == "the" for c in tok.children):
            # 'the Vice President' in a White House statement: the one holder of that office
            held = disc.holder(office[1], office[0])
            if held is not None:
                return replace(held, tokens=frozenset({tok.i}), surface=phrase)
            return None
        if role in {"head_of_state", "head_of_government", "foreign_minister"} and any(
            c.lower_ == "the" for c in tok.children
        ):
            # "the President" in a story about one president: the office holder of the state
            # the story is told from, else the last president the story named
            held = disc.holder(role)
            if held is not None:
                return replace(held, tokens=frozenset({tok.i}), surface=phrase)
        if words & MISSION_WORDS and tok.text.islower() and org_in(phrase) is not None:
            # 'a World Bank mission', 'an IMF team': an international body's staff travel
            return Actor(None, "intl_org", None, frozenset({tok.i}), phrase)
        return None
    role = resolve.role_from_title(phrase)
    if role is None and tok.lemma_.lower() in {"leader", "counterpart"}:
        role = "head_of_state"
    speaker = any(w in phrase.lower() for w in SPEAKER_TITLES)
    known = (
        None
        if indefinite
        else disc.person_of(
            country, None if tok.lemma_.lower() in {"leader", "counterpart"} else role
        )
    )
    if known is not None and not speaker:
        return Actor(known.name, known.role, known.country, frozenset({tok.i}), phrase)
    return Actor(None, role or "other", country, frozenset({tok.i}), phrase, speaker)


def _name_word(tok: Token) -> bool:
    # unfamiliar given names are often tagged as common nouns compounded onto the surname
    return (
        (tok.pos_ == "PROPN" or (tok.pos_ == "NOUN" and tok.dep_ == "compound"))
        and tok.is_alpha
        and tok.text[:1].isupper()
        and not tok.is_upper
        and tok.ent_type_ not in NON_PERSON_ENTS
        and tok.lower_ not in TITLE_WORDS
        and resolve.country_named(tok.text) is None
    )


def _appositive_names(doc: Doc) -> list[Span]:
    """Names the recogniser missed, or cut short, that an appositive title vouches for:
    'NAME, [the] foreign minister of COUNTRY,'. The run of capitalised words right before the
    comma must be the whole name, and the appositive must be a title that names a state."""
    out: list[Span] = []
    for tok in doc:
        if tok.dep_ != "appos" or tok.i <= tok.head.i:
            continue
        if tok.lower_ not in TITLE_WORDS and tok.lemma_.lower() not in TITLE_WORDS:
            continue
        end = tok.head.i + 1
        if end >= len(doc) or doc[end].text != "," or not _name_word(tok.head):
            continue
        start = end - 1
        while start > 0 and _name_word(doc[start - 1]):
            start -= 1
        if (
            end - start not in UNTAGGED_NAME_WORDS
            or (start > 0 and doc[start - 1].text[:1].isupper() and doc[start - 1].is_alpha)
            or doc[start].ent_iob_ == "I"
            or all(doc[i].ent_type_ == "PERSON" for i in range(start, end))
        ):
            continue
        appos = " ".join(t.text for t in tok.subtree)
        if resolve.role_from_title(appos) is None or _country_in(appos) is None:
            continue
        out.append(doc[start:end])
    return out


# Words the recogniser often takes into a name that are honorifics or titles.
HONORIFIC_WORDS = frozenset(
    {
        "lady",
        "dr",
        "mr",
        "mrs",
        "ms",
        "sir",
        "dame",
        "lord",
        "madam",
        "president",
        "minister",
        "gen",
        "general",
        "col",
        "lt",
        "maj",
        "capt",
        "adm",
        "admiral",
        "brig",
        "rev",
        "prof",
        "sen",
        "senator",
        "rep",
        "gov",
        "amb",
        "sheikh",
        "king",
        "queen",
        "prince",
        "princess",
    }
)
# Words before a name that are never part of it.
TITLE_PREFIX_WORDS = HONORIFIC_WORDS | RELIGIOUS_TITLE_WORDS
# Titles that go with a single given name: 'King Fahd', 'Emir Tamim', 'Pope Leo'.
ROYAL_TITLES = frozenset(
    {"king", "queen", "emir", "sultan", "pope", "prince", "princess", "sheikh", "shah", "crown"}
)
# Dependencies a person's name can hold in a clause.
NAME_HEAD_DEPS = frozenset({"nsubj", "nsubjpass", "conj", "appos", "dobj", "pobj"})


def _is_title_word(tok: Token) -> bool:
    low = tok.lower_
    return low in TITLE_WORDS or low in OFFICIAL_TITLE_WORDS or tok.lemma_.lower() in TITLE_WORDS


def _ends_title(tok: Token) -> bool:
    """Whether a token closes an official's title: 'Admiral', 'Secretary of Commerce',
    'Assistant Secretary of State for Energy Resources'."""
    if _is_title_word(tok):
        return True
    t = tok
    for _ in range(4):
        if t.dep_ != "pobj" or t.head.lower_ not in {"of", "for"}:
            return False
        t = t.head.head
        if _is_title_word(t):
            return True
    return False


def _titled_names(doc: Doc) -> list[Span]:
    """Names the recogniser missed or took for an organisation right after an official's
    title: 'Secretary of Commerce Amara Okafor', 'Navy Admiral Lewis Brandt'. The name is its
    head word with the capitalised compounds right before it (two or three words)."""
    out: list[Span] = []
    for h in doc:
        if h.dep_ not in NAME_HEAD_DEPS or h.pos_ != "PROPN" or h.ent_type_ == "PERSON":
            continue
        start = h.i
        while (
            start > 0
            and doc[start - 1].dep_ == "compound"
            and doc[start - 1].head.i == h.i
            and doc[start - 1].pos_ == "PROPN"
            and not _is_title_word(doc[start - 1])
        ):
            start -= 1
        span = doc[start : h.i + 1]
        if start == 0:
            continue
        royal = len(span) == 1 and doc[start - 1].lower_ in ROYAL_TITLES  # 'King Fahd'
        if len(span) not in UNTAGGED_NAME_WORDS and not royal:
            continue
        if not all(
            t.is_alpha
            and t.text[:1].isupper()
            and not t.is_upper
            and not _is_title_word(t)
            and resolve.place(t.text) is None
            for t in span
        ):
            continue
        if resolve.intl_org(span.text) or not _ends_title(doc[start - 1]):
            continue
        out.append(span)
    return out


# Generational suffixes written after a name, with or without a comma ('Biden, Jr.').
NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def _name_suffix(doc: Doc, end: int) -> range:
    """Token indexes of a generational suffix right after a name ending at ``end``."""
    i = end + 1 if end < len(doc) and doc[end].text == "," else end
    if i < len(doc) and doc[i].lower_ in NAME_SUFFIXES:
        return range(end, i + 1)
    return range(0)


def _title_in_apposition(ent: Span) -> bool:
    """'Cardinal Ana Ruiz, Archbishop of Quito, ...': the recogniser tags the appositive office
    as a person of its own; it is the title of the name it follows."""
    root, head = ent.root, ent.root.head
    return (
        root.dep_ == "appos"
        and head.i < ent.start
        and head.ent_type_ == "PERSON"
        and ent[0].lower_ in TITLE_WORDS | RELIGIOUS_TITLE_WORDS
    )


def _with_missed_given_names(ent: Span) -> Span:
    """'Cardinal [Matteo] Maria Ruiz': the recogniser left a given name between the title and
    the name out; a capitalised proper-noun compound of the name there belongs to it."""
    doc = ent.doc
    start = ent.start
    while (
        start > 0
        and doc[start - 1].pos_ == "PROPN"
        and doc[start - 1].dep_ == "compound"
        and ent.start <= doc[start - 1].head.i < ent.end
        and doc[start - 1].text.isalpha()
        and doc[start - 1].text[:1].isupper()
        and not doc[start - 1].text.isupper()
        and doc[start - 1].lower_ not in TITLE_WORDS | TITLE_PREFIX_WORDS
    ):
        start -= 1
    if start == ent.start or start == 0:
        return ent
    before = doc[start - 1].lower_.rstrip(".")
    if before not in TITLE_WORDS | TITLE_PREFIX_WORDS:
        return ent  # only a title vouches that the word between is a name, not an office
    return doc[start : ent.end]


def find_actors(doc: Doc, disc: Discourse) -> dict[int, Actor]:
    """Map token index -> actor for every person or official mentioned in the sentence."""
    by_token: dict[int, Actor] = {}
    vouched = _appositive_names(doc) + _titled_names(doc)
    spans = [
        ent
        for ent in doc.ents
        if ent.label_ == "PERSON"
        and not any(v.start <= ent.start and ent.end <= v.end for v in vouched)
    ] + vouched
    for ent in spans:
        if _title_in_apposition(ent):
            continue
        ent = _with_missed_given_names(ent)
        while len(ent) >= 3 and ent[0].lower_.rstrip(".") in TITLE_PREFIX_WORDS:
            # 'Lady Jill Biden', 'Dr. Jill Biden': the honorific is title, not name
            ent = ent.doc[ent.start + 1 : ent.end]
        if len(ent) >= 3 and ent.start > 0 and ent.doc[ent.start - 1].lower_ in {"of", "for"}:
            # 'Undersecretary of [Agriculture Ben Harlow]': the recogniser took the office's
            # last word into the name
            ent = ent.doc[ent.start + 1 : ent.end]
        actor = person_actor(ent, disc)
        if actor is None:
            continue
        for i in actor.tokens:
            by_token[i] = actor
        for i in _name_suffix(doc, ent.end):
            # 'Joseph R. Biden, Jr. will visit': the parser makes the suffix the subject
            by_token.setdefault(i, actor)
    for tok in doc:
        if tok.i in by_token:
            continue
        actor = surname_actor(tok, disc) or office_adjective_actor(tok, disc)
        if actor is None and tok.pos_ in {"NOUN", "PROPN"}:
            actor = title_actor(tok, disc)
        if actor is not None:
            by_token[tok.i] = actor
    return by_token
