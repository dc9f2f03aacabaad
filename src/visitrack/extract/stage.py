"""Stage stage: decide where a visit stands, from its trigger and the words that govern it.

The spec's table (shared/spec/visit-record.md) is the reference. Cue words are looked up on the
trigger, on the chain of heads above it (``accepted an invitation to attend``, ``is expected to
arrive``) and on their auxiliaries, negations and modals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from visitrack.extract.lexicon import REPORTING_VERBS, ROUTE_NOUNS, TAKE_VERBS
from visitrack.records import Stage, When

if TYPE_CHECKING:
    from spacy.tokens import Token

# Stage cue tables, one per cue kind. Lemmas are looked up on the trigger's chain of heads (or,
# where a rule says so, on their aux/neg/modal children too); phrases in the trigger's clause.
# A trip called off: 'cancelled his visit', 'called off the trip', 'no longer plans to go'.
CANCEL_LEMMAS = frozenset(
    {"cancel", "scrap", "abandon", "drop", "decline", "snub", "reject", "deny", "skip", "boycott"}
)
CANCEL_PHRASES = ("call off", "called off", "calls off", "no longer", "no plans", "not go ahead")
# A trip moved to a later, often unknown, date: 'postponed', 'put off', 'on hold'.
POSTPONE_LEMMAS = frozenset({"postpone", "delay", "defer", "reschedule", "shelve", "suspend"})
POSTPONE_PHRASES = ("put off", "on hold", "push back", "pushed back", "put back")
# A trip being worked out: 'preparations for the visit', 'the date will be discussed'.
PREPARE_LEMMAS = frozenset(
    {"consultation", "preparation", "prepare", "negotiate", "discuss", "work"}
)
PREPARE_PHRASES = (
    "contacts are planned",
    "preparations are",
    "preparations for",
    "preparing for",
    "working on",
    "being prepared",
    "being worked out",
    "date and format",
    "date, place and format",
    "details of",
    "to determine the",
    "will be discussed",
    "in the works",
    "in the pipeline",
)
# An invitation; with an acceptance word it is an announced trip ('accepted an invitation').
INVITE_LEMMAS = frozenset({"invite", "invitation"})
ACCEPT_LEMMAS = frozenset({"accept", "agree", "confirm"})
# Words of a fixed plan: 'is scheduled to', 'is due to', 'will'.
ANNOUNCE_LEMMAS = frozenset(
    {"schedule", "plan", "due", "set", "expect", "announce", "confirm", "intend", "slate", "will"}
)
# Words of a trip only floated or wished for: 'could visit', 'hopes to', 'a possible trip'.
PROPOSE_LEMMAS = frozenset(
    {
        "consider",
        "hope",
        "propose",
        "suggest",
        "want",
        "wish",
        "could",
        "might",
        "may",
        "possible",
        "possibility",
        "likely",
        "willingness",
        "speculate",
        "float",
        "offer",
        "seek",
        "ask",
        "interested",
        "potential",
        "moot",
    }
)
# Phrases of a trip only talked about: 'a visit is on the cards' is not yet a plan.
PROPOSE_PHRASES = ("on the cards", "in the cards")
# Verbs that begin a stay: a recent past one puts the visitor there now ('arrived on Tuesday').
ONGOING_LEMMAS = frozenset({"arrive", "land", "begin", "start", "open"})
# Verbs that frame a trip as imagined, not reported: 'the novel imagines X on a visit to Y'.
HYPOTHETICAL_LEMMAS = frozenset({"imagine", "pretend", "fantasize", "daydream", "envision"})
# Words that make a trip only possible: discussing it does not make it prepared.
UNCERTAIN_LEMMAS = frozenset({"possible", "possibility", "potential", "eventual"})
# Conjunctions whose clause has no time of its own: 'will meet him when he visits'.
TEMPORAL_MARKS = frozenset({"when", "once", "while", "after", "before", "until"})

# Phases of a trip named by the verb that governs a trip noun ('began a visit', 'winding up
# a visit', 'it follows his visit') or by the preposition it hangs on ('during his visit',
# 'after his visit'). One row a cue; see _phase_stage for what each phase means per tense.
PHASE_VERBS: dict[str, str] = {
    "begin": "start",
    "start": "start",
    "kick": "start",
    "launch": "start",
    "open": "start",
    "embark": "start",
    "wind": "end",
    "wrap": "end",
    "conclude": "end",
    "end": "end",
    "finish": "end",
    "cap": "end",
    "follow": "after",
}
PHASE_PREPS: dict[str, str] = {
    "during": "during",
    "throughout": "during",
    "amid": "during",
    "after": "after",
    "since": "after",
    "following": "after",
    "before": "before",
    "ahead": "before",
}
# Tenses in which a phase cue reports the trip under way; phases that open a trip.
RUNNING_TENSES = frozenset({"present", "present_progressive"})
OPENING_PHASES = frozenset({"start", "before"})
# Motion verbs whose present perfect puts the traveller there now: 'has arrived in Hanoi',
# 'have travelled to Verdun' (where 'has visited' reports a finished visit).
ARRIVAL_PERFECT_LEMMAS = frozenset({"arrive", "travel", "fly", "come", "land", "head", "go"})

# Verbs that make a trip ahead only a wish or an idea: 'hopes to visit', 'would like to'.
WISH_LEMMAS = frozenset(
    {"hope", "want", "wish", "consider", "seek", "propose", "suggest", "like", "love"}
)
# Governing words that put a trip ahead whatever the main verb's tense: 'decided to visit'.
FORWARD_LEMMAS = frozenset(
    {
        "like",
        "love",
        "plan",
        "decide",
        "agree",
        "intend",
        "schedule",
        "set",
        "due",
        "hope",
        "want",
        "wish",
        "consider",
        "seek",
        "propose",
        "suggest",
        "prepare",
        "decision",
        "intention",
        "readiness",
        "anticipate",
    }
)

# Verbs that host a guest: with a modal of readiness they make an open invitation ('would be
# glad to host', 'is ready to welcome').
HOST_LEMMAS = frozenset({"host", "welcome", "receive"})
OPEN_INVITATION_LEMMAS = frozenset({"would", "glad", "ready", "happy", "willing", "could"})
# Verbs a trip noun hangs on with 'on' that set out on it, not report it under way
# ('embarked on a visit', 'left on a trip').
SETTING_OUT_LEMMAS = frozenset({"embark", "set", "leave", "go", "head", "depart"})
# ... and those of them that name the trip's start phase.
EMBARK_LEMMAS = frozenset({"embark", "set", "leave"})
# Words that make a trip firm even next to a proposal word ('will possibly visit').
FIRM_LEMMAS = frozenset({"will", "schedule", "due"})
# Modals that keep a dated trip from counting as done ('would have visited in May').
CONDITIONAL_LEMMAS = frozenset({"will", "would"})
# A past meeting within days of the report, like an arrival, puts the visitor there.
MEET_LEMMAS = frozenset({"meet"})
# Past departures that put the traveller on the road now ('left for Lima on Monday').
DEPARTURE_LEMMAS = frozenset({"leave", "depart", "head"})
# Verbs of setting off for a place: a day or two after, the traveller is there.
SETTING_OFF_LEMMAS = DEPARTURE_LEMMAS | {"fly"}
# Verbs of a journey towards a place, whose past progressive has the traveller on the way.
JOURNEY_LEMMAS = SETTING_OFF_LEMMAS | {"travel", "go"}
# Verbs whose subject, a trip noun, has just reached the place ('the mission arrived').
ARRIVAL_VERB_LEMMAS = frozenset({"arrive", "land"})
# Heads that make a past-tense clause report a plan ('was expected to arrive').
PAST_PLAN_LEMMAS = frozenset({"expect", "schedule", "due", "plan", "set"})
# Verbs by which a host looks forward to a guest; and subjects that are not the host.
HOST_EXPECT_LEMMAS = frozenset({"expect", "await"})
IMPERSONAL_SUBJECTS = frozenset({"it", "visit", "trip"})
# Single cue words: 'later on Friday', 'currently in Kigali', 'now on a visit'.
LATER_CUE = "later"
CURRENTLY_CUE = "currently"
NOW_CUE = "now"

# Grammar tables: parts of speech, dependency labels and auxiliaries the rules walk.
VERB_POS = frozenset({"VERB", "AUX"})
NOUN_POS = frozenset({"NOUN", "PROPN"})
NOMINAL_HEAD_POS = frozenset({"NOUN", "PROPN", "PRON"})
# Dependencies of a participle set beside its clause's verb ('X, winding up a visit, said').
PARTICIPLE_ADJUNCT_DEPS = frozenset({"advcl"})
AUX_DEPS = frozenset({"aux", "auxpass"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
# Dependencies that start a clause of its own: the chain stops below a finite one.
CLAUSE_DEPS = frozenset({"advcl", "ccomp", "relcl"})
COORD_DEPS = frozenset({"conj"})
# Dependencies the chain climbs from the trigger towards its clause's verb.
CHAIN_DEPS = frozenset(
    {
        "xcomp",
        "ccomp",
        "acl",
        "dobj",
        "pobj",
        "prep",
        "attr",
        "nsubj",
        "nsubjpass",
        "advcl",
        "relcl",
        "compound",
        "amod",
        "pcomp",
        "appos",
        "oprd",
        "acomp",
        "npadvmod",
    }
)
# Dependencies of a verb that does not end the chain (its tense is the one above).
NONFINITE_DEPS = frozenset({"xcomp", "acl", "pcomp"})
# Children of the chain whose lemmas count as cues.
CUE_CHILD_DEPS = frozenset({"aux", "auxpass", "neg", "advmod", "amod", "acomp", "prt", "det"})
TEMPORAL_MARK_DEPS = frozenset({"mark", "advmod"})
# Dependencies of a trip noun whose verb head names a phase.
PHASE_NOUN_DEPS = frozenset({"dobj", "nsubjpass", "pobj"})
FUTURE_AUXES = frozenset({"will", "'ll", "shall"})
PAST_AUXES = frozenset({"was", "were", "had", "did"})
PERFECT_AUXES = frozenset({"has", "have"})
PROGRESSIVE_AUXES = frozenset({"is", "are", "am", "'s", "'re"})
PRESENT_TAGS = frozenset({"VBZ", "VBP"})

# A past-tense arrival within this many days before publication means the visitor is still
# there ("arrived on Tuesday" in a Wednesday paper); tuned on the dev gold set's wire stories.
ONGOING_WINDOW_DAYS = 3


# Lemmas the small English model gets wrong on news verbs ('hopes' -> 'hop'), by surface form.
LEMMA_FIXES = {"hopes": "hope", "hoped": "hope", "hoping": "hope"}


def lemma(tok: Token) -> str:
    """A token's lemma, lower-cased, with the model's known slips corrected."""
    return LEMMA_FIXES.get(tok.lower_, tok.lemma_.lower())


def _context_lemmas(trigger: Token) -> tuple[set[str], list[Token]]:
    """Lemmas of the trigger, its heads up to the clause root, and their aux/neg/modal children."""
    chain: list[Token] = [trigger]
    tok = trigger
    for _ in range(6):
        if tok.head.i == tok.i:
            break
        if tok.pos_ in VERB_POS and tok.dep_ in CLAUSE_DEPS and not is_infinitive(tok):
            break  # "expected to travel ... after X visited Ankara": X's visit is its own clause
        if tok.dep_ in COORD_DEPS and tok.head.pos_ == "VERB":
            # "visited X and met Y": the coordinated verb shares the first one's aux, not its lemma.
            tok = tok.head
            chain.append(tok)
            continue
        if tok.dep_ in COORD_DEPS and tok.head.pos_ in NOMINAL_HEAD_POS:
            # 'to cancel her and her husband's trip': the parser joins the trip noun to the
            # pronoun, and the pair shares the verb above it
            tok = tok.head
            continue
        if tok.dep_ not in CHAIN_DEPS:
            break
        tok = tok.head
        chain.append(tok)
        if tok.pos_ in VERB_POS and tok.dep_ not in NONFINITE_DEPS and not is_infinitive(tok):
            break  # the clause's own verb: what governs it is another event
    lemmas: set[str] = set()
    for t in chain:
        lemmas.add(lemma(t))
        for c in t.children:
            if c.dep_ in CUE_CHILD_DEPS:
                lemmas.add(lemma(c))
    return lemmas, chain


def is_infinitive(tok: Token) -> bool:
    """'(expecting Xi) to make a visit', '(proposed that Xi) visit Moscow': a clause without
    tense of its own, whose stage the verb above decides."""
    auxes = [c for c in tok.children if c.dep_ in AUX_DEPS]
    if any(c.lower_ == "to" for c in auxes):
        return True
    return tok.tag_ == "VB" and not auxes


def _is_negated(chain: list[Token]) -> bool:
    for t in chain[:3]:
        if t.dep_ == "prep" and t.lower_ in SETTING_PREPS:
            break  # 'did not expect a deal during his visit': the act is negated, not the trip
        for c in t.children:
            if c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no"):
                return True
    return False


def _counterfactual(chain: list[Token]) -> bool:
    """A trip that did not happen: 'had X visited Y, ...', 'if X had travelled to Y, ...', or
    one a verb of imagining frames."""
    for t in chain:
        if lemma(t) in HYPOTHETICAL_LEMMAS:
            return True
        if t.pos_ not in VERB_POS:
            continue
        had = [c for c in t.children if c.dep_ == "aux" and c.lower_ == "had"]
        if not had:
            continue
        subjects = [c.i for c in t.children if c.dep_ in SUBJECT_DEPS]
        inverted = bool(subjects) and had[0].i < min(subjects)
        if inverted or any(c.dep_ == "mark" and c.lower_ == "if" for c in t.children):
            return True
    return False


@dataclass(frozen=True)
class Ctx:
    """What the stage rules look at: the trigger, its clause and the time of the report."""

    trigger: Token
    sentence_text: str
    when: When | None
    published: date | None
    visitor_tokens: frozenset[int]
    lemmas: frozenset[str]  # chain lemmas plus their aux/neg/modal children's
    chain: tuple[Token, ...]  # the trigger and the heads above it in its own clause
    head_lemmas: frozenset[str]  # lemmas of the chain itself
    clause: str  # the trigger's own clause, lower-cased
    low: str  # the whole sentence, lower-cased
    tense: str

    @property
    def top(self) -> Token:
        return self.chain[-1]

    @property
    def trigger_lemma(self) -> str:
        return lemma(self.trigger)

    @property
    def preparing(self) -> bool:
        if _done_on_the_trip(self):
            return False  # 'discussed the plans during a trip to Oslo': talks held on it
        return bool(self.head_lemmas & PREPARE_LEMMAS) or _has_phrase(self.clause, PREPARE_PHRASES)

    @property
    def recent(self) -> bool:
        return _recent(self.when, self.published)

    @property
    def behind(self) -> bool:
        return _behind(self.when, self.published)

    @property
    def ahead(self) -> bool:
        return _ahead(self.when, self.published)

    @property
    def past(self) -> bool:
        return self.tense == "past"


def _context(
    trigger: Token,
    sentence_text: str,
    when: When | None,
    published: date | None,
    visitor_tokens: frozenset[int],
) -> Ctx:
    lemmas, chain = _context_lemmas(trigger)
    top = chain[-1]
    # Cue phrases count only inside the trigger's own clause: in "X cancelled a trip, partly
    # because of Y's visit", Y's visit is not cancelled.
    clause = trigger.doc[top.left_edge.i : top.right_edge.i + 1].text.lower()
    return Ctx(
        trigger=trigger,
        sentence_text=sentence_text,
        when=when,
        published=published,
        visitor_tokens=visitor_tokens,
        lemmas=frozenset(lemmas),
        chain=tuple(chain),
        head_lemmas=frozenset(lemma(t) for t in chain),
        clause=clause,
        low=sentence_text.lower(),
        tense=_tense(chain),
    )


def _has_phrase(text: str, phrases: tuple[str, ...]) -> bool:
    return any(p in text for p in phrases)


@dataclass(frozen=True)
class Rule:
    """One row of the stage table: when ``applies`` holds, the stage is ``stage(ctx)``
    (``None`` for a visit that is not one: negated or hypothetical)."""

    name: str
    applies: Callable[[Ctx], bool]
    stage: Callable[[Ctx], Stage | None]


def _const(stage: Stage | None) -> Callable[[Ctx], Stage | None]:
    return lambda _ctx: stage


def _defer_to_main_clause(c: Ctx) -> Stage | None:
    # "is likely to meet Y when he pays a visit": a 'when' clause's present tense takes the
    # time of the clause it depends on, unless its own time is ahead ('told journalists
    # before he attends next week's meeting')
    if c.ahead and not c.past:
        return "announced"
    rule, stage = explain_stage(c.top.head, c.sentence_text, c.when, c.published, c.visitor_tokens)
    if rule == HOST_EXPECTS_RULE:
        return "announced"  # 'officials expect progress when he visits': no invitation
    return stage


def _temporal_clause(c: Ctx) -> bool:
    top = c.top
    return (
        c.tense == "present"
        and top.dep_ == "advcl"
        and top.head.i != top.i
        and any(
            ch.dep_ in TEMPORAL_MARK_DEPS and ch.lower_ in TEMPORAL_MARKS for ch in top.children
        )
    )


# Verbs whose 'on' names their topic: 'briefed them on the premier's visit' tells nothing of
# where the premier is.
ON_TOPIC_LEMMAS = frozenset(
    {"brief", "focus", "comment", "report", "reflect", "insist", "dwell", "center", "centre"}
)


def _on_a_visit(c: Ctx) -> bool:
    t = c.trigger
    return (
        t.dep_ == "pobj"
        and t.head.lower_ == "on"
        and t.pos_ == "NOUN"
        and lemma(t.head.head) not in SETTING_OUT_LEMMAS | ON_TOPIC_LEMMAS
    )


def _en_route_stage(c: Ctx) -> Stage:
    # 'stopped in Madrid on her way to Rome on Monday': the traveller is not there yet, as far
    # as the story says; only a journey well past is over ('on his way to Lima last year')
    return "completed" if c.past and c.behind and not c.recent else "announced"


def _on_a_visit_stage(c: Ctx) -> Stage:
    # "Lavrov, on a two-day visit to Beijing, met ..."; "she is on a visit to ...": the trip
    # is going on when the clause happens
    if c.tense == "future" or c.ahead:
        return "announced"  # 'will be on a visit', 'hopes pinned on the trip next week'
    return "ongoing" if c.recent else "completed"


# Prepositions that make a trip noun the setting of another act ('no plans to meet bankers
# during his trip'): a cue phrase of the clause speaks of that act, not of the trip.
SETTING_PREPS = frozenset({"during", "on", "throughout"})
# Verbs whose 'on' makes the trip their object: 'working on a visit'.
PREPARE_ON_LEMMAS = frozenset({"work", "agree", "decide", "consult", "focus"})


def _adjunct_trip(c: Ctx) -> bool:
    return c.trigger.dep_ == "pobj" and c.trigger.head.lower_ in SETTING_PREPS


def _done_on_the_trip(c: Ctx) -> bool:
    """Whether the sentence's verb is something done on the trip, not to the trip: 'discussed
    it during a trip', not 'working on a trip'."""
    return _adjunct_trip(c) and lemma(c.trigger.head.head) not in PREPARE_ON_LEMMAS


