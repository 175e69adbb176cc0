"""``--fuzz-examples N``: more generated requests per operation and person than ``make test``
sends (bench/fuzz_api.py uses it)."""


def pytest_addoption(parser):
    parser.addoption(
        "--fuzz-examples",
        type=int,
        default=None,
        help="examples per operation and per person for tests/contract/test_fuzz.py",
    )
