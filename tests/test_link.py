"""Storyline linking on visit records written for the tests (no article text)."""

from __future__ import annotations

import random
from datetime import date

import pytest

from visitrack.link import (
    MAX_UNDATED_REPORT_GAP_DAYS,
    _unique_ids,
    link,
    storyline_key,
    visitor_key,
)
from visitrack.records import Destination, Kind, Party, Role, Stage, Storyline, Visit, When

XI = Party("Xi Jinping", "head_of_state", "CHN")
PUTIN = Party("Vladimir Putin", "head_of_state", "RUS")


def mk(
    doc_id: str,
    published: str | None,
    stage: Stage,
    when: tuple[str, str | None, str | None] | None = None,
    *,
    visitor: Party = XI,
    host: Party | None = PUTIN,
    dest: str = "RUS",
    city: str | None = None,
    kind: Kind = "visit",
    occasion: str | None = None,
) -> Visit:
    return Visit(
        doc_id=doc_id,
        published=date.fromisoformat(published) if published else None,
        visitor=visitor,
        host=host,
        destination=Destination(dest, city),
        kind=kind,
        occasion=occasion,
        stage=stage,
        when=When(
            when[0],
            date.fromisoformat(when[1]) if when[1] else None,
            date.fromisoformat(when[2]) if when[2] else None,
        )
        if when
        else None,
    )


SPRING_2023 = ("next spring", "2023-03-01", "2023-05-31")


def _normal(result: list[tuple[Storyline, tuple[int, ...]]], visits: list[Visit]) -> object:
    """The result without input positions: each storyline with its member records."""
    return sorted(
        (
            (s.to_dict().__repr__(), sorted(repr(visits[i].to_dict()) for i in members))
            for s, members in result
        ),
    )


# --- keys --------------------------------------------------------------------------------------


def test_visitor_key_folds_case_and_accents() -> None:
    a = mk(
        "a",
        "2024-01-01",
        "announced",
        visitor=Party("Recep Tayyip Erdoğan", "head_of_state", "TUR"),
    )
    b = mk(
        "b",
        "2024-01-01",
        "announced",
        visitor=Party("recep tayyip  ERDOGAN", "head_of_state", "TUR"),
    )
    assert visitor_key(a) == visitor_key(b) == "recep tayyip erdogan"
    assert storyline_key(a) == "recep tayyip erdogan->RUS"


def test_unnamed_visitors_key_by_country_and_role() -> None:
    role: Role = "foreign_minister"
    v = mk("a", "2024-01-01", "announced", visitor=Party(None, role, "IND"))
    assert visitor_key(v) == "IND:foreign_minister"
    body = mk("b", "2024-01-01", "announced", visitor=Party("António Guterres", "intl_org", None))
    assert visitor_key(body) == "antonio guterres"
    other = mk("c", "2024-01-01", "announced", visitor=Party(None, "minister", "IND"))
    assert len(link([v, other])) == 2


# --- the examples ----------------------------------------------------------------------


def test_two_reports_of_the_invited_spring_visit_are_one_storyline() -> None:
    visits = [
        mk("001_b", "2022-12-30", "invited", SPRING_2023, kind="state_visit"),
        mk("000_a", "2022-12-30", "invited", SPRING_2023),
    ]
    [(line, members)] = link(visits)
    assert members == (0, 1)
    assert line.doc_ids == ("000_a", "001_b")
    assert line.mentions == 2
    assert line.stage == "invited"
    assert line.kind == "state_visit"  # a specific kind beats the unspecified "visit"
    assert line.first_reported == line.last_reported == date(2022, 12, 30)
    assert [h.to_dict() for h in line.history] == [
        {"stage": "invited", "first_reported": "2022-12-30", "doc_ids": ["000_a", "001_b"]}
    ]
    assert line.when == When("next spring", date(2023, 3, 1), date(2023, 5, 31))


def test_a_new_visit_after_a_completed_one_is_a_new_storyline() -> None:
    visits = [
        mk("m1", "2023-03-22", "completed", ("March 20-22", "2023-03-20", "2023-03-22")),
        mk("m2", "2025-03-03", "announced", ("May 9", "2025-05-09", "2025-05-09")),
    ]
    lines = link(visits)
    assert [(s.stage, m) for s, m in lines] == [("completed", (0,)), ("announced", (1,))]


