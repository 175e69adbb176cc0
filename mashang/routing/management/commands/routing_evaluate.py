"""Judge the suggestion classifier on any labelled data: train on one CSV file and score another,
or cross-validate on the training file alone.

    mashang routing_evaluate --train TRAIN.csv --test TEST.csv
    mashang routing_evaluate --train TRAIN.csv --cv 5

The files are UTF-8 CSV with a header: ``title``, an optional ``body`` and ``label``. The
command prints a table per class, then as its last line one JSON object with ``macro_f1``,
``accuracy`` and ``n`` (the rows scored), for scripts to read.
"""

from __future__ import annotations

import csv
import json
import sys
import time
import unicodedata
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from mashang.routing import classifier

#: CSV fields can be long (a full message's text).
csv.field_size_limit(10_000_000)


def _read(path: str, option: str) -> tuple[list[tuple[str, str]], list[str]]:
    file = Path(path)
    if not file.is_file():
        raise CommandError(_("{option}: there is no file {path}.").format(option=option, path=path))
    try:
        with file.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            columns = set(reader.fieldnames or ())
            missing = {"title", "label"} - columns
            if missing:
                raise CommandError(
                    _("{option}: {path} needs the columns title and label (missing: {missing}).").format(
                        option=option, path=path, missing=", ".join(sorted(missing))
                    )
                )
            docs, labels = [], []
            for line, row in enumerate(reader, start=2):
                label = (row.get("label") or "").strip()
                title = (row.get("title") or "").strip()
                if not label or not title:
                    raise CommandError(
                        _("{option}: line {line} of {path} has no title or no label.").format(
                            option=option, line=line, path=path
                        )
                    )
                docs.append((title, row.get("body") or ""))
                labels.append(label)
    except UnicodeDecodeError:
        raise CommandError(_("{option}: {path} is not UTF-8 text.").format(option=option, path=path)) from None
    if not docs:
        raise CommandError(_("{option}: {path} has no rows.").format(option=option, path=path))
    return docs, labels


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--train", required=True, help="labelled CSV to train on")
        parser.add_argument("--test", help="labelled CSV to score (not with --cv)")
        parser.add_argument("--cv", type=int, default=0, help="cross-validate with this many folds")
        parser.add_argument("--quiet", action="store_true", help="no progress on stderr")

    def handle(self, *args, train: str, test: str | None, cv: int, quiet: bool, **options):
        if bool(test) == bool(cv):
            raise CommandError(_("Give either --test FILE or --cv FOLDS (at least 2)."))
        if cv and not 2 <= cv <= 20:
            raise CommandError(_("--cv takes between 2 and 20 folds."))
        progress = None if quiet else (lambda text: print(text, file=sys.stderr, flush=True))
        docs, labels = _read(train, "--train")
        started = time.monotonic()
        if cv:
            kept, dropped = classifier.labels_learnable(labels, minimum=cv)
            if dropped:
                self.stderr.write(
                    _("Left out, fewer than {n} examples: {labels}").format(n=cv, labels=", ".join(sorted(dropped)))
                )
            rows = [i for i, label in enumerate(labels) if label in kept]
            scores = classifier.cross_validate(
                [docs[i] for i in rows], [labels[i] for i in rows], folds=cv, progress=progress
            )
        else:
            test_docs, test_labels = _read(test, "--test")
            model = classifier.train(docs, labels, progress=progress)
            predicted = model.predict(test_docs)
            scores = classifier.score(test_labels, predicted, sorted(set(test_labels) | set(model.labels)))
        seconds = time.monotonic() - started
        self._table(scores)
        self.stdout.write(
            _("{n} rows scored ({how}) in {seconds:.1f} s.").format(
                n=scores.n,
                how=_("{k}-fold cross-validation").format(k=cv) if cv else _("trained on {train}").format(train=train),
                seconds=seconds,
            )
        )
        self.stdout.write(
            json.dumps(
                {"macro_f1": round(scores.macro_f1, 4), "accuracy": round(scores.accuracy, 4), "n": scores.n},
                ensure_ascii=False,
            )
        )

    def _table(self, scores: classifier.Scores) -> None:
        label_heading, average = _("label"), _("macro average")
        headings = [_("precision"), _("recall"), "F1", _("support")]
        width = max(_width(label) for label in [*scores.labels, label_heading, average]) + 2
        self.stdout.write(_pad(label_heading, width) + "".join(_pad_left(h, 10) for h in headings))
        for label in scores.labels:
            c = scores.per_class[label]
            self.stdout.write(
                f"{_pad(label, width)}{c['precision']:>10.3f}{c['recall']:>10.3f}{c['f1']:>10.3f}{c['support']:>10}"
            )
        self.stdout.write(f"{_pad(average, width)}{'':>10}{'':>10}{scores.macro_f1:>10.3f}{scores.n:>10}")


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _pad_left(text: str, width: int) -> str:
    return " " * max(0, width - _width(text)) + text
