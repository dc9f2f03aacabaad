"""Visitors: who travels, found through the dependency tree and the story's discourse.

The subject, possessor or invitee of a trigger, coordinated lists, ``leaders of A, B and C``,
delegations ``led by`` someone, pronouns resolved against earlier mentions, officials, the
state an unplaced official comes from, and diplomats' postings.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from visitrack import resolve
from visitrack.extract.actors import POSTING_RE, PRONOUNS, Actor, Discourse, pronoun_fits
from visitrack.extract.lexicon import (
    NON_OFFICIAL_TITLE_WORDS,
    OFFICE_ADJECTIVES,
    OFFICIAL_TITLE_WORDS,
    STANCE_VERBS,
)
from visitrack.extract.places import place_of_token
from visitrack.extract.triggers import GROUP_WORDS, _subject, main_verb, visiting_guest

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


ADJUNCT_PREPS = frozenset({"after", "before", "during", "since", "following", "until", "amid"})
# Dependencies the parser gives the first of two joined names when it misreads the pair as
# one noun phrase ('X, Jr. and First Lady Y'): with an 'and' inside, they are partners.
MISPARSED_PARTNER_DEPS = frozenset({"nmod", "compound"})


def _expand(
    tok: Token, actors: dict[int, Actor], disc: Discourse, *, share_country: bool = True
) -> list[Actor]:
    """Actors a token stands for, with coordinated ones ('Fico, Vucic and Lula'); with
    ``share_country`` an unplaced partner takes the placed partners' country."""
    out: list[Actor] = []
    seen: set[str] = set()

    def one(t: Token) -> None:
        a = actors.get(t.i)
        if a is None and t.lower_ in PRONOUNS:
            a = _antecedent(t, actors, disc)
        if a is None and t.lower_ in {"their", "they", "them"}:
            # the leaders the sentence lists, else the people of the story's last meeting
            # ('Kerry met Netanyahu in Rome ... They last met in Davos')
            group = group_in_sentence(t.doc, actors, disc) or list(disc.last_meeting)
            for g in group:
                if g.key not in seen:
                    seen.add(g.key)
                    out.append(replace(g, tokens=frozenset({t.i})))
        if a is None:
            # the head noun of a titled name: 'Lavrov' within 'Minister Sergei Lavrov'
            for c in t.children:
                if c.dep_ == "compound" and c.i in actors:
                    a = actors[c.i]
                    break
        leader = _led_by(t, actors)
        if leader is not None:
            if leader.country is None and a is not None:
                leader = replace(leader, country=a.country, role=a.role)
            a = leader
        if a is not None and a.key in seen and t.dep_ == "conj" and a.name:
            # 'The President and Dr. Biden': a partner read as the person already listed is the
            # other person of that surname the story named
            a = next(
                (
                    replace(p, tokens=frozenset({t.i}))  # tokens of this sentence only
                    for p in disc.people.values()
                    if p.name
                    and p.key not in seen
                    and p.name.split()[-1].lower() == t.lower_
                    and p.country in {a.country, None}
                ),
                a,
            )
        if a is not None and a.key not in seen:
            seen.add(a.key)
            out.append(a)
        for c in t.children:
            if c.dep_ == "conj" and any(x.dep_ == "neg" for x in c.subtree if x.i < c.i):
                continue  # 'Nakasone, but not Sumita, is due to attend': Sumita stays
            # A list of titled names is often parsed as appositions ('Fico, President Vucic,').
            other = c.i in actors and (a is None or actors[c.i].key != a.key)
            if (
                c.dep_ == "conj"
                # 'his sister, chief of staff Karina Milei': the name in apposition; also
                # the same person's name, whose own partners follow it ('Minister, A, and B')
                or (c.dep_ == "appos" and c.i in actors)
                # 'President A. Brandt, Jr. and First Lady Eva Brandt will travel': the parser
                # hangs the first of two joined people on the second as a modifier
                or (
                    c.dep_ in MISPARSED_PARTNER_DEPS
                    and other
                    and any(x.dep_ == "cc" for x in c.subtree)
                )
            ):
                one(c)
        if t.lower_ in GROUP_WORDS or t.lemma_ in GROUP_WORDS:
            # "leaders from A, B and C", "the leaders of A, B and C"
            for c in t.children:
                if c.dep_ == "prep" and c.lower_ in {"from", "of"}:
                    for p in c.children:
                        _group_countries(p, out, seen)

    one(tok)
    # "Funaro and Gros visited": a partner nobody placed shares the placed partners' country
    countries = {a.country for a in out if a.country}
    if share_country and len(countries) == 1 and any(a.country is None and a.name for a in out):
        only = next(iter(countries))
        out = [replace(a, country=only) if a.country is None and a.name else a for a in out]
    return out


