"""Run behavioural cases through the public API and score them per capability.

Matching follows ``../shared/eval/score.py``: a record matches an expected visit when the
visitor's country and the destination agree and, where the case names the visitor, the names
share a word (accents, case and the scorer's stop-words ignored). The matched record must then
have a stage in the expected set and, when the case gives a window, a window overlapping it.
Expected visits of one document are matched one to one, best pairs first, as the scorer does.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import visitrack
from behaviour.cases import Case, Doc, Expect, Window
from visitrack.ingest import document_from_text
from visitrack.records import Visit

# As in ../shared/eval/score.py.
NAME_STOPWORDS = {
    "da", "de", "del", "di", "do", "dos", "al", "el", "bin", "ibn", "van", "von", "der", "la",
    "le", "mr", "mrs", "ms", "dr",
}  # fmt: skip


def name_words(name: str | None) -> set[str]:
    if not name:
        return set()
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    for ch in "-'.,()":
        text = text.replace(ch, " ")
    return {w for w in text.split() if len(w) >= 2 and w not in NAME_STOPWORDS}


def window_of(v: Visit) -> Window | None:
    if v.when is None:
        return None
    a, b = v.when.start, v.when.end
    if a is None and b is None:
        return None
    a = a or b
    b = b or a
    assert a is not None and b is not None
    return (min(a, b), max(a, b))


def overlaps(a: Window | None, b: Window | None) -> bool:
    return a is not None and b is not None and a[0] <= b[1] and b[0] <= a[1]


def compatible(exp: Expect, v: Visit) -> bool:
    if (v.visitor.country or None) != exp.visitor or v.destination.country != exp.dest:
        return False
    if exp.surname:
        return bool(name_words(exp.surname) & name_words(v.visitor.name))
    return True


def _pair_score(exp: Expect, v: Visit) -> float:
    win = window_of(v)
    score = 0.5 if exp.window is None or win is None else (1.0 if overlaps(exp.window, win) else 0)
    return score + (0.25 if v.stage in exp.stages else 0.0)


def check_doc(doc: Doc, visits: Sequence[Visit]) -> list[str]:
    """What is wrong with ``visits`` for this document (an empty list: it passes)."""
    problems: list[str] = []
    pairs = sorted(
        (
            (_pair_score(e, v), ei, vi)
            for ei, e in enumerate(doc.expected)
            for vi, v in enumerate(visits)
            if compatible(e, v)
        ),
        key=lambda t: t[0],
        reverse=True,
    )
    taken_e: dict[int, int] = {}
    taken_v: set[int] = set()
    for _, ei, vi in pairs:
        if ei not in taken_e and vi not in taken_v:
            taken_e[ei] = vi
            taken_v.add(vi)
    for ei, e in enumerate(doc.expected):
        who = f"{e.surname or '(unnamed)'} {e.visitor}->{e.dest}"
        if ei not in taken_e:
            problems.append(f"missing {who}")
            continue
        v = visits[taken_e[ei]]
        if v.stage not in e.stages:
            problems.append(f"{who}: stage {v.stage}, expected {'/'.join(sorted(e.stages))}")
        if e.window is not None and not overlaps(e.window, window_of(v)):
            got = window_of(v)
            shown = f"{got[0]}..{got[1]}" if got else "none"
            problems.append(f"{who}: window {shown}, expected {e.window[0]}..{e.window[1]}")
    for x in doc.excluded:
        for v in visits:
            if v.visitor.country == x.visitor and v.destination.country == x.dest:
                problems.append(f"excluded {x.visitor}->{x.dest} produced ({v.visitor.name})")
    return problems


def signature(v: Visit, swap: dict[str, str]) -> tuple[object, ...]:
    """What an invariance test compares: everything but the names, codes mapped by ``swap``."""

    def m(code: str | None) -> str | None:
        return swap.get(code, code) if code else code

    return (
        m(v.visitor.country),
        v.visitor.role,
        v.visitor.name is None,
        m(v.destination.country),
        v.stage,
        window_of(v),
    )


def _pair_records(visits: Sequence[Visit], pair: tuple[str, str]) -> list[Visit]:
    return [v for v in visits if (v.visitor.country, v.destination.country) == pair]


def check_case(case: Case, outputs: Sequence[Sequence[Visit]]) -> list[str]:
    """Problems with one case given each of its documents' visits (empty: passes)."""
    if case.test == "MFT":
        out: list[str] = []
        for k, (doc, visits) in enumerate(zip(case.docs, outputs, strict=True)):
            out += [f"doc {k}: {p}" if len(case.docs) > 1 else p for p in check_doc(doc, visits)]
        return out
    first, second = outputs
    if case.test == "INV":
        swap = dict(case.swap)
        a = Counter(signature(v, swap) for v in first)
        b = Counter(signature(v, {}) for v in second)
        if not a and not b:
            return ["no record from either document: nothing to compare"]
        if a != b:
            return [f"changed: {sorted(map(str, a - b))} -> {sorted(map(str, b - a))}"]
        return []
    # DIR: the base document must have the pair; the edited one must have moved as expected
    # and kept the other pairs.
    assert case.pair is not None
    problems: list[str] = []
    pair_txt = f"{case.pair[0]}->{case.pair[1]}"
    base, edited = _pair_records(first, case.pair), _pair_records(second, case.pair)
    if not base:
        problems.append(f"base: no {pair_txt} record")
    if not edited:
        problems.append(f"edited: no {pair_txt} record")
    for v in edited:
        if case.target_stage and v.stage != case.target_stage:
            problems.append(f"edited: stage {v.stage}, expected {case.target_stage}")
        if case.target_window and not overlaps(case.target_window, window_of(v)):
            problems.append(f"edited: window {window_of(v)}, expected {case.target_window}")
        if case.target_stage is None and base and v.stage != base[0].stage:
            problems.append(f"edited: stage moved {base[0].stage} -> {v.stage}")
    others_a = {(v.visitor.country, v.destination.country) for v in first} - {case.pair}
    others_b = {(v.visitor.country, v.destination.country) for v in second} - {case.pair}
    if others_a != others_b:
        problems.append(f"other pairs changed: {sorted(others_a)} -> {sorted(others_b)}")
    return problems


