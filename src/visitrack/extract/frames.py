"""Frames: one sentence's claims that somebody travels somewhere, and passes over a story's
frames.

:func:`sentence_frames` puts the other modules together: a trigger, its visitor, destination,
time and stage make a :class:`Frame`. :func:`fill_tour_times` and :func:`fill_event_times` date
the undated frames of a story from its others.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from visitrack import resolve, timex
from visitrack.extract.actors import Actor, Discourse, find_actors, org_in
from visitrack.extract.lexicon import (
    ACTIVITY_VERBS,
    REPORTING_VERBS,
    ROUTE_NOUNS,
    TRAVEL_VERBS,
    TRIP_NOUNS,
)
from visitrack.extract.places import (
    agent_destination,
    coordinated_prep,
    event_place,
    note_events,
    place_of_token,
    places_under,
)
from visitrack.extract.stage import (
    GUESSING_RULES,
    PAST_RULE,
    decide_stage,
    explain_stage,
    guest_stage,
)
from visitrack.extract.story import YEAR_IN_TEXT_RE, trip_referred_to
from visitrack.extract.triggers import (
    LEAVING_VERBS,
    _kind,
    _occasion,
    _subject,
    guest_places,
    main_verb,
    meeting_place_heads,
    origin_places,
    subject_of,
    thing_subject,
    trigger_kind,
)
from visitrack.extract.visitors import (
    ADJUNCT_PREPS,
    _official,
    _visitors,
    ahead,
    group_in_sentence,
    nearest_actor,
    note_postings,
    speaks_of,
    unplaced_origin,
)
from visitrack.extract.when import (
    _times,
    pick_time,
    relative_day,
    relative_year,
    running_window,
    tense_hint,
    with_length,
)
from visitrack.records import Kind, Stage, When

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


# "visit" used for things that are no diplomatic visit.
# Objects of "visit" that are no trip abroad (a foreign official visiting a hospital abroad is
# still abroad, so places are not listed: the destination country decides).
NON_DIPLOMATIC_OBJECTS = frozenset({"website", "site", "page", "doctor", "account", "profile"})


# Confidence of a frame by how its visitor and destination were found. Calibrated on gold/dev
# and gold/dev2 (2026-12-01, `make eval`'s reliability table): records from the parse were
# right 93% of the time, records from a guess (nearest person, a guessed country) 91-93%; on
# the unseen Reuters sample (audit/) both were lower, so the guess stays a notch below.
CONF_DEPENDENCY = 0.9


CONF_FALLBACK = 0.85


# Trigger kinds that name a gathering (see the speaks_of rule in sentence_frames).
GATHERING_KINDS = frozenset({"event", "meet"})
# Entities that name a body, not a person: a clause with one as its subject tells who acts.
BODY_ENTS = frozenset({"ORG", "NORP"})
# Verbs whose object (a mission, a delegation) travels without their subject.
SENDING_VERBS = frozenset({"send", "dispatch"})


@dataclass(frozen=True, slots=True)
class Frame:
    """One sentence's claim about one visit: the unit :mod:`visitrack.merge` groups."""

    visitor: Actor
    host: Actor | None
    country: str
    city: str | None
    kind: Kind
    occasion: str | None
    stage: Stage
    when: When | None
    sent_start: int
    sent_end: int
    sent_text: str
    confidence: float
    story: int = 0
    # No tense or cue decided the stage ('Biden's Travel to Angola' as a headline): any frame
    # of the same visit that has one tells its stage better.
    stage_guessed: bool = False


# Stages of a trip still ahead of the report.
PLANNED_STAGES = frozenset({"proposed", "invited", "in_preparation", "announced"})
# The side of the news a stage puts a trip on, for a date read without a tense.
TENSE_OF_STAGE: dict[str, timex.Tense] = {
    **{s: "future" for s in PLANNED_STAGES},
    "completed": "past",
}


# A dated trip this long or shorter can be a tour whose undated legs share its window ('from
# July 13-16 ... will then travel to Jeddah'); longer windows are seasons or years, no tour.
TOUR_MAX_DAYS = 31