def _led_by(tok: Token, actors: dict[int, Actor]) -> Actor | None:
    """The person leading a delegation: 'a mission led by X'."""
    for c in tok.children:
        if c.dep_ == "acl" and c.lemma_ == "lead":
            for b in c.children:
                if b.dep_ == "agent" or (b.dep_ == "prep" and b.lower_ == "by"):
                    for p in b.children:
                        if p.i in actors:
                            return actors[p.i]
                        for q in p.subtree:
                            if q.i in actors and actors[q.i].name:
                                return actors[q.i]
                        if p.pos_ == "PROPN":
                            # a name the recogniser missed after a long title
                            name = (
                                " ".join(
                                    t.text
                                    for t in p.lefts
                                    if t.dep_ == "compound" and t.pos_ == "PROPN"
                                )
                                + " "
                                + p.text
                            )
                            return Actor(name.strip(), "other", None, frozenset({p.i}), p.text)
                    # The parser may end the 'by' phrase at a long title and make the name
                    # after it a second subject: 'led by minister of state in the presidency X
                    # will visit'. The title's own tokens may belong to the name's actor.
                    for j in (c.right_edge.i, c.right_edge.i + 1):
                        a = actors.get(j)
                        if a is not None and a.name and max(a.tokens) > c.right_edge.i:
                            return a
                    missed = _second_subject_name(tok, c.right_edge.i + 1)
                    if missed is not None:
                        return missed
    return None


def _second_subject_name(group: Token, start: int) -> Actor | None:
    """A name the recogniser missed, parsed as a second subject of the group's verb right
    after its 'led by' phrase."""
    doc = group.doc
    if start >= len(doc) or doc[start].pos_ != "PROPN":
        return None
    head = doc[start].head if doc[start].dep_ == "compound" else doc[start]
    if (
        head.pos_ != "PROPN"
        or head.dep_ != "nsubj"
        or head.head.i != group.head.i
        or group.dep_ != "nsubj"
        or head.i < start
        or place_of_token(head) is not None
    ):
        return None
    span = doc[start : head.i + 1]
    if not all(t.pos_ == "PROPN" for t in span):
        return None
    return Actor(span.text, "other", None, frozenset(range(start, head.i + 1)), span.text)


def _cataphora(pron: Token, actors: dict[int, Actor]) -> Actor | None:
    """The subject a fronted pronoun points ahead to: 'During his visit, Modi signed ...'."""
    root = pron.sent.root
    for c in root.children:
        if c.dep_ in {"nsubj", "nsubjpass"} and c.i > pron.i:
            a = actors.get(c.i)
            if a is None:
                a = next((actors[t.i] for t in c.subtree if t.i in actors), None)
            if a is not None and a.country and pronoun_fits(pron.text, a):
                return a
    return None


def _unplaced_subject_before(pron: Token, actors: dict[int, Actor]) -> bool:
    """Whether a name nobody could place is the subject of the pronoun's sentence, before it."""
    for t in pron.doc[: pron.i]:
        if t.dep_ in {"nsubj", "nsubjpass"} and t.pos_ == "PROPN":
            a = actors.get(t.i)
            if a is None or a.country is None:
                return True
    return False


