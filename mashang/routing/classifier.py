"""The text classifier behind the suggestions: title and description → a label (a category code
or a unit code). Pure Python and scikit-learn; it knows no Django.

Features. The title's character 1–3-grams (Chinese needs no segmentation for these) and the
description's words (rjieba), hashed into one space of ``n_features`` columns
(:class:`~sklearn.feature_extraction.text.HashingVectorizer`: no vocabulary to hold, so
memory does not grow with the data), then sublinear term frequency × inverse document
frequency, normalised to unit length.

Model. A linear SVM fitted by stochastic gradient descent (``SGDClassifier``, averaged, one
class against the rest), classes weighted so a small category counts as much as a large one.
Training streams the rows in chunks that are vectorised once and kept on disk between
epochs, so 1 M demands train in bounded memory. Confidences are the decision values through a
softmax whose temperature is fitted on the cross-validated decisions, so "0.8" means about
eight in ten of such suggestions were right in cross-validation.

What the model keeps (:class:`TextModel`) is its labels, the inverse document frequencies and
the weights: a few megabytes written with ``numpy.savez_compressed`` (no pickle is loaded).
"""

from __future__ import annotations

import io
import math
import re
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import rjieba
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import normalize

#: Columns of the hashed feature space.
N_FEATURES = 2**20
#: The description's first characters that count (its opening states the matter).
BODY_CHARS = 300
#: Rows vectorised and fitted together while streaming.
CHUNK_ROWS = 20_000
#: A label needs this many examples to be learnt; rarer ones are left out (and said so).
MIN_EXAMPLES = 3

_SPACE = re.compile(r"\s+")
_BODY_MARK = "\x1f"


