"""``mashang routing_evaluate``: train on one labelled CSV and score another, or cross-validate;
a per-class table, then one JSON line; clear errors for bad files."""

from __future__ import annotations

import csv
import json
import random
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from mashang.routing.tests.test_suggestions import TOPICS, _text

TEDDYCUP = Path("/work/shared/data/teddycup/titles_train.csv")


def _csv(path: Path, rows: int, seed: int, *, body: bool = True) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["title", "body", "label"] if body else ["title", "label"])
        for i in range(rows):
            topic = list(TOPICS)[i % 3]
            title, text = _text(rng, topic)
            w.writerow([title, text, topic] if body else [title, topic])
    return path


def _run(*args) -> list[str]:
    out = StringIO()
    call_command("routing_evaluate", *args, "--quiet", stdout=out, stderr=StringIO())
    return out.getvalue().strip().splitlines()


def test_trained_on_one_file_and_scored_on_another(tmp_path):
    lines = _run("--train", str(_csv(tmp_path / "train.csv", 90, 1)), "--test", str(_csv(tmp_path / "test.csv", 30, 2)))
    result = json.loads(lines[-1])
    assert result["n"] == 30 and result["macro_f1"] > 0.9 and result["accuracy"] > 0.9
    table = "\n".join(lines[:-1])
    assert all(label in table for label in TOPICS)


def test_cross_validation_on_titles_alone(tmp_path):
    lines = _run("--train", str(_csv(tmp_path / "train.csv", 60, 3, body=False)), "--cv", "3")
    result = json.loads(lines[-1])
    assert set(result) == {"macro_f1", "accuracy", "n"} and result["n"] == 60


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("title,category\n停电,power\n", ("--cv", "5"), "label"),
        ("title,label\n", ("--cv", "5"), "no rows"),
        ("title,label\n停电,power\n", (), "--test"),
        ("title,label\n停电,\n", ("--cv", "5"), "line 2"),
    ],
)
def test_a_bad_file_or_call_is_refused_with_a_clear_message(tmp_path, content, args, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("routing_evaluate", "--train", str(path), *args, "--quiet", stdout=StringIO())


@pytest.mark.skipif(not TEDDYCUP.exists(), reason="the labelled government messages are not on this machine")
def test_the_public_government_messages_score_as_measured():
    """Five-fold cross-validation on the 8,289 labelled titles (about 20 s): the figure in
    docs/routing.md. Below 0.88 means the classifier got worse."""
    result = json.loads(_run("--train", str(TEDDYCUP), "--cv", "5")[-1])
    assert result["n"] == 8289
    assert result["macro_f1"] >= 0.88