def test_undated_plan_after_completion_is_a_new_storyline_even_when_close() -> None:
    visits = [
        mk("m1", "2023-03-22", "completed"),
        mk("m2", "2023-04-10", "proposed"),
    ]
    assert len(link(visits)) == 2


def test_completion_reported_after_the_plan_joins_it() -> None:
    visits = [
        mk("p1", "2023-02-20", "announced", ("March 20", "2023-03-20", "2023-03-20")),
        mk("p2", "2023-03-21", "ongoing"),
        mk("p3", "2023-03-23", "completed", ("March 20-22", "2023-03-20", "2023-03-22")),
        mk("p4", "2023-03-24", "completed"),
    ]
    [(line, members)] = link(visits)
    assert members == (0, 1, 2, 3)
    assert line.stage == "completed"
    assert [h.stage for h in line.history] == ["announced", "ongoing", "completed"]
    assert line.history[2].doc_ids == ("p3", "p4")


def test_far_apart_undated_and_dated_reports_are_two_storylines() -> None:
    visits = [
        mk("q1", "2024-04-10", "proposed", visitor=PUTIN, host=XI, dest="CHN"),
        mk(
            "q2",
            "2025-03-15",
            "invited",
            ("September", "2025-09-01", "2025-09-30"),
            visitor=PUTIN,
            host=XI,
            dest="CHN",
        ),
    ]
    lines = link(visits)
    assert [m for _, m in lines] == [(0,), (1,)]
    assert MAX_UNDATED_REPORT_GAP_DAYS == 180


def test_undated_plan_and_a_trip_dated_far_beyond_it_are_two_storylines() -> None:
    # The later report's own date is unknown: the window alone sets the two apart.
    sept = ("early September", "2025-09-01", "2025-09-10")
    visits = [
        mk("q1", "2024-04-09", "in_preparation", visitor=PUTIN, host=XI, dest="CHN"),
        mk("q2", None, "invited", sept, visitor=PUTIN, host=XI, dest="CHN"),
    ]
    assert [m for _, m in link(visits)] == [(0,), (1,)]
    soon = ("in May", "2024-05-01", "2024-05-31")
    visits[1] = mk("q2", None, "invited", soon, visitor=PUTIN, host=XI, dest="CHN")
    assert [m for _, m in link(visits)] == [(0, 1)]


def test_undated_follow_up_within_the_gap_joins() -> None:
    visits = [
        mk("q1", "2024-04-10", "proposed", dest="CHN", visitor=PUTIN, host=XI),
        mk("q2", "2024-06-01", "in_preparation", dest="CHN", visitor=PUTIN, host=XI),
        mk(
            "q3",
            "2024-07-01",
            "announced",
            ("May", "2024-05-16", "2024-05-17"),
            dest="CHN",
            visitor=PUTIN,
            host=XI,
        ),
    ]
    [(line, _)] = link(visits)
    assert line.stage == "announced"


def test_non_overlapping_windows_never_merge() -> None:
    visits = [
        mk("a", "2024-01-10", "announced", ("February", "2024-02-01", "2024-02-29")),
        mk("b", "2024-01-11", "announced", ("June", "2024-06-01", "2024-06-30")),
    ]
    assert len(link(visits)) == 2


def test_different_destinations_never_merge() -> None:
    visits = [
        mk("a", "2024-01-10", "announced", SPRING_2023, dest="RUS"),
        mk("a", "2024-01-10", "announced", SPRING_2023, dest="KAZ"),
    ]
    lines = link(visits)
    assert sorted(s.destination.country for s, _ in lines) == ["KAZ", "RUS"]