def text_normalise(text: str) -> str:
    """Full-width to half-width, lower case, runs of white space as one space."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text or "").lower()).strip()


def _char_grams(text: str) -> list[str]:
    grams = []
    n = len(text)
    for size in (1, 2, 3):
        grams.extend(text[i : i + size] for i in range(n - size + 1))
    return [g for g in grams if not g.isspace()]


def text_tokens(title: str, body: str = "") -> list[str]:
    """The tokens a demand is described by: its title's character n-grams, then its
    description's words (marked, so a word of the description is not a title's n-gram)."""
    tokens = _char_grams(text_normalise(title))
    body = text_normalise(body)[:BODY_CHARS]
    if body:
        tokens.extend(_BODY_MARK + w for w in rjieba.cut(body) if w.strip() and len(w) > 1)
    return tokens


def _analyse(doc: tuple[str, str]) -> list[str]:
    return text_tokens(doc[0], doc[1])


_HASHER = HashingVectorizer(
    analyzer=_analyse, n_features=N_FEATURES, alternate_sign=False, norm=None, dtype=np.float32
)
_TOKEN_HASHER = FeatureHasher(
    n_features=N_FEATURES, input_type="string", alternate_sign=False, dtype=np.float32
)


def _counts(docs: Sequence[tuple[str, str]]) -> sparse.csr_matrix:
    matrix = _HASHER.transform(docs)
    matrix.data = np.log1p(matrix.data)  # sublinear term frequency
    return matrix


@dataclass
class TextModel:
    """A trained model, kept compact: only the hashed columns seen in training (``used``), their
    inverse document frequencies and their weights per label (``used`` × labels, contiguous
    float32), so a zone's model is tens of megabytes in memory rather than the full space's."""

    labels: list[str]
    used: np.ndarray  # int32, the hashed columns seen in training, ascending
    idf: np.ndarray  # float32, one per used column
    weights: np.ndarray  # float32, used columns × labels
    intercept: np.ndarray  # float32, labels
    temperature: float = 1.0
    _position: np.ndarray | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of_full(cls, labels: list[str], idf: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> TextModel:
        """From the full space: ``idf`` per column (0 where unseen), ``coef`` labels × columns."""
        used = np.flatnonzero(idf).astype(np.int32)
        return cls(
            labels=labels,
            used=used,
            idf=idf[used].astype(np.float32),
            weights=np.ascontiguousarray(coef[:, used].T, dtype=np.float32),
            intercept=intercept.astype(np.float32),
        )

    def _positions(self) -> np.ndarray:
        if self._position is None:
            position = np.full(N_FEATURES, -1, dtype=np.int32)
            position[self.used] = np.arange(len(self.used), dtype=np.int32)
            self._position = position
        return self._position

    def vectors(self, docs: Sequence[tuple[str, str]]) -> sparse.csr_matrix:
        """The documents in the model's compact space: tf-idf, unit length, unseen columns dropped."""
        counts = _counts(docs)
        columns = self._positions()[counts.indices]
        keep = columns >= 0
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))[keep]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=counts.shape[0]))])
        matrix = sparse.csr_matrix(
            (counts.data[keep] * self.idf[columns[keep]], columns[keep], indptr),
            shape=(counts.shape[0], len(self.used)),
            dtype=np.float32,
        )
        return normalize(matrix, copy=False)

    def decisions(self, docs: Sequence[tuple[str, str]]) -> np.ndarray:
        return np.asarray(self.vectors(docs) @ self.weights) + self.intercept

    def confidences(self, decisions: np.ndarray) -> np.ndarray:
        return _softmax(decisions * self.temperature)

    def predict(self, docs: Sequence[tuple[str, str]]) -> list[str]:
        return [self.labels[i] for i in self.decisions(docs).argmax(axis=1)]

    def top(self, title: str, body: str = "", k: int = 3, words: int = 5) -> list[Choice]:
        """The ``k`` likeliest labels with their confidence and the words that drove each."""
        doc = (title, body)
        x = self.vectors([doc])
        decisions = np.asarray(x @ self.weights)[0] + self.intercept
        confidence = self.confidences(decisions[None, :])[0]
        order = np.argsort(-decisions)[:k]
        value = dict(zip(x.indices.tolist(), x.data.tolist(), strict=True))
        tokens = sorted(set(_analyse(doc)))
        if tokens:
            columns = self._positions()[_TOKEN_HASHER.transform([[t] for t in tokens]).tocsr().indices]
            known = [(t, c) for t, c in zip(tokens, columns.tolist(), strict=True) if c >= 0 and c in value]
        else:
            known = []
        title_words = [w for w in dict.fromkeys(rjieba.cut(text_normalise(title))) if len(w.strip()) > 1]
        choices = []
        for i in order:
            weight = {t: value[c] * float(self.weights[c, i]) for t, c in known}
            drivers = _words_driving(weight, title_words)
            if len(drivers) < words:  # titles of single characters: the strongest n-grams
                ranked = [t for t, w in sorted(weight.items(), key=lambda pair: -pair[1]) if w > 0]
                drivers += [
                    w for w in _readable(ranked, words)
                    if len(w) > 1 and not any(w in d or d in w for d in drivers)
                ]
            choices.append(Choice(self.labels[i], float(confidence[i]), drivers[:words]))
        return choices

    # -- storage -----------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            labels=np.array(self.labels, dtype=str),
            used=self.used,
            idf=self.idf,
            weights=self.weights,
            intercept=self.intercept,
            temperature=np.array([self.temperature]),
            n_features=np.array([N_FEATURES]),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TextModel:
        with np.load(io.BytesIO(data), allow_pickle=False) as f:
            if int(f["n_features"][0]) != N_FEATURES:
                raise ValueError("The model was trained with another feature space.")
            return cls(
                labels=[str(x) for x in f["labels"]],
                used=f["used"].astype(np.int32),
                idf=f["idf"].astype(np.float32),
                weights=np.ascontiguousarray(f["weights"], dtype=np.float32),
                intercept=f["intercept"].astype(np.float32),
                temperature=float(f["temperature"][0]),
            )