@dataclass(frozen=True, slots=True)
class Result:
    case: Case
    outputs: tuple[tuple[Visit, ...], ...]
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


def run_cases(cases: Sequence[Case]) -> list[Result]:
    """Run every document of every case through ``visitrack.run`` in one stream."""
    raws = []
    for case in cases:
        for k, doc in enumerate(case.docs):
            raws.append(
                document_from_text(doc.text, doc_id=f"{case.case_id}/{k}", published=doc.published)
            )
    by_id: dict[str, tuple[Visit, ...]] = {}
    for res in visitrack.run(raws):
        if res.failure is not None:
            raise RuntimeError(f"{res.raw.doc_id}: {res.failure.reason}")
        by_id[res.raw.doc_id] = res.visits
    results = []
    for case in cases:
        outputs = tuple(by_id[f"{case.case_id}/{k}"] for k in range(len(case.docs)))
        results.append(Result(case, outputs, tuple(check_case(case, outputs))))
    return results


@dataclass(frozen=True, slots=True)
class Rate:
    capability: str
    test: str
    cases: int
    passed: int

    @property
    def rate(self) -> float:
        return self.passed / self.cases if self.cases else 0.0


def rates(results: Iterable[Result]) -> dict[str, Rate]:
    counts: dict[str, list[int]] = {}
    tests: dict[str, str] = {}
    for r in results:
        c = counts.setdefault(r.case.capability, [0, 0])
        c[0] += 1
        c[1] += r.passed
        tests[r.case.capability] = r.case.test
    return {k: Rate(k, tests[k], n, p) for k, (n, p) in counts.items()}


def describe(result: Result) -> str:
    """A failing case, readable: its documents, what came out, what is wrong."""
    lines = [f"[{result.case.case_id}] {result.case.test}"]
    for k, (doc, visits) in enumerate(zip(result.case.docs, result.outputs, strict=True)):
        text = doc.text.replace("\n", " / ")
        lines.append(f"  doc {k} (published {doc.published:%a %Y-%m-%d}): {text}")
        for v in visits:
            w = window_of(v)
            lines.append(
                f"    -> {v.visitor.name} ({v.visitor.role}, {v.visitor.country}) to "
                f"{v.destination.country} {v.stage}" + (f" {w[0]}..{w[1]}" if w else "")
            )
    lines += [f"  ! {p}" for p in result.problems]
    return "\n".join(lines)