def _unplaced_subject(pron: Token, actors: dict[int, Actor]) -> Actor | None:
    """The named person nobody could place who is the subject before a pronoun that fits."""
    for t in pron.doc[: pron.i]:
        a = actors.get(t.i)
        if (
            t.dep_ in {"nsubj", "nsubjpass"}
            and a is not None
            and a.name
            and a.country is None
            and not a.speaker
            and pronoun_fits(pron.text, a)
        ):
            return a
    return None


def _antecedent(pron: Token, actors: dict[int, Actor], disc: Discourse) -> Actor | None:
    """What 'he'/'his' refers to: the nearest earlier named non-speaker in the sentence, else
    the last person the story named; never one whose given name contradicts the pronoun."""
    best: Actor | None = None
    subject: Actor | None = None
    titled: Actor | None = None  # 'the Kenyan president signed a pact during his visit'
    doc = pron.doc
    for i in sorted(actors):
        a = actors[i]
        if i >= pron.i or a.speaker or not a.country or not pronoun_fits(pron.text, a):
            continue
        is_subject = doc[i].dep_ in {"nsubj", "nsubjpass"} or any(
            doc[j].dep_ in {"nsubj", "nsubjpass"} for j in a.tokens
        )
        if a.name:
            best = a
            subject = a if is_subject else subject
        elif is_subject:
            titled = replace(a, tokens=frozenset({pron.i}))
    found = subject or titled or best
    if subject is None and best is not None and _unplaced_subject_before(pron, actors):
        return None  # 'Ruiz met Reagan during his visit': his is Ruiz's, whom nobody places
    if found is None and (owner := _unplaced_subject(pron, actors)) is not None:
        # 'Channon said ... since his visit here': the sentence's own subject, whom the story
        # may still place, not the person the story named last
        return replace(owner, tokens=frozenset({pron.i}))
    if found is None:
        # the story's last subject, not its last object: "Macron will hold talks with
        # Prabowo. He will end the tour in Singapore." Token positions of an earlier sentence
        # mean nothing here.
        earlier = disc.last_subject or disc.last_person
        if earlier is not None and not pronoun_fits(pron.text, earlier):
            # 'she' after a man was named last: the last woman the story named
            earlier = next(
                (
                    a
                    for a in reversed(list(disc.people.values()))
                    if a.country and not a.speaker and pronoun_fits(pron.text, a)
                ),
                None,
            )
        if earlier is not None:
            found = replace(earlier, tokens=frozenset({pron.i}))
    return found


def _group_countries(tok: Token, out: list[Actor], seen: set[str]) -> None:
    """Unnamed leaders of each country in a coordinated list ('from A, B and C')."""
    items: list[Token] = []

    def walk(t: Token) -> None:
        if t.pos_ == "PROPN":
            items.append(t)
        for c in t.children:
            if c.dep_ in {"conj", "appos"}:
                walk(c)

    walk(tok)
    texts = [_entity_text(t) for t in items]
    codes = [resolve.country_named(x) for x in texts]
    known = [c for c in codes if c]
    for t, text, code in zip(items, texts, codes, strict=True):
        if code is None and len(known) >= 2:
            # a slip in a list of states ('Almania, Belarus, Kazakhstan'): only a state of the
            # list's own region fits
            code = resolve.fuzzy_country(text, among=resolve.region_mates(known))
        if code is None:
            continue
        a = Actor(None, "head_of_state", code, _entity_tokens(t), t.text)
        if a.key not in seen:
            seen.add(a.key)
            out.append(a)


def _entity_tokens(tok: Token) -> frozenset[int]:
    for ent in tok.doc.ents:
        if ent.start <= tok.i < ent.end:
            return frozenset(range(ent.start, ent.end))
    return frozenset({tok.i})


def _entity_text(tok: Token) -> str:
    for ent in tok.doc.ents:
        if ent.start <= tok.i < ent.end:
            return str(ent.text)
    return str(tok.text)