def _phased(c: Ctx) -> Stage | None:
    return _phase_stage(c.trigger, list(c.chain), c.tense, c.when, c.published)


# Particles that make their verb look ahead: 'looks forward to his visit'.
FORWARD_PARTICLES = frozenset({"forward"})


def _forward(c: Ctx) -> bool:
    heads = c.chain[1:]
    return bool(FORWARD_LEMMAS & {lemma(t) for t in heads}) or any(
        ch.lower_ in FORWARD_PARTICLES for t in heads for ch in t.children if ch.dep_ == "advmod"
    )


# The last rule: nothing in the sentence told the stage.
DEFAULT_RULE = "default"
# Marks that put a clause in doubt: 'whether he would go'.
DOUBT_MARKS = frozenset({"whether"})

# Adjectives that set a trip noun ahead: 'a scheduled visit', 'his upcoming trip'.
PLANNED_ADJECTIVES = frozenset({"scheduled", "planned", "upcoming", "forthcoming", "expected"})

# A host's wish for the guest's trip: an invitation.
HOST_EXPECTS_RULE = "host_expects"
# The plain past tense: the trip is over.
PAST_RULE = "past"
# A trip noun that is only what another thing is about: its verb tells nothing of the trip.
TOPIC_RULE = "topic"
# Rules that guess: a frame they decided yields its stage to any other frame of the visit.
GUESSING_RULES = frozenset({DEFAULT_RULE, TOPIC_RULE})
# Prepositions that make a trip noun the topic of the noun they hang on.
TOPIC_PREPS = frozenset({"about", "regarding", "concerning"})


