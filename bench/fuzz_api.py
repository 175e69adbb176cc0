"""The API fuzzer with more examples than ``make test`` sends, printing what it found.

    .venv/bin/python bench/fuzz_api.py                  # 25 examples per operation and person
    .venv/bin/python bench/fuzz_api.py --examples 100

It runs tests/contract/test_fuzz.py on PostgreSQL (``--database-url``, default the local
``postgresql://postgres@127.0.0.1:5432/fuzz``) and prints the operations, the requests, the
answers by status and person, and the failures by check (not a server error, response schema
conformance, status code conformance) with one example request each.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=25)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/fuzz")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.chdir(ROOT)
    import pytest

    return pytest.main([
        "-q", "-s", "-p", "no:cacheprovider",
        "tests/contract/test_fuzz.py",
        "--fuzz-examples", str(args.examples),
    ])  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
