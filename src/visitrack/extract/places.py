"""Places: where a trip goes, read from the tokens of a parsed sentence.

A token's place through the gazetteer, the places under a trigger's direction phrases
(``to``/``in`` + place, a city's stated country), a ``visit by X to Y``'s destination, and the
places a story gives its events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from visitrack import resolve, timex
from visitrack.extract.actors import Discourse
from visitrack.extract.lexicon import EVENT_NOUNS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


# Verbs whose direction words carry the destination ("head to", "leave for", "fly into").
DEST_PREPS = frozenset({"to", "in", "for", "into", "at", "inside"})


# Prepositions that place a trip without being a direction of travel ('met just outside X'):
# they name where it happens but do not make a motion verb a trip.
NEAR_PREPS = frozenset({"outside", "near"})


# Inside a 'visit by X' agent phrase only 'to' marks the trip's direction (see
# agent_destination).
AGENT_DEST_PREPS = frozenset({"to"})


# Titles whose own 'to X' is a posting, not a trip: 'the ambassador to X'.
POSTED_TITLES = frozenset({"ambassador", "envoy", "representative", "delegate"})


def place_of_token(tok: Token) -> resolve.Place | None:
    """The place a token names, looking at its whole entity when it is part of one; a city
    followed by a country ('Cornwall, U.K.') is the one in that country."""
    p = _place_named(tok)
    if p is not None and p.city is not None:
        last = next((e.end - 1 for e in tok.doc.ents if e.start <= tok.i < e.end), tok.i)
        named = _appositive_country(tok.doc[last])
        if named is not None and named != p.country:
            return resolve.Place(named, p.city)
    return p


def _place_named(tok: Token) -> resolve.Place | None:
    doc = tok.doc
    if tok.ent_type_ in {"GPE", "LOC", "FAC", "ORG", "NORP"} and tok.ent_iob_ != "O":
        for ent in doc.ents:
            if ent.start <= tok.i < ent.end:
                text = ent.text
                if ent.label_ == "NORP":
                    return None
                p = resolve.place(text.removeprefix("the ").removeprefix("The "))
                if p:
                    return p
                break
    if tok.pos_ == "PROPN" and (tok.ent_iob_ == "O" or tok.ent_type_ == "PERSON"):
        # Outside an entity only a country's name or capital counts: small towns share their
        # names with surnames and common words.
        code = resolve.country_named(tok.text)
        if code is not None and resolve.demonym(tok.text) is not None and tok.dep_ != "pobj":
            # 'an American Chamber of Commerce lunch': a demonym names a body's nationality
            # there, not a place anyone goes to
            return None
        if code is not None:
            p = resolve.place(tok.text)
            return p if p is not None and p.country == code else resolve.Place(code, None)
    return None


def _appositive_country(tok: Token) -> str | None:
    """The country written right after a place name: 'Cornwall, U.K.', 'Paris, Texas'."""
    doc = tok.doc
    end = tok.i + 1
    if end + 1 < len(doc) and doc[end].text == ",":
        for n in (3, 2, 1):
            if end + 1 + n <= len(doc):
                words = doc[end + 1 : end + 1 + n].text
                code = resolve.country_named(words)
                if code is None:
                    # a state or province of a country ('Paris, Texas')
                    region = resolve.place(words)
                    code = region.country if region is not None and region.city is None else None
                if code is not None:
                    return code
    return None


def _entity_children(tok: Token) -> list[Token]:
    """The children of a token and, when it begins a multi-word place name, of the name's
    other words: 'the Republic of Korea and Japan' hangs Japan on 'Korea'."""
    ent = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)
    if ent is None or len(ent) == 1:
        return list(tok.children)
    inside = {t.i for t in ent}
    return [c for t in ent for c in t.children if c.i not in inside]


def places_under(
    tok: Token, skip: frozenset[int], preps: frozenset[str] = DEST_PREPS | NEAR_PREPS
) -> list[tuple[resolve.Place, Token]]:
    """Places reached from a trigger through direction prepositions (``preps``) or as its
    object, including coordinated ones ('France, Germany and Italy')."""
    out: list[tuple[resolve.Place, Token]] = []

    def add(t: Token) -> None:
        if t.i in skip:
            return
        p = place_of_token(t)
        if p is None and t.pos_ in {"NOUN", "PROPN"}:
            # "Kenya's biggest shantytown", "a palace outside Saint Petersburg"; not the
            # members in "a summit of the Gulf states plus Egypt"
            for q in _located_in(t):
                if q.i != t.i and q.pos_ == "PROPN" and q.i not in skip:
                    p = place_of_token(q)
                    if p is not None:
                        out.append((p, q))
                        break
        elif p is not None:
            out.append((p, t))
        for c in _entity_children(t):
            if c.dep_ in {"conj", "appos"}:
                add(c)

    def prep(c: Token) -> None:
        for p in c.children:
            if p.dep_ == "pobj":
                add(p)
            elif p.dep_ == "conj" and p.pos_ == "ADP" and p.lower_ in DEST_PREPS:
                # "visits to A in October and to B in November": the parser hangs the second
                # direction phrase off the first preposition
                prep(p)

    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in preps:
            prep(c)
        elif c.dep_ in {"dobj", "attr", "npadvmod"}:
            add(c)
        elif c.lower_ == "as" and any(w.lower_ == "well" for w in c.children):
            # 'will visit Aceh in Indonesia, as well as Sri Lanka': the parser hangs the
            # second place on 'as'
            for p in c.children:
                if p.dep_ == "pobj":
                    add(p)
    return out


# Dependencies through which a noun's own location is named: 'Kenya's shantytown', 'the
# Nairobi slum', 'a palace outside Saint Petersburg', 'a base in Niger'.
LOCATING_DEPS = frozenset({"poss", "compound", "nmod", "amod", "pobj", "appos"})


# Clauses under a noun that can say where it is: 'a meeting (to be) held in X'.
PASSING_DEPS = frozenset({"prep", "acl", "relcl", "xcomp"})


def _located_in(tok: Token) -> list[Token]:
    """Tokens under a noun that can name where it is (not members or topics: in 'a summit of
    the Gulf states plus Egypt' only a clause under the 'of' phrase, such as 'a meeting of
    heads of government (to be) held in Islamabad', can place it)."""
    out: list[Token] = []
    stack: list[tuple[Token, bool]] = [(c, False) for c in tok.children]
    while stack:
        c, only_clauses = stack.pop()
        if c.dep_ == "prep":
            if c.lower_ in DEST_PREPS | NEAR_PREPS:
                stack.extend((ch, False) for ch in c.children)
            elif c.lower_ == "of":
                stack.extend((ch, True) for ch in c.children)
            continue
        if c.dep_ in LOCATING_DEPS and not only_clauses:
            out.append(c)
            stack.extend(
                (ch, False) for ch in c.children if ch.dep_ in LOCATING_DEPS | PASSING_DEPS
            )
        elif c.dep_ in PASSING_DEPS - {"prep"}:
            # 'a meeting scheduled to be held in Islamabad'
            stack.extend((ch, False) for ch in c.children)
        elif only_clauses:
            stack.extend((ch, True) for ch in c.children)
    return sorted(out, key=lambda t: t.i)


def agent_destination(trigger: Token, skip: frozenset[int]) -> list[tuple[resolve.Place, Token]]:
    """'the visit by X of A to B': the parser often hangs 'to B' on the visitor's name (or
    country) rather than on the trip noun, so the direction phrase is sought inside the
    'by' phrase. Only 'to' is taken there: 'in'/'at' inside a name phrase usually describe
    the person ('the ambassador in Rome'), not the trip."""
    for c in trigger.children:
        if c.dep_ != "prep" or c.lower_ != "by":
            continue
        for t in c.subtree:
            if (
                t.dep_ == "prep"
                and t.lower_ == "to"
                and t.head.i != trigger.i
                and t.head.lemma_.lower() not in POSTED_TITLES
            ):
                found = places_under(t.head, skip, preps=AGENT_DEST_PREPS)
                if found:
                    return found
    return []


def coordinated_prep(place_tok: Token) -> Token | None:
    """The preposition of a second direction phrase a place sits in: 'to' in 'to A in March
    and to B in May'. Such a phrase carries its own time, the one that follows it."""
    tok = place_tok
    while tok.dep_ in {"conj", "appos", "pobj"} and tok.pos_ != "ADP":
        tok = tok.head
    if tok.pos_ == "ADP" and tok.dep_ == "conj" and tok.head.pos_ == "ADP":
        return tok
    return None


def event_place(
    tok: Token, occasion_tok: Token | None, disc: Discourse
) -> list[tuple[resolve.Place, Token]]:
    """Where an event attended takes place when the sentence does not say: the place the story
    gave the same kind of event earlier ('the celebration' after 'the celebration in Moscow')."""
    lemma = occasion_tok.lemma_.lower() if occasion_tok is not None else None
    place = disc.event_places.get(lemma) if lemma else None
    if place is None and (
        occasion_tok is not None or tok.lemma_.lower() in {"attend", "present", "attendance"}
    ):
        place = disc.event_places.get("*")
    return [(place, tok)] if place is not None else []


def _path_to(tok: Token, ancestor: Token) -> list[Token]:
    """The tokens between ``tok`` and its ``ancestor``: a verb among them dates its own act
    ('the summit that opened on Monday'), not the event."""
    path: list[Token] = []
    for a in tok.ancestors:
        if a.i == ancestor.i:
            break
        path.append(a)
    return path


def note_events(doc: Doc, disc: Discourse, times: list[timex.TimeMention]) -> None:
    """Remember where the events a sentence names take place ('the Moscow parade')."""
    for t in doc:
        if t.pos_ != "NOUN" or t.lemma_.lower() not in EVENT_NOUNS:
            continue
        found = places_under(t, frozenset())
        if not found:
            for c in t.children:
                if c.dep_ in {"compound", "amod", "nmod", "poss"}:
                    p = place_of_token(c)
                    if p is not None:
                        found = [(p, c)]
                        break
        if found:
            disc.event_places[t.lemma_.lower()] = found[0][0]
            disc.event_places["*"] = found[0][0]
        for tm in times:
            span = doc.char_span(tm.start, tm.end, alignment_mode="expand")
            if (
                span is not None
                and tm.when.start is not None
                and any(a.i == t.i for a in span.root.ancestors)
                and not any(a.pos_ == "VERB" for a in _path_to(span.root, t))
            ):
                key = t.lemma_.lower().rstrip("s")
                disc.event_times.setdefault(key, tm.when)
                disc.event_times.setdefault("*", tm.when)
                for place, _ in found:
                    if place.city is not None:
                        # 'next week's summit in Venice': a trip to Venice the story leaves
                        # undated is most likely for it
                        disc.event_at.setdefault((place.country, place.city), tm.when)