def _group(visitor: Actor, stage: Stage) -> tuple[str, str]:
    """Legs share a window only within one visitor's trips of one tense: a trip under way
    does not take the dates of one the story recalls."""
    tense = "planned" if stage in PLANNED_STAGES else stage
    return (visitor.key, tense)


# A line this short without a closing stop is a headline ('Shootings cast shadow over Obama
# trip to Spain'): headlines tell news in their own present ('wraps up', 'cast' read as past),
# which says less about the trip's stage than the story's sentences.
HEADLINE_MAX_WORDS = 20
# Stages a headline tells by a cue word ('invites', 'postpones'), not by its tense: news the
# story's background sentences must not outvote.
HEADLINE_NEWS_STAGES = frozenset(
    {"cancelled", "postponed", "invited", "proposed", "in_preparation"}
)


def _headline(text: str) -> bool:
    line = text.strip()
    return bool(line) and line[-1] not in ".!?\"'”’" and len(line.split()) <= HEADLINE_MAX_WORDS


def _backshifted(trigger: Token) -> bool:
    """'He added that the visit was part of the press of business': a trip noun described by a
    past 'be' in what someone said is told in the reporting verb's tense, not as over."""
    head = trigger.head
    return (
        trigger.pos_ in {"NOUN", "PROPN"}
        and trigger.dep_ in {"nsubj", "nsubjpass"}
        and head.lemma_ == "be"
        and head.dep_ == "ccomp"
        and head.head.lemma_.lower() in REPORTING_VERBS
    )


def _note_tour_window(
    tok: Token,
    visitor: Actor,
    text: str,
    disc: Discourse,
    times_cache: dict[str | None, list[timex.TimeMention]],
    sent_start: int,
) -> None:
    """Remember the window of a trip dated without a state ('will visit the Middle East
    region from July 13-16'): the legs the story names next share it."""
    tense = tense_hint(tok)
    if tense not in times_cache:
        times_cache[tense] = _times(text, disc, tense)
    when = pick_time(tok, times_cache[tense])
    if when is None or when.start is None or when.end is None:
        return
    if (when.end - when.start).days > TOUR_MAX_DAYS:
        return
    stage = decide_stage(tok, text, when, disc.published, frozenset(visitor.tokens))
    if stage is None or stage in {"postponed", "cancelled"}:
        return
    disc.tour_windows.append((tok.idx + sent_start, _group(visitor, stage), when))


def fill_tour_times(frames: list[Frame], disc: Discourse | None = None) -> list[Frame]:
    """Give the undated legs of a trip the window of the same visitor's trip of the same tense
    told last before them, or, with none before, of the one told after them. A window counts
    for a leg when it is the whole trip's ('will visit the region from July 13-16', 'will
    travel to A and B from May 5-9', 'will visit Kenya from June 3-6 ... then Tanzania') or the
    same destination's; a single day spent at one leg ('in Romania on May 6 ... will then
    travel to Slovakia') dates no other leg."""
    dated = [
        (f.sent_start, _group(f.visitor, f.stage), f.when, f.country)
        for f in frames
        if f.when is not None
        and f.when.start
        and f.when.end
        and (f.when.end - f.when.start).days <= TOUR_MAX_DAYS
    ]
    legs_told: dict[tuple[int, tuple[str, str], date | None, date | None], set[str]] = {}
    for pos, group, w, country in dated:
        legs_told.setdefault((pos, group, w.start, w.end), set()).add(country)
    windows = [
        (
            pos,
            group,
            w,
            None
            if len(legs_told[(pos, group, w.start, w.end)]) > 1 or w.start != w.end
            else country,
        )
        for pos, group, w, country in dated
    ]
    windows += [(pos, group, w, None) for pos, group, w in (disc.tour_windows if disc else [])]
    windows.sort(key=lambda d: d[0])
    out: list[Frame] = []
    for f in frames:
        if f.when is None and f.stage not in {"postponed", "cancelled"}:
            group = _group(f.visitor, f.stage)
            mine = [
                (pos, w) for pos, g, w, leg in windows if g == group and leg in {None, f.country}
            ]
            # a dated leg in the leg's own sentence dates only itself ('after visiting A, he
            # will fly to B on Friday'): the sentence gave this leg no time on purpose
            before = [w for pos, w in mine if pos < f.sent_start]
            after = {(w.start, w.end): w for pos, w in mine if pos > f.sent_start}
            if before:
                f = replace(f, when=When("(the trip's window)", before[-1].start, before[-1].end))
            elif len(after) == 1:
                w = next(iter(after.values()))
                f = replace(f, when=When("(the trip's window)", w.start, w.end))
        out.append(f)
    return out