def _visitors(
    trigger: Token, kind: str, actors: dict[int, Actor], disc: Discourse
) -> tuple[list[Actor], Actor | None, bool]:
    """Visitors of a trigger, its host if named, and whether the parse (not a guess) found them."""
    host: Actor | None = None
    if kind == "invite":
        inviter = _subject(trigger) if trigger.pos_ == "VERB" else None
        if inviter is not None:
            hs = _expand(inviter, actors, disc)
            host = hs[0] if hs else None
        if trigger.pos_ == "VERB":
            for c in trigger.children:
                if c.dep_ in {"dobj", "nsubjpass"}:
                    vs = _expand(c, actors, disc)
                    if vs:
                        return vs, host, True
        else:
            # "an invitation to X", "accepted an invitation": the acceptor, or the addressee
            for c in trigger.children:
                if c.dep_ == "prep" and c.lower_ in {"to", "for"}:
                    for p in c.children:
                        vs = _expand(p, actors, disc)
                        if vs:
                            return vs, host, True
            head = trigger.head
            if head.lemma_.lower() in {
                "accept",
                "receive",
                "snub",
                "decline",
                "reject",
                "extend",
                "convey",
                "send",
                "deliver",
            }:
                if head.lemma_.lower() in {"extend", "convey", "send", "deliver"}:
                    for c in head.children:
                        if c.dep_ in {"dative", "prep"} and c.lower_ in {"to", "for"}:
                            for p in c.children:
                                vs = _expand(p, actors, disc)
                                if vs:
                                    return vs, host, True
                    subj = _subject(head)
                    if subj is not None:
                        hs = _expand(subj, actors, disc)
                        host = hs[0] if hs else host
                else:
                    subj = _subject(head)
                    if subj is not None:
                        vs = _expand(subj, actors, disc)
                        if vs:
                            return vs, host, True
        return [], host, False
    if kind == "meet":
        # everyone at a meeting abroad is a visitor there; the host's compatriots drop out later
        # (the two sides of a meeting are as often of two states as of one: no country is
        # shared between them; within one side, 'met Finance Minister A of X and central bank
        # head B', a partner nobody places is of the placed partner's state)
        people: list[Actor] = []
        subj = _subject(trigger)
        if subj is not None:
            people += _expand(subj, actors, disc, share_country=False)
        for c in trigger.children:
            if c.dep_ == "dobj":
                people += _expand(c, actors, disc)
            if c.dep_ == "prep" and c.lower_ == "with":
                for p in c.children:
                    people += _expand(p, actors, disc)
        # one person reached twice, once placed through a partner: the placed reading stands
        placed = {a.name for a in people if a.name and a.country}
        people = [a for a in people if a.country or a.name not in placed]
        return people, None, bool(people)
    if kind == "meet_home":
        # the guests a leader met at home ('LONDON - Blair has met Berlusconi and Schroeder')
        subj = _subject(trigger)
        hs = _expand(subj, actors, disc) if subj is not None else []
        host = hs[0] if len(hs) == 1 and hs[0].country else None
        # at home only in a story filed from the host's state (the state a story names most is
        # as often the one a visit goes to)
        if host is None or disc.home is None or host.country != disc.home.country:
            return [], None, False
        guests: list[Actor] = []
        for c in trigger.children:
            if c.dep_ == "dobj":
                guests += [a for a in _expand(c, actors, disc) if a.country != host.country]
        if host.key in disc.travellers:
            # 'Baldrige leaves on a trip to Asia ... Baldrige will meet President Chun': the
            # story's traveller meets people on the trip, in their country, not at home
            met = [g for g in guests if g.country]
            return ([host], met[0], True) if met else ([], None, False)
        return guests, host, bool(guests)
    if kind == "host":
        subj = _subject(trigger)
        if subj is not None:
            hs = _expand(subj, actors, disc)
            host = hs[0] if hs else None
        for c in trigger.children:
            # "hosts X", and the passive "X will be received in Hanoi by Y"
            if c.dep_ in {"dobj", "nsubjpass"}:
                vs = _expand(c, actors, disc)
                if vs:
                    if c.dep_ == "nsubjpass":
                        host = next(
                            (
                                a
                                for b in trigger.children
                                if b.dep_ == "agent"
                                for p in b.children
                                for a in _expand(p, actors, disc)
                            ),
                            None,
                        )
                    return vs, host, True
        return [], host, False
    if kind == "visiting":
        guest = visiting_guest(trigger)
        vs = _expand(guest, actors, disc) if guest is not None else []
        main = main_verb(trigger)
        subj = _subject(main) if main is not None else None
        hs = _expand(subj, actors, disc) if subj is not None else []
        guest_keys = {a.key for a in vs}
        # 'Visiting X said ...': the guest is the clause's own subject, not a host
        host = next((h for h in hs if h.country and h.key not in guest_keys), None)
        if host is None and guest is not None and guest.dep_ == "conj":
            # 'talks between Minister X and a visiting delegation': X receives it
            hs = [a for a in _expand(guest.head, actors, disc) if a.key not in guest_keys]
            host = next((h for h in hs if h.country), None)
        return vs, host, bool(vs)
    if kind == "take":
        for c in trigger.children:
            if c.dep_ == "dobj":
                vs = _expand(c, actors, disc)
                if vs:
                    return vs, host, True
        return [], host, False
    if kind == "trip" and trigger.lemma_.lower() in {"delegation", "mission"}:
        vs = _expand(trigger, actors, disc)
        if vs:
            return vs, host, True
    if kind == "trip":
        for c in trigger.children:
            if c.dep_ in {"poss", "compound"} or (
                c.dep_ == "amod" and c.lower_ in OFFICE_ADJECTIVES
            ):
                vs = _expand(c, actors, disc)
                if vs:
                    return vs, host, True
                if c.lower_ in PRONOUNS:
                    # 'during his visit to X last week, Modi signed': the subject after it
                    later = _cataphora(c, actors)
                    if later is not None:
                        return [later], host, True
                    # 'his visit' whose owner the sentence names but nobody can place: the
                    # trip is that person's, not the nearest placed person's; the story may
                    # still say where they come from (see unplaced_origin)
                    owner = _unplaced_subject(c, actors)
                    return ([owner] if owner is not None else []), host, True
            if c.dep_ == "prep" and c.lower_ in {"by", "of"}:
                for p in c.children:
                    vs = _expand(p, actors, disc)
                    if vs:
                        return vs, host, True
        if trigger.head.pos_ in {"PROPN", "NOUN"} and trigger.dep_ in {"pobj"}:
            # "Lavrov, on a two-day visit to Beijing, met ..."
            holder = trigger.head.head
            vs = _expand(holder, actors, disc)
            if vs:
                return vs, host, True
    if trigger.dep_ == "pobj" and trigger.head.lower_ in ADJUNCT_PREPS - {"during"}:
        # "released shortly after the arrival of X": the subject of 'released' did not travel
        # (but 'will hold talks during a visit to China': the subject is the traveller)
        return [], host, False
    if (
        kind == "trip"
        and trigger.dep_ in {"dobj", "nsubjpass"}
        and trigger.head.lemma_.lower() in JUDGING_VERBS
    ):
        # 'Finland welcomed the visit to Bahrain': who judges a trip is not who makes it
        return [], host, True
    subj = _subject(trigger)
    if subj is not None:
        vs = _expand(subj, actors, disc)
        if vs:
            # a list of titled names the parser split into several subjects
            for other in subj.head.children:
                if other.dep_ == subj.dep_ and other.i != subj.i and other.i in actors:
                    vs += _expand(other, actors, disc)
            keys = {a.key for a in vs}
            vs = list({a.key: a for a in vs}.values())
            vs += [a for a in _listed_before(subj, actors) if a.key not in keys]
            return vs, host, True
    return [], host, False