def _weigh(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Training's weighting in the full hashed space (``idf`` 0 where a column is unseen)."""
    weighted = counts.multiply(idf).tocsr().astype(np.float64)
    return normalize(weighted, copy=False)


@dataclass(frozen=True)
class Choice:
    label: str
    confidence: float
    words: list[str] = field(default_factory=list)


def _words_driving(weight: dict[str, float], title_words: list[str]) -> list[str]:
    """The words behind a choice as a reader names them: each word of the title scored by the
    n-grams inside it, each word of the description by its own weight, the strongest first."""
    scores: dict[str, float] = {}
    for word in title_words:
        score = sum(weight.get(g, 0.0) for g in _char_grams(word))
        if score > 0:
            scores[word] = score
    for token, value in weight.items():
        if token.startswith(_BODY_MARK) and value > 0:
            word = token[len(_BODY_MARK) :]
            scores[word] = scores.get(word, 0.0) + value
    return [w for w, _score in sorted(scores.items(), key=lambda pair: -pair[1])]


def _readable(ranked: list[str], limit: int) -> list[str]:
    """The strongest tokens as a reader sees them: a description's word without its mark, and
    no n-gram that a stronger longer one already contains."""
    chosen: list[str] = []
    for token in ranked:
        word = token.lstrip(_BODY_MARK).strip()
        if not word or any(word in c for c in chosen):
            continue
        chosen = [c for c in chosen if c not in word] + [word] if len(word) > 1 else [*chosen, word]
        if len(chosen) >= limit:
            break
    return chosen[:limit]


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


# -- training ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingParams:
    alpha: float = 5e-5
    #: Passes over the data: in one call when it is one chunk, else streamed (each streamed
    #: pass reads every chunk back from disk, so fewer: the averaged descent settles sooner
    #: on many rows).
    epochs: int = 15
    streamed_epochs: int = 5
    chunk_rows: int = CHUNK_ROWS
    seed: int = 0

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            "features": "title char 1-3 + description words, hashed",
            "n_features": N_FEATURES,
            "model": "SGD linear SVM (averaged, class-balanced)",
            "alpha": self.alpha,
            "epochs": self.epochs,
            "streamed_epochs": self.streamed_epochs,
        }


Progress = Callable[[str], None]


def _class_weights(y: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    counts = {label: int(np.sum(y == label)) for label in labels}
    return {label: len(y) / (len(labels) * counts[label]) for label in labels}


def train(
    docs: Sequence[tuple[str, str]],
    y: Sequence[str],
    *,
    params: TrainingParams = TrainingParams(),
    progress: Progress | None = None,
) -> TextModel:
    """Fit a model on ``docs`` (title, description) with labels ``y``."""
    y = np.asarray(y, dtype=object)
    labels = np.array(sorted(set(y)), dtype=object)
    if len(labels) < 2:
        raise ValueError("At least two labels are needed to learn to tell them apart.")
    n = len(docs)
    rng = np.random.default_rng(params.seed)
    order = rng.permutation(n)
    weights = _class_weights(y, labels)
    with tempfile.TemporaryDirectory(prefix="mashang-routing-") as scratch:
        # Pass 1: vectorise each chunk once, keep it on disk, count document frequencies.
        df = np.zeros(N_FEATURES, dtype=np.int64)
        chunks: list[tuple[Path, np.ndarray]] = []
        for start in range(0, n, params.chunk_rows):
            rows = order[start : start + params.chunk_rows]
            counts = _counts([docs[i] for i in rows])
            df += np.bincount(counts.indices, minlength=N_FEATURES)
            path = Path(scratch) / f"{start}.npz"
            sparse.save_npz(path, counts, compressed=False)
            chunks.append((path, rows))
            if progress:
                progress(f"vectorised {min(start + params.chunk_rows, n):,} of {n:,}")
        idf = np.where(df > 0, np.log((1 + n) / (1 + df)) + 1, 0).astype(np.float32)
        # Pass 2: epochs of stochastic gradient descent over the stored chunks (one chunk: in
        # one call, which is the same descent without a round trip per epoch).
        model = SGDClassifier(
            loss="hinge", alpha=params.alpha, average=True, random_state=params.seed,
            max_iter=params.epochs, tol=None,
        )
        if len(chunks) == 1:
            path, rows = chunks[0]
            yy = y[rows]
            model.fit(
                _weigh(sparse.load_npz(path), idf), yy,
                sample_weight=np.array([weights[v] for v in yy]),
            )
        epochs = params.streamed_epochs if len(chunks) > 1 else 0
        for epoch in range(epochs):
            for k in rng.permutation(len(chunks)):
                path, rows = chunks[k]
                x = _weigh(sparse.load_npz(path), idf)
                yy = y[rows]
                model.partial_fit(
                    x, yy, classes=labels, sample_weight=np.array([weights[v] for v in yy])
                )
            if progress:
                progress(f"epoch {epoch + 1} of {epochs}")
    coef, intercept = model.coef_, model.intercept_
    if coef.shape[0] == 1:  # two labels: one separating line; each label gets its side of it
        coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    return TextModel.of_full(
        labels=[str(x) for x in model.classes_],
        idf=idf,
        coef=coef,
        intercept=intercept,
    )


@dataclass
class Scores:
    labels: list[str]
    n: int
    folds: int
    macro_f1: float
    accuracy: float
    per_class: dict[str, dict[str, float]]
    confusion: list[list[int]]
    temperature: float = 1.0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "labels": self.labels,
            "n": self.n,
            "folds": self.folds,
            "macro_f1": self.macro_f1,
            "accuracy": self.accuracy,
            "per_class": self.per_class,
            "confusion": self.confusion,
        }