def fill_event_times(frames: list[Frame], disc: Discourse) -> list[Frame]:
    """Give an attendance with no time of its own the date the story gives its event
    ('accepted an invitation to attend celebrations' ... 'the May 9 celebrations')."""
    out: list[Frame] = []
    for f in frames:
        at = disc.event_at.get((f.country, f.city)) if f.city else None
        if f.when is None and f.kind != "event_attendance" and at is not None:
            # 'Kohl will go to Venice' in a story of next week's summit in Venice
            f = replace(f, when=at)
        if f.when is None and f.kind == "event_attendance":
            key = (f.occasion or "*").lower().split()[-1].rstrip("s")
            when = disc.event_times.get(key) or disc.event_times.get("*")
            if when is not None and f.stage in PLANNED_STAGES:
                # the event's date was read without a tense: a planned attendance is ahead
                again = timex.find_times(when.text, disc.published, "future")
                when = again[0].when if again and again[0].when.start else when
            if when is not None:
                f = replace(f, when=when)
        out.append(f)
    return out


# Event words that put a person abroad only when the story already places them elsewhere:
# talks happen at home as often as abroad.
WEAK_EVENT_WORDS = frozenset({"talks"})

# Journeys whose starting place ('from X') the traveller was visiting.
JOURNEY_LEMMAS = frozenset({"fly", "arrive", "come", "travel", "head", "return"})


def _standing_mission(trigger: Token, visitors: list[Actor]) -> bool:
    """A state's mission *in* a place is its embassy there ('the US mission in Moscow'); a
    mission *to* a place, or an international body's mission in one, travels. A delegation
    with a head *in* a place or *here* is a standing post ('head of the EC delegation here')."""
    if _headed_post(trigger):
        return True
    return (
        trigger.lemma_.lower() == "mission"
        and any(
            (c.dep_ == "prep" and c.lower_ == "in")
            or (c.dep_ == "compound" and place_of_token(c) is not None)  # 'its Moscow mission'
            for c in trigger.children
        )
        and not any(c.dep_ == "prep" and c.lower_ == "to" for c in trigger.children)
        and bool(visitors)
        and all(v.country and v.role != "intl_org" for v in visitors)
    )


# Words of a standing post's holder: 'head of the EC delegation in Tokyo'.
POST_HOLDER_WORDS = frozenset({"head", "chief"})


def _headed_post(trigger: Token) -> bool:
    """'Head of the EC delegation here', 'acting head of the EU delegation in Tokyo': the
    delegation or mission someone heads in a place stays there (one sent goes *to* it)."""
    if trigger.lemma_.lower() not in {"delegation", "mission"} or trigger.dep_ != "pobj":
        return False
    of = trigger.head
    if of.lower_ != "of" or of.head.lemma_.lower() not in POST_HOLDER_WORDS:
        return False
    placed = any(
        (c.dep_ == "prep" and c.lower_ == "in") or (c.dep_ == "advmod" and c.lower_ == "here")
        for c in trigger.children
    )
    return placed and not any(c.dep_ == "prep" and c.lower_ == "to" for c in trigger.children)


def _said_here(trigger: Token) -> bool:
    """Whether a trigger is placed 'here', where the story is filed: 'his visit here', 'X,
    here on a two-day visit, said' ('who is here for talks' is the verb's: see
    triggers._here_for_a_purpose)."""
    return any(c.lower_ == "here" for c in trigger.children) or (
        trigger.dep_ == "pobj" and trigger.head.head.lower_ == "here"
    )