def test_postponed_visit_keeps_its_storyline_when_rescheduled() -> None:
    visits = [
        mk("a", "2024-01-10", "announced", ("February", "2024-02-01", "2024-02-29")),
        mk("b", "2024-01-25", "postponed", ("to spring", "2024-03-01", "2024-05-31")),
        mk("c", "2024-03-20", "announced", ("April 12", "2024-04-12", "2024-04-12")),
    ]
    [(line, _)] = link(visits)
    assert line.stage == "announced"
    assert [h.stage for h in line.history] == ["announced", "postponed"]
    # The windows do not intersect (February vs April): the latest report's window stands.
    assert line.when == When("April 12", date(2024, 4, 12), date(2024, 4, 12))


# --- record fields -----------------------------------------------------------------------------


def test_window_is_the_intersection_of_the_reports() -> None:
    visits = [
        mk("a", "2023-01-05", "invited", SPRING_2023),
        mk("b", "2023-03-01", "announced", ("in April", "2023-04-01", "2023-04-30")),
        mk("c", "2023-04-02", "announced", ("mid-April", "2023-04-10", "2023-04-20")),
        mk("d", "2023-04-03", "announced", ("after the 15th", "2023-04-15", "2023-05-31")),
    ]
    [(line, _)] = link(visits)
    assert line.when is not None
    assert (line.when.start, line.when.end) == (date(2023, 4, 15), date(2023, 4, 20))
    assert line.when.text == "mid-April; after the 15th"


def test_stage_is_the_latest_report_ties_to_the_more_advanced() -> None:
    visits = [
        mk("a", "2023-01-05", "announced", SPRING_2023),
        mk("b", "2023-01-09", "invited", SPRING_2023),
        mk("c", "2023-01-09", "in_preparation", SPRING_2023),
        mk("d", None, "proposed", SPRING_2023),
    ]
    [(line, members)] = link(visits)
    assert members == (0, 1, 2, 3)
    assert line.stage == "in_preparation"  # an undated "proposed" cannot undo a dated plan
    assert line.first_reported == date(2023, 1, 5)
    assert line.last_reported == date(2023, 1, 9)
    # The undated proposal is placed by its stage: before the first dated later stage.
    assert [(h.stage, h.first_reported) for h in line.history] == [
        ("proposed", None),
        ("announced", date(2023, 1, 5)),
        ("invited", date(2023, 1, 9)),
        ("in_preparation", date(2023, 1, 9)),
    ]
    assert line.doc_ids == ("a", "b", "c", "d")


def test_undated_completion_report_ties_with_the_latest_dated_report() -> None:
    visits = [
        mk("a", "2022-12-30", "invited", SPRING_2023),
        mk("b", "2022-12-30", "invited", SPRING_2023),
        mk("c", None, "completed", ("March 2023", "2023-03-01", "2023-03-31")),
    ]
    [(line, members)] = link(visits)
    assert members == (0, 1, 2)
    assert line.stage == "completed"
    assert line.when == When("March 2023", date(2023, 3, 1), date(2023, 3, 31))
    assert [(h.stage, h.first_reported) for h in line.history] == [
        ("invited", date(2022, 12, 30)),
        ("completed", None),
    ]
    assert line.last_reported == date(2022, 12, 30)


def test_unpublished_mention_joins_instead_of_starting_a_storyline() -> None:
    visits = [
        mk("a", "2020-01-05", "completed"),
        mk("z", None, "announced"),
    ]
    [(_, members)] = link(visits)
    assert members == (0, 1)


def test_visitor_host_city_occasion_are_the_most_informative() -> None:
    unnamed = Party(None, "head_of_state", "CHN")
    visits = [
        mk("a", "2023-01-05", "invited", SPRING_2023, city="Moscow", occasion="summit"),
        mk("b", "2023-01-06", "invited", SPRING_2023, city="Moscow", host=None),
        mk("c", "2023-01-07", "invited", SPRING_2023, city="Kazan", occasion="forum"),
    ]
    [(line, _)] = link(visits)
    assert line.visitor == XI
    assert line.host == PUTIN
    assert line.destination == Destination("RUS", "Moscow")
    assert line.occasion == "forum"  # one each: the latest report wins the tie
    assert visitor_key(mk("x", None, "invited", visitor=unnamed)) == "CHN:head_of_state"


# --- determinism -------------------------------------------------------------------------------