# Verbs that judge a trip: their subject speaks of someone else's trip ('hailed the visit').
JUDGING_VERBS = frozenset(
    {
        "welcome",
        "praise",
        "hail",
        "laud",
        "applaud",
        "commend",
        "criticise",
        "criticize",
        "condemn",
        "denounce",
        "slam",
        "decry",
        "protest",
        "oppose",
    }
)


# Tokens that end one item of a list of people: 'A, B and C will travel'.
LIST_SEPARATORS = frozenset({",", "and", ";"})


def _listed_before(subj: Token, actors: dict[int, Actor]) -> list[Actor]:
    """People listed before a subject whose long titles broke the parse into nested phrases
    ('Adviser A, Commander B, and Assistant Secretary of Defense C traveled'): named actors
    inside the subject's phrase, each closing a list item, with an 'and' before the subject."""
    doc = subj.doc
    head = actors.get(subj.i)
    if head is None or not head.name:
        return []
    first = min(head.tokens)
    start = subj.left_edge.i
    if not any(doc[j].lower_ == "and" for j in range(start, first)):
        return []
    out: list[Actor] = []
    seen = {head.key}
    for i in range(start, first):
        a = actors.get(i)
        if a is None or not a.name or a.key in seen or a.speaker:
            continue
        after = max(a.tokens) + 1
        if after < len(doc) and doc[after].lower_ in LIST_SEPARATORS:
            seen.add(a.key)
            out.append(a)
    return out