def score(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str], folds: int = 0) -> Scores:
    labels = list(labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    return Scores(
        labels=labels,
        n=len(y_true),
        folds=folds,
        macro_f1=float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        accuracy=float(accuracy_score(y_true, y_pred)),
        per_class={
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, label in enumerate(labels)
        },
        confusion=confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    )


def cross_validate(
    docs: Sequence[tuple[str, str]],
    y: Sequence[str],
    *,
    folds: int = 5,
    params: TrainingParams = TrainingParams(),
    progress: Progress | None = None,
) -> Scores:
    """Stratified ``folds``-fold cross-validation: every fold's model is fitted on the other
    folds alone (hashing has no vocabulary; the inverse document frequencies are the training
    folds'). Also fits the confidence temperature on the held-out decisions."""
    started = time.monotonic()
    y = np.asarray(y, dtype=object)
    labels = sorted(set(y))
    decisions = np.zeros((len(y), len(labels)))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=params.seed)
    for k, (train_rows, test_rows) in enumerate(splitter.split(np.zeros(len(y)), y)):
        model = train([docs[i] for i in train_rows], y[train_rows], params=params)
        held = model.decisions([docs[i] for i in test_rows])
        # A label absent from a training fold gets no column: leave it at -inf.
        column = {label: j for j, label in enumerate(model.labels)}
        decisions[test_rows] = -np.inf
        for j, label in enumerate(labels):
            if label in column:
                decisions[test_rows, j] = held[:, column[label]]
        if progress:
            progress(f"fold {k + 1} of {folds}")
    predicted = [labels[i] for i in decisions.argmax(axis=1)]
    result = score(y, predicted, labels, folds=folds)
    result.temperature = temperature_fit(decisions, np.array([labels.index(v) for v in y]))
    result.seconds = time.monotonic() - started
    return result


def temperature_fit(decisions: np.ndarray, truth: np.ndarray) -> float:
    """The softmax temperature that makes the confidences of held-out decisions most likely
    (a one-parameter calibration: it changes no ranking)."""
    finite = np.where(np.isfinite(decisions), decisions, -1e9)
    best, best_loss = 1.0, math.inf
    for t in np.geomspace(0.1, 50, 60):
        p = _softmax(finite * t)
        loss = -np.mean(np.log(np.clip(p[np.arange(len(truth)), truth], 1e-12, 1)))
        if loss < best_loss:
            best, best_loss = float(t), loss
    return best


def labels_learnable(y: Sequence[str], minimum: int = MIN_EXAMPLES) -> tuple[set[str], set[str]]:
    """The labels with at least ``minimum`` examples, and those left out for having fewer."""
    counts: dict[str, int] = {}
    for v in y:
        counts[v] = counts.get(v, 0) + 1
    kept = {v for v, c in counts.items() if c >= minimum}
    return kept, set(counts) - kept