def _corpus() -> list[Visit]:
    return [
        mk("000_a", "2022-12-30", "invited", SPRING_2023),
        mk("001_b", "2022-12-30", "invited", SPRING_2023, kind="state_visit"),
        mk("002_c", "2023-03-21", "ongoing", ("March 20-22", "2023-03-20", "2023-03-22")),
        mk("002_c", "2023-03-21", "completed", ("in 2019", "2019-01-01", "2019-12-31")),
        mk("003_d", "2025-03-03", "announced", ("May 9", "2025-05-09", "2025-05-09")),
        mk("003_d", "2025-03-03", "invited", visitor=PUTIN, host=XI, dest="CHN"),
        mk("004_e", "2024-04-10", "proposed", visitor=PUTIN, host=XI, dest="CHN"),
        mk("005_f", None, "announced", visitor=PUTIN, host=XI, dest="CHN"),
        mk("006_g", "2025-03-04", "announced", ("May 9", "2025-05-09", "2025-05-09")),
        mk("006_g", "2025-03-04", "announced", ("May 9", "2025-05-09", "2025-05-09")),
        mk("007_h", "2023-01-10", "in_preparation", visitor=Party(None, "minister", "IND")),
        mk("008_i", "2023-02-10", "announced", visitor=Party(None, "minister", "IND")),
    ]


def test_linking_does_not_depend_on_input_order() -> None:
    visits = _corpus()
    expected = _normal(link(visits), visits)
    rng = random.Random(20250303)
    for _ in range(200):
        shuffled = visits[:]
        rng.shuffle(shuffled)
        assert _normal(link(shuffled), shuffled) == expected


def test_result_order_and_ids_are_stable() -> None:
    visits = _corpus()
    first = link(visits)
    again = link(list(reversed(visits)))
    assert [s.id for s, _ in first] == [s.id for s, _ in again]
    assert all(len(s.id) == 12 and int(s.id, 16) >= 0 for s, _ in first)
    assert len({s.id for s, _ in first}) == len(first)
    # Mentions cover the input exactly once.
    assert sorted(i for _, m in first for i in m) == list(range(len(visits)))


def test_id_depends_on_key_and_earliest_report_only() -> None:
    base = [mk("000_a", "2022-12-30", "invited", SPRING_2023)]
    later = [*base, mk("009_z", "2023-02-01", "announced", SPRING_2023)]
    [(one, _)] = link(base)
    [(two, _)] = link(later)
    assert one.id == two.id
    assert two.stage == "announced"


@pytest.mark.parametrize("n", [0, 1])
def test_small_inputs(n: int) -> None:
    visits = _corpus()[:n]
    assert len(link(visits)) == n


def test_one_document_reporting_two_trips_gives_two_ids() -> None:
    visits = [
        mk("d", "2025-03-03", "completed", ("March 2023", "2023-03-01", "2023-03-31")),
        mk("d", "2025-03-03", "announced", ("May 9", "2025-05-09", "2025-05-09")),
        mk("d", "2025-03-03", "completed", ("in 2019", "2019-06-05", "2019-06-07")),
    ]
    lines = link(visits)
    assert len(lines) == 3
    assert len({s.id for s, _ in lines}) == 3


def test_repeated_ids_are_made_unique_deterministically() -> None:
    [(a, _)] = link([mk("a", "2023-01-01", "announced")])
    entries = [("k", a, (0,)), ("k", a, (1,)), ("k", a, (2,))]
    ids = [s.id for _, s, _ in _unique_ids(entries)]
    assert ids[0] == a.id and len(set(ids)) == 3
    assert ids == [s.id for _, s, _ in _unique_ids(entries)]


def test_undated_reports_are_placed_by_their_stage_and_marked() -> None:
    visits = [
        mk("a", "2025-04-01", "invited"),
        mk("b", "2025-04-20", "cancelled"),
        mk("c", None, "announced"),
    ]
    [(line, _)] = link(visits)
    assert [(h.stage, h.first_reported) for h in line.history] == [
        ("invited", date(2025, 4, 1)),
        ("announced", None),
        ("cancelled", date(2025, 4, 20)),
    ]
    assert line.history[1].to_dict()["placed_by"] == "stage"
    assert "placed_by" not in line.history[0].to_dict()