# A capitalised word right before 'President'/'Chairman' names whose head the person is; a
# company's unless it is a state or a rank ('Vice President', 'Deputy Chairman').
_COMPANY_HEAD_RE = re.compile(r"\b([A-Z][\w.&-]+) (?:President|Chairman|Chairwoman|Chief)\b")


RANK_PREFIXES = frozenset({"Vice", "Deputy", "First", "Acting", "Interim", "Former", "The"})


# 'Ambassador to Mexico, Ken Salazar', 'the US envoy in Kabul': where a diplomat is posted.


# How far before a name a posting title is looked for (characters).
POSTING_WINDOW_CHARS = 80


def note_postings(doc: Doc, actors: dict[int, Actor], disc: Discourse) -> None:
    """Remember where the diplomats a sentence names are posted."""
    for a in set(actors.values()):
        if not a.name or not a.tokens:
            continue
        first = a.name.split()[0]
        start = next(
            (doc[i].idx for i in sorted(a.tokens) if doc[i].text == first), doc[min(a.tokens)].idx
        )
        found = list(POSTING_RE.finditer(doc.text, max(0, start - POSTING_WINDOW_CHARS), start))
        m = found[-1] if found else None
        # the title must run up to the name: 'Ambassador to Mexico, Ken Salazar'
        if m is not None and not doc.text[m.end() : start].strip(" ,"):
            code = resolve.country_of(m.group(1))
            if code is not None:
                disc.posted[a.name] = code


def _official(actor: Actor) -> bool:
    """Whether an actor's title makes them a state's official (not a company's or a club's)."""
    words = set(re.findall(r"[a-z]+", actor.title.lower()))
    if words & NON_OFFICIAL_TITLE_WORDS:
        return False
    if words and words <= {"president", "the", "chairman", "leader"}:
        # the gazetteer knows the world's leaders: an unknown 'President X' heads a company,
        # a party or a club far more often than a state
        return False
    m = _COMPANY_HEAD_RE.search(actor.title)
    if m and resolve.country_named(m.group(1)) is None and m.group(1) not in RANK_PREFIXES:
        return False  # 'Didi Chuxing President': a company's president
    return actor.role != "other" or bool(words & OFFICIAL_TITLE_WORDS)


# How often a story must name another state by name or demonym for an official nobody places
# to be taken as that state's rather than the dateline's. Its cities do not count: 'TOKYO -
# Miyazawa ... the Paris accord' names Paris more often than Japan. Reuters-21578 audit
# (audit/, 2026-12-02): of the stories where the named state won over the dateline, the 22
# right ones named it 4-17 times, three of the four wrong ones once (the fourth is a debtor
# named 6 times in a story from the minister's capital, which no count separates).
MIN_NAMINGS_OVER_DATELINE = 2


