"""Similar demands: the same issue filed again, found by what the demands say.

Each demand's text is cut into Chinese words (rjieba) and weighed by TF-IDF over the demands
compared; two demands' score is ``0.3 × cos(titles) + 0.7 × cos(title and description)``, so the
title counts twice (a repeat keeps its title or its key terms more often than its wording). The
pure part (:func:`text_scores`, :func:`similar_pairs`, :func:`similar_groups`) takes texts; the
selectors read the candidates through the actor's visibility in one query and fit one vectorizer
per call.

Calibration (word TF-IDF, threshold 0.32). The hand-made set of ``tests/test_similarity.py``:
its planted repeats (paraphrases, re-filings with words changed, a title repeated with another
description) score 0.40–0.60, its distinct demands (several of one category) at most 0.23. The demo's
texts (``mashang.demo.texts``, 3,000 demands): its re-filed duplicates score 0.87 or more; two
demands of different categories at most 0.31; of one category on different topics 0.30 at the
99th percentile (most of those above share a subsidy programme's name); of one topic with other slot
values (another plot, amount) mostly above the threshold — near-duplicates worth a look.
Character 2–3-grams, tried first, scored paraphrases no higher than unrelated demands of one
category.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from mashang.core.lazy import LazyModule
from mashang.demands.models import OPEN_STATUSES, Demand, Kind, Status
from mashang.demands.permissions import visibility_filter
from mashang.org.models import User

# Imported when first used (mashang.core.lazy): processes that never compare texts stay small.
np = LazyModule("numpy")
rjieba = LazyModule("rjieba")
sparse = LazyModule("scipy.sparse")


#: Two demands scoring this or more are similar.
THRESHOLD = 0.32
#: How much the titles' cosine weighs; the whole texts' weighs the rest.
TITLE_WEIGHT = 0.3
WINDOW = timedelta(days=30)
#: At most this many candidates are compared (the newest): a zone's open demands and a
#: month's filings stay well under it.
MAX_CANDIDATES = 5000

_NOT_TEXT = re.compile(r"[\W_]+")


def _normal(text: str) -> str:
    # Punctuation and spaces split the text: n-grams do not run across them.
    return _NOT_TEXT.sub(" ", (text or "").lower()).strip()


def _words(text: str) -> list[str]:
    return [w for w in rjieba.cut(_normal(text)) if not w.isspace()]


def _given(words: list[str]) -> list[str]:
    return words


def _vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=_given, sublinear_tf=True, dtype=np.float32)


def text_vectors(texts: Sequence[tuple[str, str]]) -> sparse.csr_matrix:
    """One row per ``(title, description)``: the title's and the whole text's unit TF-IDF
    vectors side by side, scaled so that a row's dot product with another is their score."""
    if not texts:
        return sparse.csr_matrix((0, 0), dtype=np.float32)
    titles = [_words(t) for t, _d in texts]
    wholes = [words + _words(d) for words, (_t, d) in zip(titles, texts, strict=True)]
    blocks = []
    for column, weight in ((titles, TITLE_WEIGHT), (wholes, 1.0 - TITLE_WEIGHT)):
        try:
            block = _vectorizer().fit_transform(column)
        except ValueError:  # not one word in this part
            block = sparse.csr_matrix((len(texts), 1), dtype=np.float32)
        blocks.append(block * np.float32(np.sqrt(weight)))
    return sparse.hstack(blocks, format="csr")


def text_scores(texts: Sequence[tuple[str, str]]) -> np.ndarray:
    """The square matrix of the texts' pairwise scores (0–1; 1 on the diagonal for a text)."""
    vectors = text_vectors(texts)
    if vectors.shape[0] == 0:
        return np.zeros((0, 0), dtype=np.float32)
    return np.asarray((vectors @ vectors.T).todense())


def similar_pairs(
    texts: Sequence[tuple[str, str]], *, threshold: float = THRESHOLD
) -> list[tuple[int, int, float]]:
    """The pairs ``(i, j, score)``, ``i < j``, of texts scoring ``threshold`` or more, best first."""
    scores = text_scores(texts)
    i, j = np.nonzero(np.triu(scores >= threshold, k=1))
    pairs = [(int(a), int(b), float(scores[a, b])) for a, b in zip(i, j, strict=True)]
    return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))


def score_groups(scores: np.ndarray, *, threshold: float = THRESHOLD) -> list[list[int]]:
    """The rows linked by scores of ``threshold`` or more (connected components of two or
    more rows, each sorted, in the order of their first row)."""
    n = scores.shape[0]
    parent = list(range(n))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i, j in zip(*np.nonzero(np.triu(scores >= threshold, k=1)), strict=True):
        parent[root(int(i))] = root(int(j))
    groups: dict[int, list[int]] = {}
    for k in range(n):
        groups.setdefault(root(k), []).append(k)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0])