def _topic_of_a_thing(c: Ctx) -> bool:
    t = c.trigger
    return (
        t.pos_ in NOUN_POS
        and t.dep_ == "pobj"
        and t.head.lower_ in TOPIC_PREPS
        and t.head.head.pos_ in NOUN_POS
    )


# The stage table, evaluated in order: the first rule that applies decides. Adding a rule is
# adding a row here (and a sentence row in tests/test_stage.py).
RULES: tuple[Rule, ...] = (
    Rule(
        "cancelled",
        lambda c: (
            bool(c.head_lemmas & CANCEL_LEMMAS)
            or (not _adjunct_trip(c) and _has_phrase(c.clause, CANCEL_PHRASES))
        ),
        _const("cancelled"),
    ),
    Rule(
        "postponed",
        lambda c: (
            bool(c.head_lemmas & POSTPONE_LEMMAS)
            or (not _adjunct_trip(c) and _has_phrase(c.clause, POSTPONE_PHRASES))
        ),
        _const("postponed"),
    ),
    Rule("negated", lambda c: _is_negated(list(c.chain)), _const(None)),
    # 'files with security details about the president's visit were found': the finding's
    # tense says nothing of the visit
    Rule(TOPIC_RULE, _topic_of_a_thing, _const("announced")),
    Rule("counterfactual", lambda c: _counterfactual(list(c.chain)), _const(None)),
    Rule("temporal_clause", _temporal_clause, _defer_to_main_clause),
    # 'a possible trip ... is being discussed'
    Rule(
        "uncertain_preparation",
        lambda c: c.preparing and bool(c.lemmas & UNCERTAIN_LEMMAS),
        _const("proposed"),
    ),
    Rule(
        "in_preparation",
        lambda c: c.preparing and not c.head_lemmas & ACCEPT_LEMMAS,
        _const("in_preparation"),
    ),
    # "confirmed their attendance", "agreed to a visit"
    Rule(
        "accepted_noun",
        lambda c: c.trigger.pos_ == "NOUN" and bool(c.head_lemmas & ACCEPT_LEMMAS) and not c.behind,
        _const("announced"),
    ),
    Rule(
        "invitation_accepted",
        lambda c: bool(c.head_lemmas & INVITE_LEMMAS) and bool(c.head_lemmas & ACCEPT_LEMMAS),
        _const("announced"),
    ),
    Rule("invited", lambda c: bool(c.head_lemmas & INVITE_LEMMAS), _const("invited")),
    # "Russia would be glad to host the Chinese leader": an open invitation
    Rule(
        "open_invitation",
        lambda c: c.trigger_lemma in HOST_LEMMAS and bool(c.lemmas & OPEN_INVITATION_LEMMAS),
        _const("invited"),
    ),
    # "Putin said he was expecting Xi to make a state visit": the host's wish, not a plan the
    # visitor confirmed
    Rule(
        HOST_EXPECTS_RULE,
        lambda c: _host_expects(list(c.chain), c.visitor_tokens),
        _const("invited"),
    ),
    # 'a week before a scheduled Moscow visit by Shultz': the trip noun says it is ahead
    Rule(
        "planned_noun",
        lambda c: (
            c.trigger.pos_ in NOUN_POS
            and any(
                ch.dep_ == "amod" and ch.lower_ in PLANNED_ADJECTIVES for ch in c.trigger.children
            )
        ),
        _const("announced"),
    ),
    Rule("en_route", lambda c: c.trigger_lemma in ROUTE_NOUNS, _en_route_stage),
    Rule("on_a_visit", _on_a_visit, _on_a_visit_stage),
    # 'back from a trip to London', 'after flying back from a visit to Rome': it is over
    Rule(
        "back_from",
        lambda c: (
            c.trigger.dep_ == "pobj"
            and c.trigger.head.lower_ == "from"
            and c.trigger.pos_ in NOUN_POS
            and c.tense != "future"
            and not c.ahead
        ),
        _const("completed"),
    ),
    Rule("phase", lambda c: _phased(c) is not None, _phased),
    # 'has arrived in Hanoi': the traveller is there now
    Rule(
        "arrival_perfect",
        lambda c: (
            c.trigger_lemma in ARRIVAL_PERFECT_LEMMAS
            and _perfect(c.trigger)
            and (c.when is None or c.recent)
        ),
        _const("ongoing"),
    ),
    # 'it was not clear whether he would fly to Japan', 'will decide whether to go'
    Rule(
        "in_doubt",
        lambda c: any(
            ch.dep_ in {"mark", "advmod"} and ch.lower_ in DOUBT_MARKS
            for t in c.chain
            for ch in t.children
        ),
        _const("proposed"),
    ),
    # "hopes to visit": the trip is ahead, but only wished
    Rule(
        "forward_wish",
        lambda c: _forward(c) and chain_has(list(c.chain), WISH_LEMMAS),
        _const("proposed"),
    ),
    # "decided to visit", "plans to attend": the trip is ahead whatever the main verb's tense
    Rule("forward_plan", _forward, _const("announced")),
    Rule(
        "proposal",
        lambda c: (
            (bool(c.lemmas & PROPOSE_LEMMAS) or _has_phrase(c.clause, PROPOSE_PHRASES))
            and not c.lemmas & FIRM_LEMMAS
        ),
        _const("proposed"),
    ),
    # 'will hold talks in Tokyo today': an act abroad on the report's own day means the
    # traveller is there
    Rule(
        "future_today",
        lambda c: (
            c.tense == "future"
            and c.when is not None
            and c.published is not None
            and c.when.start == c.when.end == c.published
        ),
        _const("ongoing"),
    ),
    # 'pinned hopes on the trip to Tokyo next week': a trip noun whose own time is ahead is
    # ahead, whatever the tense of the verb it hangs on
    Rule(
        "window_ahead",
        lambda c: c.ahead and c.trigger.pos_ in NOUN_POS,
        _const("announced"),
    ),
    # 'visited Hiroshima today' in today's paper: the visitor is there
    Rule(
        "past_today",
        lambda c: c.past and c.when is not None and c.when.start == c.when.end == c.published,
        _const("ongoing"),
    ),
    # "arrived on Tuesday" or "left for Seoul on Tuesday" in a Wednesday paper: the visitor is
    # still there; 'met him last week' (a week, not a day) is over
    Rule(
        "past_arrival_dated",
        lambda c: (
            c.past
            and (
                c.trigger_lemma in ONGOING_LEMMAS | MEET_LEMMAS | SETTING_OFF_LEMMAS
                # 'a World Bank mission arrived on Monday': the trip noun's verb
                or (c.trigger.pos_ in NOUN_POS and bool(c.head_lemmas & ARRIVAL_VERB_LEMMAS))
            )
            and c.recent
            and c.when is not None
            and c.when.start == c.when.end
        ),
        _const("ongoing"),
    ),
    # 'Garcia's March visit to Mexico will be recalled': a trip noun whose own time is behind
    # the report happened, whatever the tense of the verb it hangs on
    Rule(
        "noun_window_behind",
        lambda c: c.behind and c.trigger.pos_ in NOUN_POS,
        _const("completed"),
    ),
    # the trip's whole window lies before the report: it happened
    Rule(
        "window_behind",
        lambda c: c.behind and c.tense != "future" and not c.lemmas & CONDITIONAL_LEMMAS,
        _const("completed"),
    ),
    # "lands in Kenya later on Friday", "is going to Berlin next week"
    Rule(
        "present_ahead",
        lambda c: c.tense in RUNNING_TENSES and (LATER_CUE in c.lemmas or c.ahead),
        _const("announced"),
    ),
    Rule(
        "past_departure",
        lambda c: c.past and c.trigger_lemma in DEPARTURE_LEMMAS and c.recent,
        _const("ongoing"),
    ),
    # 'was flying to Hanoi for a week of talks': the journey was under way as the story
    # tells it, so the stay has just begun
    Rule(
        "journey_under_way",
        lambda c: (
            c.past and c.trigger.tag_ == "VBG" and c.trigger_lemma in JOURNEY_LEMMAS and c.recent
        ),
        _const("ongoing"),
    ),
    Rule(
        "past_arrival",
        lambda c: (
            c.past and (c.trigger_lemma in ONGOING_LEMMAS or CURRENTLY_CUE in c.low) and c.recent
        ),
        _const("ongoing"),
    ),
    Rule(
        "past_expected",
        lambda c: c.past and bool(c.head_lemmas & PAST_PLAN_LEMMAS),
        _const("announced"),
    ),
    Rule(PAST_RULE, lambda c: c.past, _const("completed")),
    Rule(
        "progressive",
        lambda c: (
            c.tense == "present_progressive"
            or (c.trigger_lemma == "on" and (CURRENTLY_CUE in c.low or NOW_CUE in c.lemmas))
        ),
        _const("ongoing"),
    ),
    Rule(
        "announce_cue",
        lambda c: bool(c.lemmas & ANNOUNCE_LEMMAS) or c.tense == "future",
        _const("announced"),
    ),
    # 'the first stop of a tour that takes him to A and B': the tour's plan, legs still ahead
    Rule(
        "tour_plan",
        lambda c: c.trigger_lemma in TAKE_VERBS and c.tense == "present",
        _const("announced"),
    ),
    # 'is in Kigali this week', 'visits Kigali' in a same-day report
    Rule(
        "present_there",
        lambda c: (
            c.tense == "present"
            and (c.recent or (c.trigger_lemma == "be" and _holds(c.when, c.published)))
        ),
        _const("ongoing"),
    ),
    Rule(DEFAULT_RULE, lambda c: True, _const("announced")),
)


