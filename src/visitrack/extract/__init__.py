"""Extract stage: find visit mentions (frames) in parsed sentences.

A *frame* is one sentence's claim that somebody travels somewhere: a trigger (``visit``,
``trip``, ``invited ... to``, ``arrive in``, ``attend``, ``host`` ...), the visitor found through
the dependency tree (subject, possessor, ``visit by``, invitee), the destination (``to``/``in``
+ place, the object of ``visit``, the host's country), the time expression nearest the trigger,
and a stage. Frames are merged into visit records by :mod:`visitrack.merge`.

The stage keeps discourse state across a story's sentences (the last person named, people
already resolved) so that "he", "the Chinese leader" and a bare surname resolve.

The package's modules, each importing only those above it:

- :mod:`~visitrack.extract.lexicon`: the trigger table and the other word tables;
- :mod:`~visitrack.extract.actors`: the people and officials of a sentence, the story's
  discourse;
- :mod:`~visitrack.extract.stage`: where a visit stands (the spec's stage);
- :mod:`~visitrack.extract.places`: where a trip goes;
- :mod:`~visitrack.extract.triggers`: which words make a trip, and of what kind;
- :mod:`~visitrack.extract.visitors`: who travels;
- :mod:`~visitrack.extract.when`: the time that dates a trigger;
- :mod:`~visitrack.extract.story`: the dateline, the story's year and states, trips referred
  back to;
- :mod:`~visitrack.extract.frames`: :class:`Frame` and :func:`sentence_frames`, which put the
  others together, and the passes over a story's frames.
"""

from __future__ import annotations

from visitrack.extract.frames import Frame, fill_event_times, fill_tour_times, sentence_frames
from visitrack.extract.places import place_of_token
from visitrack.extract.story import (
    dateline_place,
    relayed,
    states_by_name,
    story_countries,
    written_names,
    year_hint,
)

__all__ = [
    "Frame",
    "dateline_place",
    "fill_event_times",
    "fill_tour_times",
    "place_of_token",
    "relayed",
    "sentence_frames",
    "states_by_name",
    "story_countries",
    "written_names",
    "year_hint",
]