def similar_groups(
    texts: Sequence[tuple[str, str]], *, threshold: float = THRESHOLD
) -> list[list[int]]:
    """The texts linked by similar pairs (connected components of two or more), each sorted."""
    return score_groups(text_scores(texts), threshold=threshold)


@dataclass(frozen=True)
class Similar:
    """A demand similar to another, how similar (0–1), and whether of the same enterprise."""

    demand: Demand
    score: float
    same_enterprise: bool

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def is_open(self) -> bool:
        return self.demand.status in OPEN_STATUSES


@dataclass(frozen=True)
class _Candidate:
    pk: int
    title: str
    description: str
    enterprise_id: int
    status: str
    submitted_at: datetime


def _candidates(*, actor: User, demands: Sequence[Demand], window: timedelta) -> list[_Candidate]:
    """The enterprise demands ``actor`` sees that may repeat one of ``demands``: open ones filed
    before the last of them plus ``window``, and any other (closed, withdrawn) filed within
    ``window`` of them; never one merged away. One query, read as plain rows (thousands of model
    instances would cost more than comparing them)."""
    earliest = min(d.submitted_at for d in demands) - window
    latest = max(d.submitted_at for d in demands) + window
    rows = (
        Demand.objects.filter(visibility_filter(actor), kind=Kind.DEMAND, submitted_at__lte=latest)
        .filter(Q(status__in=OPEN_STATUSES) | Q(submitted_at__gte=earliest))
        .exclude(status=Status.MERGED)
        .order_by("-submitted_at", "-id")
        .values_list("id", "title", "description", "enterprise_id", "status", "submitted_at")
    )
    return [_Candidate(*row) for row in rows[:MAX_CANDIDATES]]


def similar_demands_batch(
    *,
    actor: User,
    demands: Sequence[Demand],
    window: timedelta = WINDOW,
    limit: int = 5,
    threshold: float = THRESHOLD,
    same_enterprise_only: bool = False,
) -> dict[int, list[Similar]]:
    """For each of ``demands`` (a queue's page), up to ``limit`` visible demands similar to it,
    the most similar first: one query for the candidates, one vectorizer fit, one query for the
    demands found."""
    if not demands:
        return {}
    candidates = _candidates(actor=actor, demands=demands, window=window)
    # Each demand once in the corpus (a page's demand is often a candidate of the others).
    at = {c.pk: k for k, c in enumerate(candidates)}
    corpus = [(c.title, c.description) for c in candidates]
    rows = []
    for d in demands:
        if d.pk not in at:
            at[d.pk] = len(corpus)
            corpus.append((d.title, d.description))
        rows.append(at[d.pk])
    vectors = text_vectors(corpus)
    scores = (
        np.asarray((vectors[rows] @ vectors[: len(candidates)].T).todense()) if candidates else None
    )
    found: dict[int, list[tuple[_Candidate, float]]] = {}
    for row, d in enumerate(demands):
        found[d.pk] = []
        if scores is None:
            continue
        for col in np.argsort(-scores[row], kind="stable"):
            score = float(scores[row, col])
            if score < threshold or len(found[d.pk]) >= limit:
                break
            c = candidates[col]
            if c.pk == d.pk or (same_enterprise_only and c.enterprise_id != d.enterprise_id):
                continue
            # An open demand of long ago counts; a closed one only within the window.
            if c.status not in OPEN_STATUSES and abs(c.submitted_at - d.submitted_at) > window:
                continue
            found[d.pk].append((c, min(score, 1.0)))
    wanted = {c.pk for pairs in found.values() for c, _score in pairs}
    loaded = (
        Demand.objects.select_related("enterprise").in_bulk(wanted) if wanted else {}
    )
    demand_of = {d.pk: d for d in demands}
    return {
        pk: [
            Similar(
                demand=loaded[c.pk],
                score=score,
                same_enterprise=c.enterprise_id == demand_of[pk].enterprise_id,
            )
            for c, score in pairs
            if c.pk in loaded  # not deleted meanwhile
        ]
        for pk, pairs in found.items()
    }


def similar_demands(
    *,
    actor: User,
    demand: Demand,
    window: timedelta = WINDOW,
    limit: int = 5,
    threshold: float = THRESHOLD,
) -> list[Similar]:
    """The visible open or recent demands similar to ``demand``, the most similar first."""
    return similar_demands_batch(
        actor=actor, demands=[demand], window=window, limit=limit, threshold=threshold
    )[demand.pk]