def _abroad(actor: Actor, disc: Discourse, frames: list[Frame]) -> bool:
    """Whether the story has ``actor`` on a trip abroad: the trip this sentence or the story
    reported last is theirs (and not to their own state)."""
    if any(f.visitor.key == actor.key and f.country != actor.country for f in frames):
        return True
    trip = disc.last_trip
    return trip is not None and trip[0].key == actor.key and trip[1].country != actor.country


def _left_place_stage(leaving: Stage) -> Stage:
    """The stage of the visit to the place left: over once the leaving has happened, under
    way while it is still ahead ('will leave Tokyo for Seoul on Friday')."""
    return "ongoing" if leaving in PLANNED_STAGES else "completed"


def _left_place(trigger: Token, place_tok: Token) -> bool:
    """Whether a place is the one a leaving verb leaves ('left Tokyo for Seoul yesterday'):
    the visit there is over, whatever the trip ahead."""
    return (
        trigger.lemma_.lower() in LEAVING_VERBS
        and place_tok.dep_ == "dobj"
        and place_tok.head.i == trigger.i
    )


# Triggers that tell an arrival ('arrived in', 'landed in', 'his arrival in').
ARRIVAL_LEMMAS = frozenset({"arrive", "land", "arrival"})
# A wire story filed from where the visitor arrived this many days ago or less still reports
# them there ('NAIROBI - X, who arrived last Thursday, met ...'); a week-long visit is common.
DATELINE_STAY_DAYS = 7


def _still_there(
    stage: Stage, trigger: Token, when: When | None, disc: Discourse, country: str
) -> Stage:
    """An arrival told as past in a story filed from the destination is under way when it is
    recent enough."""
    if (
        stage != "completed"
        or trigger.lemma_.lower() not in ARRIVAL_LEMMAS
        or disc.home is None
        or disc.home.country != country
        or disc.published is None
        or when is None
        or when.end is None
    ):
        return stage
    return "ongoing" if 0 <= (disc.published - when.end).days <= DATELINE_STAY_DAYS else stage