def explain_stage(
    trigger: Token,
    sentence_text: str,
    when: When | None,
    published: date | None,
    visitor_tokens: frozenset[int] = frozenset(),
) -> tuple[str, Stage | None]:
    """The name of the first rule of ``RULES`` that applies, and the stage it gives."""
    ctx = _context(trigger, sentence_text, when, published, visitor_tokens)
    for rule in RULES:
        if rule.applies(ctx):
            return rule.name, rule.stage(ctx)
    raise AssertionError("the default rule always applies")  # pragma: no cover


def decide_stage(
    trigger: Token,
    sentence_text: str,
    when: When | None,
    published: date | None,
    visitor_tokens: frozenset[int] = frozenset(),
) -> Stage | None:
    """Stage of the visit a trigger speaks of, or ``None`` for a negated or hypothetical one."""
    return explain_stage(trigger, sentence_text, when, published, visitor_tokens)[1]


def _phase(trigger: Token) -> str | None:
    """The phase of the trip a trip noun's governor names, if any."""
    if trigger.pos_ not in NOUN_POS:
        return None
    head = trigger.head
    if trigger.dep_ == "pobj":
        prep = head.lower_
        if prep == "of" and head.head.lower_ == "ahead":
            prep = "ahead"
        if prep in PHASE_PREPS:
            return PHASE_PREPS[prep]
        if prep == "on" and lemma(head.head) in EMBARK_LEMMAS:
            return "start"
    if trigger.dep_ in PHASE_NOUN_DEPS and head.pos_ in VERB_POS:
        return PHASE_VERBS.get(lemma(head))
    if trigger.dep_ == "pobj" and head.head.pos_ == "VERB":
        # 'set off on a trip', 'wound up with a visit'
        return PHASE_VERBS.get(lemma(head.head))
    return None


