"""/openapi.json describes the API the server runs (#13): schemathesis, every check, against a
real store and the real app, with a write token.

Two checks are left out where JSON Schema cannot state what the server does (the document's
descriptions say it): positive-data acceptance for a `from` after `to` and for submissions
(distinct ids in a batch; a body that is only a URL, a feed or an archive is refused), and
negative-data rejection for raw text bodies (any text is a document, whatever "type" a
generator gave it).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from api_corpus import fill_store
from visitrack.api import create_app
from visitrack.filters import FilterError, date_bound

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.specs.openapi.checks import (
        negative_data_rejection,
        positive_data_acceptance,
    )

pytestmark = pytest.mark.slow

TOKEN = "schema-token-1234"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# Examples per operation: enough to reach every parameter and status, few enough for CI.
EXAMPLES = 40
# The operations /openapi.json lists: every route of the API.
OPERATIONS = 10
# Operations whose every input is valid somewhere: no negative case can be made for them.
# /api/countries takes no input at all.
NO_NEGATIVE_DATA: set[str] = {"GET /api/countries"}


@pytest.fixture(scope="module")
def web_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    url = fill_store(str(tmp_path_factory.mktemp("schema") / "visits.db"))
    # The in-process client names the host "testserver"; allowed as an operator would.
    app = create_app(
        url,
        token=TOKEN,
        bind_host="127.0.0.1",
        submit_wait_s=0.0,
        allowed_hosts=("testserver",),
    )
    yield schemathesis.openapi.from_asgi("/openapi.json", app)


def _reversed_range(case: Any) -> bool:
    query = case.query or {}
    try:
        low = date_bound("from", str(query["from"]), end=False)
        high = date_bound("to", str(query["to"]), end=True)
    except (KeyError, FilterError):
        return False
    return low > high


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_server_keeps_its_openapi_document(web_schema: Any, mode: GenerationMode) -> None:
    # schemathesis's own pytest plugin does not run under this pytest; its engine does.
    operations = [result.ok() for result in web_schema.get_all_operations()]
    assert len(operations) == OPERATIONS
    unsatisfiable: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            excluded = []
            if case.method == "POST" or _reversed_range(case):
                excluded.append(positive_data_acceptance)
            if case.method == "POST" and case.media_type != "application/json":
                # A raw body is text whatever its "type": `false` sent as text/html is a page.
                excluded.append(negative_data_rejection)
            case.call_and_validate(headers=AUTH, excluded_checks=excluded)

        try:
            check()
        except Unsatisfiable:
            # Nothing schema-violating can be sent here (every string is a valid id).
            unsatisfiable.append(operation.label)
    assert set(unsatisfiable) <= NO_NEGATIVE_DATA, unsatisfiable