def unplaced_origin(
    visitor: Actor,
    disc: Discourse,
    destination: str,
    trigger_lemma: str,
    legs: frozenset[str] = frozenset(),
) -> str | None:
    """Where a person no title or gazetteer places comes from, for one destination: the
    office the story named first ('Australia's trade minister ... Duffy'), the dateline of a
    wire story filed from their own capital ('SEOUL (Yonhap) -- Kang traveled to Poland'),
    else, for an official, the publisher's or the story's state."""
    titled = disc.last_unnamed
    if trigger_lemma == "return":
        return None  # 'return to X' is most often a trip home
    if titled is not None and titled.country and titled.country != destination:
        return titled.country
    named = _origin(disc, destination, legs)
    if disc.home is not None and disc.home.country != destination:
        # a wire story filed from the person's own capital ('SEOUL (Yonhap) -- Kang traveled
        # to Poland'), unless the story is about another state ('LONDON - Brazil's debt ...
        # Gros will visit Paris'): then that state
        if disc.relayed and disc.countries[:1] == (destination,):
            # 'CAIRO - Sudan rejected ..., the Sudan News Agency reported ... Omer met the IMF
            # envoy in Khartoum': a relayed story about the destination's state is about its
            # own officials
            return None
        if (
            named is not None
            and disc.source is None
            and disc.named_states.get(named, 0) >= MIN_NAMINGS_OVER_DATELINE
        ):
            return named
        return disc.home.country
    if not _official(visitor):
        return None
    return named


def _origin(disc: Discourse, destination: str, legs: frozenset[str] = frozenset()) -> str | None:
    """The state an official no title or gazetteer places comes from: the publisher's (a
    government's own readout), else the state the story names most that no trip of the story
    goes to."""
    if disc.source is not None:
        return disc.source if disc.source != destination else None
    return next((c for c in disc.countries if c != destination and c not in legs), None)


def group_in_sentence(doc: Doc, actors: dict[int, Actor], disc: Discourse) -> list[Actor]:
    """Leaders of listed countries when the parse lost the subject ('In addition to X, the
    leaders of A, B and C have confirmed their attendance')."""
    for t in doc:
        if t.lemma_.lower() in GROUP_WORDS and t.tag_ == "NNS":
            group = _expand(t, actors, disc)
            if group and all(a.name is None for a in group):
                return group
    return []


# Modifiers that put a gathering ahead: 'the next meeting', 'the coming summit'.
AHEAD_WORDS = frozenset({"next", "coming", "upcoming", "forthcoming"})


def ahead(gathering: Token) -> bool:
    """Whether a gathering is told as ahead: 'the next meeting', "next week's summit"."""
    return any(
        c.lower_ in AHEAD_WORDS
        or (c.dep_ == "poss" and any(g.lower_ in AHEAD_WORDS for g in c.children))
        for c in gathering.children
    )


def speaks_of(actor: Actor, trigger: Token) -> bool:
    """Whether ``actor`` is the subject of a verb of saying or stance ('said', 'expects',
    'urged') under which the gathering ``trigger`` is only mentioned.

    Not when a clause between them has its own pronoun or number for subject, which may be
    the speaker's side ('said he would take part in the meeting', 'said the two would hold
    talks')."""
    doc = trigger.doc
    for i in actor.tokens:
        tok = doc[i]
        if tok.head.i in actor.tokens or tok.dep_ not in {"nsubj", "nsubjpass"}:
            continue
        verb = tok.head
        if verb.i == trigger.i or verb.lemma_.lower() not in STANCE_VERBS:
            continue
        if not any(t.i == verb.i for t in trigger.ancestors):
            continue
        step = trigger
        while step.i != verb.i:
            if (
                step.pos_ in {"VERB", "AUX"}
                and step.lemma_.lower() not in STANCE_VERBS
                and any(
                    c.dep_ in {"nsubj", "nsubjpass"} and c.pos_ in {"PRON", "NUM"}
                    for c in step.children
                )
            ):
                return False
            if step.head.i == verb.i and step.dep_ == "advcl":
                return False  # 'Meeting reporters to discuss the summit, X said': X's own act
            step = step.head
        return True
    return False


def nearest_actor(tok: Token, actors: dict[int, Actor], skip: Actor | None) -> Actor | None:
    best: tuple[int, Actor] | None = None
    for i, a in actors.items():
        if skip is not None and a.key == skip.key:
            continue
        if a.role == "other" and a.name:
            continue
        d = abs(i - tok.i) + (0 if i < tok.i else 3)
        if best is None or d < best[0]:
            best = (d, a)
    return best[1] if best else None