def _phase_stage(
    trigger: Token, chain: list[Token], tense: str, when: When | None, published: date | None
) -> Stage | None:
    """The stage a phase cue gives: a trip begun lately is under way, one being wound up too,
    one 'after' which things happen is over, one 'before' which they happen is still ahead."""
    if trigger.pos_ == "VERB" and trigger.dep_ == "pcomp" and trigger.head.lower_ == "after":
        # 'after travelling to A, he hopes to visit B': travelling comes first, so it is as
        # far along as the main clause is; 'after visiting A, he is now in B': done
        main = trigger.head.head
        ahead = _tense([main]) == "future" or lemma(main) in FORWARD_LEMMAS
        return "announced" if ahead else "completed"
    phase = _phase(trigger)
    if phase is None:
        return None
    lately = when is None or _recent(when, published)
    if phase == "after":
        return None if _ahead(when, published) else "completed"
    if tense == "future" or ((tense == "present" or phase == "before") and _ahead(when, published)):
        # 'before his visit to Ghana next month, he met envoys': the visit is still ahead
        return "announced"
    if tense in RUNNING_TENSES:
        return "ongoing"
    if phase == "end":
        return "completed" if tense == "past" else None
    if tense == "past":
        if phase in OPENING_PHASES:
            return "ongoing" if lately else "completed"
        # 'during his visit on Monday, he signed' (still there) but 'during his visit last
        # week' (a week that is over: the visit is too)
        one_day = when is not None and when.start == when.end
        if _holds(when, published) or (one_day and _recent(when, published)):
            return "ongoing"  # 'during his visit here this week' in this week's paper
        return "completed"
    return None