def sentence_frames(
    doc: Doc, sent_start: int, disc: Discourse, story: int = 0, source: str | None = None
) -> list[Frame]:
    """All frames of one parsed sentence; updates the discourse state. ``source`` is the
    sentence as written, quoted as evidence (the parser may have read a normalised copy)."""
    actors = find_actors(doc, disc)
    frames: list[Frame] = []
    text = source if source is not None and len(source) == len(doc.text) else doc.text
    times_cache: dict[str | None, list[timex.TimeMention]] = {}
    for tok in doc:
        kind = trigger_kind(tok)
        if kind is None:
            continue
        visitors, host, parsed = _visitors(tok, kind, actors, disc)
        if kind in {"meet", "meet_home"} and parsed:
            people = [a for a in [*visitors, *([host] if host else [])] if a.name]
            if len({a.key for a in people}) >= 2:
                disc.last_meeting = tuple(people)
        skip = frozenset(i for a in visitors for i in a.tokens)
        places = places_under(tok, skip)
        if kind == "event" and not places and tok.dep_ == "dobj":
            # 'will hold talks in Beijing': the place hangs on the verb holding the event
            places = places_under(tok.head, skip, preps=frozenset({"in", "at"}))
        if kind == "visiting":
            places = guest_places(tok, host, skip, disc)
        if kind == "meet_home" and host is not None and host.country:
            places = [(resolve.Place(host.country, None), tok)]
        if kind == "meet" and not places:
            # 'met with President X in Kyiv': the parser hangs the place on the person met
            heads = {t.head.i: t.head for t in meeting_place_heads(tok) if t.head.i != tok.i}
            for head in heads.values():
                places += places_under(head, skip, preps=frozenset({"in", "at"}))
        if kind == "trip" and not places and tok.head.lower_ not in ADJUNCT_PREPS:
            # "considering China for his first foreign trip", "made a trip to ..."; not
            # "following the President's travel in Asia, X will travel to Bangkok"
            gov = tok.head.head if tok.head.dep_ == "prep" else tok.head
            if gov.pos_ in {"VERB", "AUX"}:
                places = places_under(gov, skip)
        if kind == "trip" and not places:
            places = agent_destination(tok, skip)
        if kind == "trip" and not places and parsed and visitors:
            # 'postpones Japan trip', 'Nakasone's Washington visit': a place named before the
            # trip noun (a name, not a demonym: 'a Chinese visit' may go either way), when the
            # parse names whose trip it is
            places = [
                (p, c)
                for c in tok.children
                if c.dep_ == "compound" and c.pos_ == "PROPN" and c.i not in skip
                for p in [place_of_token(c)]
                if p is not None
            ]
        if kind == "invite" and not places:
            for t in tok.subtree:
                if t.lemma_ in TRAVEL_VERBS | TRIP_NOUNS and t.i != tok.i:
                    places = places_under(t, skip)
                    if places:
                        break
        occasion, event_tok = _occasion(tok)
        if not places and event_tok is not None:
            places = places_under(event_tok, skip)
        if kind == "invite" and not places:
            for c in tok.children:
                if c.dep_ == "prep" and c.lower_ == "from":
                    for p in c.children:
                        pl = place_of_token(p)
                        if pl is not None:
                            places = [(pl, p)]
        if (
            not places
            and disc.home is not None
            and (
                _said_here(tok)
                or (
                    kind == "trip"
                    and tok.lemma_.lower() == "visit"
                    and visitors
                    and all(v.country and v.country != disc.home.country for v in visitors)
                )
            )
        ):
            # "his visit here"; "the visit this week by X" in a story filed from the host city
            places = [(disc.home, tok)]
        if (
            kind in {"invite", "host"}
            and not places
            and host is not None
            and host.country
            and not _abroad(host, disc, frames)
        ):
            # where the host is at home; not a dinner a visiting president gives, or invites
            # people to, on his trip ('during his visit, X invited Y to visit Bonn' names it)
            places = [(resolve.Place(host.country, None), tok)]
        if kind == "host" and host is None:
            subj = _subject(tok)
            host_place = place_of_token(subj) if subj is not None else None
            if host_place is not None and subj is not None:
                places = [(host_place, subj)]
        if not places and (
            event_tok is not None or kind == "attend" or tok.lemma_.lower() == "attendance"
        ):
            places = event_place(tok, event_tok, disc)
        # 'after flying from the United States, where he met Bush': the place a journey
        # starts from was visited too (over once the journey is made, under way before)
        origins = (
            origin_places(tok) if kind == "travel" and tok.lemma_.lower() in JOURNEY_LEMMAS else []
        )
        left_ids = {p.i for _, p in origins}
        referred = False
        if not places and not origins:
            if frames:  # an earlier clause of this sentence: '... to Chile, but the trip ...'
                last = frames[-1]
                disc.last_trip = (last.visitor, resolve.Place(last.country, last.city))
            earlier = trip_referred_to(tok, kind, visitors, text, disc)
            if earlier is None:
                if kind in {"trip", "travel"} and parsed and len(visitors) == 1:
                    # 'leaves on a trip to Asia': a traveller, though to no one state
                    disc.travellers.add(visitors[0].key)
                    _note_tour_window(tok, visitors[0], text, disc, times_cache, sent_start)
                continue
            visitors, places, parsed = [earlier[0]], [(earlier[1], tok)], True
            referred = True
        if any(
            t.lemma_.lower() in NON_DIPLOMATIC_OBJECTS for t in tok.children if t.dep_ == "dobj"
        ):
            continue
        if any(c.lower_ == "home" and c.dep_ in {"advmod", "npadvmod"} for c in tok.children):
            continue  # 'his arrival home in Tokyo', 'flew home to Lima': a trip home
        if _standing_mission(tok, visitors):
            continue  # 'the US mission in Moscow': an embassy, no trip
        if not visitors and kind == "host":
            continue  # "will host a news conference": nobody comes
        if not visitors and parsed:
            continue  # the parse names the traveller, and nobody can place them
        if not parsed and tok.lemma_.lower() in ACTIVITY_VERBS:
            continue  # 'the exchange will open offices in Tokyo': only a named actor's act
        if not visitors:
            visitors = group_in_sentence(doc, actors, disc)
            parsed = False
            taken = {i for a in visitors for i in a.tokens}
            places = [(p, t) for p, t in places if t.i not in taken]
        if not visitors:
            if thing_subject(tok):
                continue  # 'special attention would go to Brazil': no person travels
            subj = subject_of(tok)
            if (
                subj is not None
                and (subj.pos_ == "NOUN" or (subj.pos_ == "PROPN" and subj.ent_type_ in BODY_ENTS))
                and not any(t.i in actors for t in subj.subtree)
            ):
                # 'senior delegates will be present', 'when the council meets in Rome': the
                # clause names who goes, and it is not the person named nearest ('a commission
                # headed by X' is X's)
                continue
            if kind == "invite" or tok.lemma_.lower() in ROUTE_NOUNS:
                # who is invited, and to what, only the parse can tell; 'the accord is on its
                # way to Brussels' is no one's journey
                continue
            if tok.dep_ == "dobj" and tok.head.lemma_.lower() in SENDING_VERBS:
                continue  # 'will send trade missions to X': the sender stays at home
            guess = nearest_actor(tok, actors, skip=host)
            if guess is None:
                continue
            visitors = [guess]
        if kind in GATHERING_KINDS and ahead(tok) and all(speaks_of(v, tok) for v in visitors):
            # 'X said at the next OPEC meeting in Vienna members will face ...', 'urged the
            # coming summit in Venice to act': who speaks of a gathering ahead is not known to
            # go to it (of one that took place they most often report from it)
            continue
        tense = tense_hint(tok)
        if tense not in times_cache:
            times_cache[tense] = _times(text, disc, tense)
        when = (
            pick_time(tok, times_cache[tense])
            or relative_year(text, tok, disc)
            or relative_day(text, disc)
        )
        if referred:
            when = None  # 'on Tuesday the visit was cancelled': the day of the news, not the trip
        rule, stage = explain_stage(tok, text, when, disc.published, skip)
        guessed = kind != "visiting" and (
            rule in GUESSING_RULES
            or (rule == PAST_RULE and _backshifted(tok))
            # a headline's tense is the news present ('Tusk wraps up Ukraine trip' over a story
            # of a visit last week): the story's sentences tell the stage better, except what a
            # headline tells by a cue word
            or (_headline(text) and stage not in HEADLINE_NEWS_STAGES)
        )
        if kind == "visiting" and stage is not None:
            stage = guest_stage(main_verb(tok), when, disc.published)
        if stage is None:
            continue
        if tense is None and when is not None and stage in TENSE_OF_STAGE and not referred:
            # 'may have to give up plans to visit Oslo in April': the modal gave no tense and
            # the nearest April was read; the stage says which side of the news the trip is on
            told = TENSE_OF_STAGE[stage]
            if told not in times_cache:
                times_cache[told] = _times(text, disc, told)
            when = pick_time(tok, times_cache[told]) or when
        when = with_length(tok, when)  # after the stage: that reads the day it starts
        if when is None and stage == "ongoing" and not referred:
            when = running_window(tok, disc.published)
        kind_ = _kind(tok, text, occasion)
        weak = tok.lemma_.lower() in ACTIVITY_VERBS or (
            kind == "event" and tok.lower_ in WEAK_EVENT_WORDS
        )
        for visitor in visitors:
            conf = CONF_DEPENDENCY if parsed else CONF_FALLBACK
            if visitor.speaker:
                continue
            unplaced = visitor.country is None and visitor.role != "intl_org"
            if unplaced:
                if visitor.name is None or weak:
                    # 'spoke to reporters in Mendoza', 'talks in Rio involving X': an act or
                    # talks abroad tell a trip only of someone known to be from elsewhere
                    continue
                titled = disc.last_unnamed
                if titled is not None and titled.country:
                    # 'Australia's trade minister is optimistic ... Michael Duffy said': the
                    # story named the office first and the person later
                    role = visitor.role if visitor.role != "other" else titled.role
                    visitor = replace(visitor, role=role, title=visitor.title or titled.surface)
                elif disc.home is None and (
                    not _official(visitor) or tok.lemma_.lower() == "return"
                ):
                    # 'return to X' is most often a trip home: no guess of where from
                    continue
                conf = CONF_FALLBACK
            base = visitor
            for place, ptok in [*places, *origins]:
                if unplaced:
                    legs = frozenset(p.country for p, _ in places)
                    origin = unplaced_origin(base, disc, place.country, tok.lemma_.lower(), legs)
                    if origin is None:
                        continue
                    visitor = replace(base, country=origin)
                if visitor.country == place.country:
                    continue
                if visitor.name and disc.posted.get(visitor.name) == place.country:
                    continue  # the ambassador to X is at work in X, not visiting
                if visitor.role == "intl_org" and place.country in resolve.org_seats(
                    org_in(visitor.title)
                ):
                    continue  # an international official at the body's own seat
                branch = coordinated_prep(ptok)
                place_when = when
                if branch is not None:
                    place_when = pick_time(tok, times_cache[tense], after=branch.i) or when
                if ptok.i in left_ids:
                    place_when = None  # the journey's day ends that stay; its start is unknown
                receiver = host if host and host.country == place.country else None
                if receiver is None and kind == "meet":
                    # a meeting abroad: the named participant of the destination country
                    # receives the others ('met President Lena Holm of Finland in Helsinki')
                    receiver = next(
                        (a for a in visitors if a.name and a.country == place.country), None
                    )
                frames.append(
                    Frame(
                        visitor=visitor,
                        host=receiver,
                        country=place.country,
                        city=place.city,
                        kind=kind_,
                        occasion=occasion,
                        stage=(
                            _left_place_stage(stage)
                            if _left_place(tok, ptok) or ptok.i in left_ids
                            else _still_there(stage, tok, place_when, disc, place.country)
                        ),
                        when=place_when,
                        sent_start=sent_start,
                        sent_end=sent_start + len(text),
                        sent_text=text,
                        confidence=conf,
                        story=story,
                        stage_guessed=guessed,
                    )
                )
    if frames:
        last = frames[-1]
        disc.last_trip = (last.visitor, resolve.Place(last.country, last.city))
    disc.travellers.update(
        f.visitor.key for f in frames if f.stage not in {"postponed", "cancelled"}
    )
    for f in frames:
        # a person the sentence placed (beside a compatriot) stays placed in later sentences
        known = disc.people.get(f.visitor.name.lower()) if f.visitor.name else None
        if known is not None and known.country is None and f.visitor.country:
            disc.place_person(f.visitor)
    for f in frames:
        if f.occasion or f.kind == "event_attendance" or f.stage == "invited":
            disc.event_places.setdefault("*", resolve.Place(f.country, f.city))
    note_events(doc, disc, times_cache.get(None) or _times(text, disc, None))
    for tm in (
        times_cache.get(None) or next(iter(times_cache.values()), None) or _times(text, disc, None)
    ):
        m = YEAR_IN_TEXT_RE.search(tm.text)
        if m:
            disc.last_year = int(m.group(1))
        if tm.when.start is not None and tm.when.start == tm.when.end:
            disc.last_day = tm.when.start  # what 'the next day' of a later sentence follows
    note_postings(doc, actors, disc)
    main_subject: tuple[int, Actor] | None = None
    for a in sorted(set(actors.values()), key=lambda a: min(a.tokens) if a.tokens else 0):
        subject = any(doc[i].dep_ in SUBJECT_DEPS for i in a.tokens if i < len(doc))
        if a.name is None and a.country and not a.speaker and a.role != "other" and subject:
            disc.last_unnamed = a
        if a.name:
            disc.remember(a)
            if not a.speaker and a.country and subject:
                # the subject of the outermost clause: 'Baldrige said he hopes Nakasone will
                # make proposals. He also told reporters ...' is Baldrige again
                depth = min(_clause_depth(doc[i]) for i in a.tokens if doc[i].dep_ in SUBJECT_DEPS)
                if main_subject is None or depth <= main_subject[0]:
                    main_subject = (depth, a)
    if main_subject is not None:
        disc.last_subject = main_subject[1]
    return frames


SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})


def _clause_depth(tok: Token) -> int:
    """How many heads lie between a token and its sentence's root."""
    return sum(1 for _ in tok.ancestors)
