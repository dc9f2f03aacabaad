"""Stage stage: decide where a visit stands, from its trigger and the words that govern it.

The spec's table (shared/spec/visit-record.md) is the reference. Cue words are looked up on the
trigger, on the chain of heads above it (``accepted an invitation to attend``, ``is expected to
arrive``) and on their auxiliaries, negations and modals.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from visitrack.records import Stage, When

if TYPE_CHECKING:
    from spacy.tokens import Token

CANCEL_LEMMAS = frozenset(
    {"cancel", "scrap", "abandon", "drop", "decline", "snub", "reject", "deny", "skip", "boycott"}
)
CANCEL_PHRASES = ("call off", "called off", "calls off", "no longer", "no plans", "not go ahead")
POSTPONE_LEMMAS = frozenset({"postpone", "delay", "defer", "reschedule", "shelve", "suspend"})
POSTPONE_PHRASES = ("put off", "on hold", "push back", "pushed back", "put back")
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
)
INVITE_LEMMAS = frozenset({"invite", "invitation"})
ACCEPT_LEMMAS = frozenset({"accept", "agree", "confirm"})
ANNOUNCE_LEMMAS = frozenset(
    {"schedule", "plan", "due", "set", "expect", "announce", "confirm", "intend", "slate", "will"}
)
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
    }
)
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
# Motion verbs whose present perfect puts the traveller there now: 'has arrived in Hanoi',
# 'have travelled to Verdun' (where 'has visited' reports a finished visit).
ARRIVAL_PERFECT_LEMMAS = frozenset({"arrive", "travel", "fly", "come", "land", "head", "go"})

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
        if (
            tok.pos_ in {"VERB", "AUX"}
            and tok.dep_ in {"advcl", "ccomp", "relcl"}
            and not is_infinitive(tok)
        ):
            break  # "expected to travel ... after X visited Ankara": X's visit is its own clause
        if tok.dep_ in {"conj"} and tok.head.pos_ == "VERB":
            # "visited X and met Y": the coordinated verb shares the first one's aux, not its lemma.
            tok = tok.head
            chain.append(tok)
            continue
        if tok.dep_ not in {
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
        }:
            break
        tok = tok.head
        chain.append(tok)
        if (
            tok.pos_ in {"VERB", "AUX"}
            and tok.dep_ not in {"xcomp", "acl", "pcomp"}
            and not (is_infinitive(tok))
        ):
            break  # the clause's own verb: what governs it is another event
    lemmas: set[str] = set()
    for t in chain:
        lemmas.add(lemma(t))
        for c in t.children:
            if c.dep_ in {"aux", "auxpass", "neg", "advmod", "amod", "acomp", "prt", "det"}:
                lemmas.add(lemma(c))
    return lemmas, chain


def is_infinitive(tok: Token) -> bool:
    """'(expecting Xi) to make a visit', '(proposed that Xi) visit Moscow': a clause without
    tense of its own, whose stage the verb above decides."""
    auxes = [c for c in tok.children if c.dep_ in {"aux", "auxpass"}]
    if any(c.lower_ == "to" for c in auxes):
        return True
    return tok.tag_ == "VB" and not auxes


def _is_negated(chain: list[Token]) -> bool:
    for t in chain[:3]:
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
        if t.pos_ not in {"VERB", "AUX"}:
            continue
        had = [c for c in t.children if c.dep_ == "aux" and c.lower_ == "had"]
        if not had:
            continue
        subjects = [c.i for c in t.children if c.dep_ in {"nsubj", "nsubjpass"}]
        inverted = bool(subjects) and had[0].i < min(subjects)
        if inverted or any(c.dep_ == "mark" and c.lower_ == "if" for c in t.children):
            return True
    return False


def decide_stage(
    trigger: Token,
    sentence_text: str,
    when: When | None,
    published: date | None,
    visitor_tokens: frozenset[int] = frozenset(),
) -> Stage | None:
    """Stage of the visit a trigger speaks of, or ``None`` for a negated or hypothetical one."""
    lemmas, chain = _context_lemmas(trigger)
    low = sentence_text.lower()
    top = chain[-1]
    # Cue phrases count only inside the trigger's own clause: in "X cancelled a trip, partly
    # because of Y's visit", Y's visit is not cancelled.
    clause = trigger.doc[top.left_edge.i : top.right_edge.i + 1].text.lower()
    head_lemmas = {lemma(t) for t in chain}

    if head_lemmas & CANCEL_LEMMAS or any(p in clause for p in CANCEL_PHRASES):
        return "cancelled"
    if head_lemmas & POSTPONE_LEMMAS or any(p in clause for p in POSTPONE_PHRASES):
        return "postponed"
    if _is_negated(chain) or _counterfactual(chain):
        return None

    tense = _tense(chain)
    if (
        tense == "present"
        and top.dep_ == "advcl"
        and top.head.i != top.i
        and any(c.dep_ in {"mark", "advmod"} and c.lower_ in TEMPORAL_MARKS for c in top.children)
    ):
        # "is likely to meet Y when he pays a visit": a 'when' clause's present tense takes
        # the time of the clause it depends on
        return decide_stage(top.head, sentence_text, when, published, visitor_tokens)
    preparing = head_lemmas & PREPARE_LEMMAS or any(p in clause for p in PREPARE_PHRASES)
    if preparing and lemmas & UNCERTAIN_LEMMAS:
        return "proposed"  # 'a possible trip ... is being discussed'
    if preparing and not head_lemmas & ACCEPT_LEMMAS:
        return "in_preparation"
    if trigger.pos_ == "NOUN" and head_lemmas & ACCEPT_LEMMAS and not _behind(when, published):
        # "confirmed their attendance", "agreed to a visit"
        return "announced"
    if head_lemmas & INVITE_LEMMAS:
        if head_lemmas & ACCEPT_LEMMAS:
            return "announced"
        return "invited"
    if lemma(trigger) in {"host", "welcome", "receive"} and lemmas & {
        "would",
        "glad",
        "ready",
        "happy",
        "willing",
        "could",
    }:
        # "Russia would be glad to host the Chinese leader": an open invitation
        return "invited"
    if _host_expects(chain, visitor_tokens):
        # "Putin said he was expecting Xi to make a state visit": the host's wish, not a plan
        # the visitor confirmed.
        return "invited"
    if (
        trigger.dep_ == "pobj"
        and trigger.head.lower_ == "on"
        and trigger.pos_ == "NOUN"
        and lemma(trigger.head.head) not in {"embark", "set", "leave", "go", "head", "depart"}
    ):
        # "Lavrov, on a two-day visit to Beijing, met ..."; "she is on a visit to ...";
        # "X, on a four-day visit, said ...": the trip is going on when the clause happens
        if tense == "future":
            return "announced"
        return "ongoing" if _recent(when, published) else "completed"
    phased = _phase_stage(trigger, chain, tense, when, published)
    if phased is not None:
        return phased
    if (
        lemma(trigger) in ARRIVAL_PERFECT_LEMMAS
        and _perfect(trigger)
        and (when is None or _recent(when, published))
    ):
        return "ongoing"
    if FORWARD_LEMMAS & {lemma(t) for t in chain[1:]}:
        # "decided to visit", "plans to attend": the trip is ahead whatever the main verb's tense
        if chain_has(chain, WISH_LEMMAS):
            return "proposed"
        return "announced"
    if lemmas & PROPOSE_LEMMAS and not lemmas & {"will", "schedule", "due"}:
        return "proposed"
    if tense == "past" and when is not None and when.start == when.end == published:
        # 'visited Hiroshima today' in today's paper: the visitor is there
        return "ongoing"
    if (
        tense == "past"
        and lemma(trigger) in ONGOING_LEMMAS | {"meet"}
        and _recent(when, published)
        and when is not None
    ):
        # "arrived on Tuesday" in a Wednesday paper: the visitor is still there
        return "ongoing"
    if _behind(when, published) and tense != "future" and not lemmas & {"will", "would"}:
        # the trip's whole window lies before the report: it happened
        return "completed"
    if tense == "present" and ("later" in lemmas or _ahead(when, published)):
        # "lands in Kenya later on Friday"
        return "announced"
    if tense == "past":
        if lemma(trigger) in {"leave", "depart", "head"} and _recent(when, published):
            return "ongoing"
        arriving = lemma(trigger) in ONGOING_LEMMAS or "currently" in low
        if arriving and _recent(when, published):
            return "ongoing"
        if head_lemmas & {"expect", "schedule", "due", "plan", "set"}:
            return "announced"
        return "completed"
    if tense == "present_progressive" or (
        lemma(trigger) == "on" and ("currently" in low or "now" in lemmas)
    ):
        return "ongoing"
    if lemmas & ANNOUNCE_LEMMAS or tense == "future":
        return "announced"
    if tense == "present":
        there = lemma(trigger) == "be" and _holds(when, published)
        return "ongoing" if _recent(when, published) or there else "announced"
    return "announced"


def _phase(trigger: Token) -> str | None:
    """The phase of the trip a trip noun's governor names, if any."""
    if trigger.pos_ not in {"NOUN", "PROPN"}:
        return None
    head = trigger.head
    if trigger.dep_ == "pobj":
        prep = head.lower_
        if prep == "of" and head.head.lower_ == "ahead":
            prep = "ahead"
        if prep in PHASE_PREPS:
            return PHASE_PREPS[prep]
        if prep == "on" and lemma(head.head) in {"embark", "set", "leave"}:
            return "start"
    if trigger.dep_ in {"dobj", "nsubjpass", "pobj"} and head.pos_ in {"VERB", "AUX"}:
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
    if tense == "future" or (tense == "present" and _ahead(when, published)):
        return "announced"
    if tense in {"present", "present_progressive"}:
        return "ongoing"
    if phase == "end":
        return "completed" if tense == "past" else None
    if tense == "past":
        if phase in {"start", "before"}:
            return "ongoing" if lately else "completed"
        return "ongoing" if when is not None and _recent(when, published) else "completed"
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
        if lemma(t) in {"expect", "await"}:
            subj = [c for c in t.children if c.dep_ == "nsubj"]
            if subj and not any(c.i in visitor_tokens for c in subj[0].subtree):
                return subj[0].lower_ not in {"it", "visit", "trip"}
    return False


# Verbs that make a trip ahead only a wish or an idea: 'hopes to visit', 'would like to'.
WISH_LEMMAS = frozenset(
    {"hope", "want", "wish", "consider", "seek", "propose", "suggest", "like", "love"}
)
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
    }
)


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
        if t.pos_ not in {"VERB", "AUX"}:
            continue
        auxes = [c for c in t.children if c.dep_ in {"aux", "auxpass"}]
        aux_l = {c.lower_ for c in auxes}
        if aux_l & {"will", "'ll", "shall"} or any(
            c.lemma_ == "go" and c.tag_ == "VBG" for c in auxes
        ):
            return "future"
        if t.lemma_ == "be" and any(
            c.dep_ == "xcomp" and any(a.lower_ == "to" for a in c.children) for c in t.children
        ):
            return "future"  # 'is to visit': a plan
        if t.tag_ == "VBD" or aux_l & {"was", "were", "had", "did"}:
            return "past"
        if t.tag_ == "VBN" and aux_l & {"has", "have"}:
            return "past"
        if t.tag_ == "VBG" and aux_l & {"is", "are", "am", "'s", "'re"}:
            return "present_progressive"
        if t.tag_ in {"VBZ", "VBP"}:
            return "present"
    return "none"