def _perfect(tok: Token) -> bool:
    return tok.tag_ == "VBN" and any(c.dep_ == "aux" and lemma(c) == "have" for c in tok.children)


def guest_stage(main_verb: Token | None, when: When | None, published: date | None) -> Stage:
    """The stage of a guest's trip that a 'visiting' attribute reports: the guest is there
    when the clause happens (ahead for a future clause, over when its date is well past)."""
    tense = _tense([main_verb]) if main_verb is not None else "none"
    if tense == "future" or _ahead(when, published):
        return "announced"
    if _behind(when, published) and not _recent(when, published):
        return "completed"
    return "ongoing"


def _host_expects(chain: list[Token], visitor_tokens: frozenset[int]) -> bool:
    for t in chain:
        if (t.dep_ == "prep" and t.lower_ in SETTING_PREPS | {"after", "before"}) or any(
            c.dep_ == "mark" and c.lower_ in TEMPORAL_MARKS for c in t.children
        ):
            # 'expects harmonious talks during the visit', 'expect progress when he visits':
            # what is expected happens then; the trip itself is no host's wish
            return False
        if lemma(t) in HOST_EXPECT_LEMMAS:
            subj = [c for c in t.children if c.dep_ == "nsubj"]
            if subj and not any(c.i in visitor_tokens for c in subj[0].subtree):
                return subj[0].lower_ not in IMPERSONAL_SUBJECTS
    return False


