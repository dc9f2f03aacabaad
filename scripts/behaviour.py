"""Print the behavioural suite's per-capability pass rates (and, with --verbose, its failures).

Usage: python scripts/behaviour.py [--verbose] [--capability NAME ...] [--max-failures N]
                                   [--json] [--print-floors]

The suite lives in ``tests/behaviour`` (capabilities x templates x fills, CheckList style);
``tests/test_behaviour.py`` holds the floors printed here and fails when a rate drops below
one. Always exits 0: this is a report, the test is the gate.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from behaviour.cases import build_cases
from behaviour.runner import describe, rates, run_cases
from test_behaviour import FLOORS, suggested_floor


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--verbose", "-v", action="store_true", help="print the failing cases")
    ap.add_argument("--capability", "-c", action="append", help="only these capabilities")
    ap.add_argument(
        "--max-failures", type=int, default=5, help="failures shown per capability (default 5)"
    )
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument(
        "--print-floors",
        action="store_true",
        help="print a FLOORS dict for tests/test_behaviour.py from today's rates",
    )
    args = ap.parse_args()

    cases = build_cases()
    if args.capability:
        cases = [c for c in cases if c.capability in set(args.capability)]
    t0 = time.perf_counter()
    results = run_cases(cases)
    secs = time.perf_counter() - t0
    table = rates(results)

    if args.print_floors:
        print("FLOORS: dict[str, float] = {")
        for name, r in table.items():
            print(
                f'    "{name}": {suggested_floor(r.passed, r.cases):.2f},  # {r.passed}/{r.cases}'
            )
        print("}")
        return 0

    if args.json:
        print(
            json.dumps(
                {
                    k: {"test": r.test, "cases": r.cases, "passed": r.passed,
                        "rate": round(r.rate, 3), "floor": FLOORS.get(k)}
                    for k, r in table.items()
                }
            )
        )  # fmt: skip
        return 0

    print(f"{'capability':28s} {'test':4s} {'cases':>5s} {'passed':>6s} {'rate':>6s} {'floor':>6s}")
    for name, r in table.items():
        floor = FLOORS.get(name)
        flag = "  BELOW FLOOR" if floor is not None and r.rate < floor else ""
        shown = "-" if floor is None else f"{floor:.2f}"
        print(f"{name:28s} {r.test:4s} {r.cases:5d} {r.passed:6d} {r.rate:6.2f} {shown:>6s}{flag}")
    total = sum(r.cases for r in table.values())
    passed = sum(r.passed for r in table.values())
    docs = sum(len(c.docs) for c in cases)
    print(
        f"{'all':28s} {'':4s} {total:5d} {passed:6d} {passed / max(total, 1):6.2f}"
        f"   ({docs} documents, {secs:.1f} s)"
    )
    if args.verbose:
        for name in table:
            failing = [r for r in results if r.case.capability == name and not r.passed]
            if not failing:
                continue
            print(f"\n== {name}: {len(failing)} failing")
            for r in failing[: args.max_failures]:
                print(describe(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