def chain_has(chain: list[Token], lemmas: set[str] | frozenset[str]) -> bool:
    return any(lemma(t) in lemmas for t in chain)


def _ahead(when: When | None, published: date | None) -> bool:
    return bool(when and when.start and published and when.start > published)


def _behind(when: When | None, published: date | None) -> bool:
    return bool(when and when.end and published and when.end < published)


def _holds(when: When | None, published: date | None) -> bool:
    """'is in Kigali this week': the window holds the day of the report."""
    if when is None or when.start is None or when.end is None or published is None:
        return False
    return when.start <= published <= when.end


def _recent(when: When | None, published: date | None) -> bool:
    if published is None:
        # an undated story: a dated arrival in it is news of now
        return when is None or (when.end is not None and when.start == when.end)
    if when is None or when.end is None:
        return when is None
    delta = (published - when.end).days
    return -1 <= delta <= ONGOING_WINDOW_DAYS


def _tense(chain: list[Token]) -> str:
    """A coarse tense of the clause: past, present, present_progressive or future."""
    for t in chain:
        if t.pos_ not in VERB_POS:
            continue
        auxes = [c for c in t.children if c.dep_ in AUX_DEPS]
        aux_l = {c.lower_ for c in auxes}
        if aux_l & FUTURE_AUXES or any(c.lemma_ == "go" and c.tag_ == "VBG" for c in auxes):
            return "future"
        if t.lemma_ == "be" and any(
            c.dep_ == "xcomp" and any(a.lower_ == "to" for a in c.children) for c in t.children
        ):
            return "future"  # 'is to visit': a plan
        if t.tag_ == "VBD" or aux_l & PAST_AUXES:
            return "past"
        if t.tag_ == "VBN" and aux_l & (PERFECT_AUXES | {"having"}):
            return "past"  # 'has visited', 'after having completed a tour'
        if t.tag_ == "VBG" and aux_l & PROGRESSIVE_AUXES:
            return "present_progressive"
        if t.tag_ in PRESENT_TAGS:
            return "present"
        if t.tag_ == "VBG" and not auxes and t.dep_ in PARTICIPLE_ADJUNCT_DEPS and t.head.i != t.i:
            # 'Clark, winding up a visit to Washington, said ...': the participle happens when
            # its clause's verb does, and a report's past verb of saying is as of its day
            main = _tense([t.head])
            if main == "past" and lemma(t.head) not in REPORTING_VERBS:
                return "past"  # 'signed a deal, ending his visit'
            if main == "future":
                return "future"
            return "present_progressive" if main in {"past", "present"} else "none"
    return "none"
