"""Hot topics (未诉先办): what many enterprises are asking about right now, so the zone can act
before each of them has to ask.

Over a moving window (``window_days``, 30 by default, ending at the computation's ``at``), the
zone's enterprise demands (not merged, not withdrawn) are grouped by what they say, across
enterprises:

1. **Words.** Title (counted twice) and the first 300 characters of the description, cut into
   words with rjieba; single characters, numbers, punctuation and :data:`STOP_WORDS` (the
   words every demand uses: 企业, 问题, 尽快…) are dropped.
2. **Clusters.** TF-IDF of those words (sub-linear term frequency, a word in at least two
   demands and in at most half of them), then k-means (``MiniBatchKMeans`` above 2,000
   demands; k = √n, at most ``max_clusters``). Clusters whose centres are at least ``merge``
   alike (cosine) are one topic. A demand belongs to the topic whose centre is nearest, when
   its cosine to that centre is at least ``similarity``; the rest belong to none.
3. **The window before** (the same length, just before) is read the same way against the same
   centres, which gives each topic its volume before.
4. **Label.** The ``label_terms`` words of the highest mean TF-IDF among the topic's demands.

A topic needs ``min_size`` demands of ``min_enterprises`` enterprises. Its figures:

- ``V`` volume: its demands in the window; ``P``: in the window before; ``W``: in the window's
  last ``recent_days`` (7);
- ``g`` growth, the larger of the window's and the last week's::

      g_window = (V - P) / max(P, 1)              (1.0 = doubled; 12 against none = 12.0)
      M        = (V - W + P) / ((2 · window_days - recent_days) / recent_days)
                                                  (a week's mean before the last week)
      g_week   = (W - M) / max(M, 1)
      g        = max(g_window, g_week)

  so a surge of the last few days shows even when it is a small part of a 30-day window;
- ``E`` enterprises affected: distinct enterprises among the ``V`` demands;
- ``u`` urgency: the mean of 0 (normal), 1 (urgent), 2 (very urgent) over the ``V`` demands.

**Heat index** (0 to about 150; the topics are ranked by it)::

    heat = 10 · log2(1 + V) · (1 + min(max(g, 0), 3) / 3) · (0.5 + 0.5 · E / V) · (1 + u / 2)

volume counts on a log scale (twice the demands: +10 points, not twice the heat); growth up
to 3 (quadrupled) at most doubles it; a topic of one enterprise's repeated demands weighs
half one where every demand is another enterprise's; very urgent demands double it.

A topic is **rising** when ``g >= rising_growth`` (1.0: at least doubled) and
``V >= rising_min`` (8). The review agenda proposes the rising topics (rule ``hot_topic``).

Computed by the worker every hour (Celery task ``mashang.routing.hot_topics``, or the
embedded worker's job) and on demand with ``mashang hot_topics``; each run is stored
(:class:`~mashang.routing.models.TopicRun`, the latest ``keep_runs`` kept), and the dashboard,
the topic pages and the agenda read the latest. A run is derived data, like the scorecard
snapshots: it records no audit event. Settings: ``MASHANG_HOT_TOPICS_DAYS`` and
``MASHANG_HOT_TOPICS_RISING_MIN`` (the window and a rising topic's least volume); the other
:class:`TopicParams` are fixed here.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import NotFound
from mashang.core.lazy import LazyModule
from mashang.demands.models import Demand, Kind, Status, Urgency
from mashang.demands.permissions import visibility_filter
from mashang.org.models import User
from mashang.routing.models import Topic, TopicRun

# Imported when first used (mashang.core.lazy): processes that never compare texts stay small.
np = LazyModule("numpy")
rjieba = LazyModule("rjieba")


MSG_NO_TOPIC = _("This topic does not exist (any more).")

#: Words nearly every demand uses: they say nothing about what a demand is about.
STOP_WORDS = frozenset(
    """
    企业 公司 我司 我们 本司 贵司 你们 他们 问题 情况 需要 希望 请求 要求 协助 帮助 尽快 及时 进行
    相关 目前 现在 已经 没有 一直 影响 解决 反映 申请 办理 咨询 是否 可以 能否 如何 怎么 什么 由于
    因为 所以 导致 造成 近期 最近 本月 上月 部门 有关 给予 予以 一下 这个 那个 这些 那些 以及 还是
    或者 而且 但是 如果 虽然 不能 不是 无法 一些 很多 非常 比较 多次 多个 问题 事项 工作 方面 处理
    请问 谢谢 感谢 麻烦 领导 政府 园区 开发区 管委会 我们的 造成了 出现 发生 存在 导致了 之后 以来
    期间 时候 其中 对于 关于 根据 按照 通过 进一步 有限公司 有限责任公司 集团 单位 年度 今年 去年
    正常 生产 经营 生产经营 损失 较大 严重 意见 多家 同样 周边 面临 延误 答复 支持 盼复 尽早 马上
    员工们 上午 下午 今天 昨天 本周 上周 连续 几天 一个月 以上 多次 反复 还有 仍然 依然 始终
    困难 进度 政策 清楚 不清楚 明确 完成 不明 至今 迟迟 原因 说明 协调 加快 排查
    """.split()
)

URGENCY_WEIGHT = {Urgency.NORMAL: 0, Urgency.URGENT: 1, Urgency.CRITICAL: 2}
DESCRIPTION_CHARS = 300
#: Above this many demands k-means runs in mini-batches.
FULL_KMEANS_MAX = 2000


@dataclass(frozen=True)
class TopicParams:
    window_days: int = 30
    recent_days: int = 7
    rising_growth: float = 1.0
    rising_min: int = 8
    min_size: int = 3
    min_enterprises: int = 2
    similarity: float = 0.3
    merge: float = 0.3
    max_clusters: int = 150
    label_terms: int = 3
    #: At most this many topics are kept per run (the hottest).
    top: int = 30
    keep_runs: int = 20

    @classmethod
    def configured(cls) -> TopicParams:
        return cls(
            window_days=settings.MASHANG_HOT_TOPICS_DAYS,
            rising_min=settings.MASHANG_HOT_TOPICS_RISING_MIN,
        )


# --- the pure part ---------------------------------------------------------------------------


def _is_word(w: str) -> bool:
    if len(w) < 2 or w in STOP_WORDS:
        return False
    if any("\u4e00" <= c <= "\u9fff" for c in w):
        return True
    return w.isalpha()  # a latin word (ERP, VAT); not a number or punctuation


def words(text: str) -> list[str]:
    """The words of ``text`` that may tell topics apart."""
    return [w for w in rjieba.cut(text) if _is_word(w)]


def document(title: str, description: str) -> str:
    """A demand as the space-separated words the clustering reads (the title counted twice)."""
    title_words = " ".join(words(title))
    return f"{title_words} {title_words} {' '.join(words(description))}".strip()


@dataclass
class Found:
    """A topic as the clustering finds it: its words, its demands (indexes into the window's
    documents) and how many demands of the window before it has."""

    terms: list[str]
    members: list[int]
    previous: int


def _components(similar: np.ndarray) -> list[list[int]]:
    parent = list(range(len(similar)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(similar), strict=True):
        if i < j:
            parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(similar)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _nearest(x, centres: np.ndarray, similarity: float, chunk: int = 20000) -> np.ndarray:
    """For each row of ``x``, the index of the nearest centre, or -1 below ``similarity``."""
    out = np.full(x.shape[0], -1, dtype=np.int64)
    for lo in range(0, x.shape[0], chunk):
        sims = np.asarray(x[lo : lo + chunk] @ centres.T)
        best = sims.argmax(axis=1)
        ok = sims[np.arange(len(best)), best] >= similarity
        out[lo : lo + chunk][ok] = best[ok]
    return out


def find_topics(current: list[str], before: list[str], p: TopicParams) -> list[Found]:
    """Group the window's documents (see :func:`document`) into topics; count the window
    before's documents against the same topics. Deterministic for the same input."""
    n = len(current)
    if n < p.min_size:
        return []
    # Imported here: a process that never computes topics does not load scikit-learn.
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    vectorizer = TfidfVectorizer(
        analyzer=str.split, min_df=2, max_df=0.5, sublinear_tf=True, dtype=np.float32
    )
    try:
        x = vectorizer.fit_transform(current)
    except ValueError:  # no word in two demands
        return []
    rows = np.flatnonzero(x.getnnz(axis=1))
    if len(rows) < p.min_size:
        return []
    k = max(2, min(int(math.sqrt(len(rows))), p.max_clusters, len(rows)))
    if len(rows) <= FULL_KMEANS_MAX:
        model = KMeans(n_clusters=k, n_init=4, random_state=0)
    else:
        model = MiniBatchKMeans(
            n_clusters=k, n_init=3, random_state=0, batch_size=4096, max_iter=50
        )
    with warnings.catch_warnings():  # fewer distinct demands than clusters: fine
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x[rows])
    centres = normalize(model.cluster_centers_).astype(np.float32)
    groups = _components(centres @ centres.T >= p.merge)
    merged = normalize(
        np.vstack([model.cluster_centers_[g].mean(axis=0) for g in groups])
    ).astype(np.float32)
    assigned = _nearest(x, merged, p.similarity)
    previous = np.zeros(len(groups), dtype=np.int64)
    if before:
        earlier = _nearest(vectorizer.transform(before), merged, p.similarity)
        previous = np.bincount(earlier[earlier >= 0], minlength=len(groups))
    vocabulary = vectorizer.get_feature_names_out()
    found = []
    for g in range(len(groups)):
        members = np.flatnonzero(assigned == g)
        if len(members) < p.min_size:
            continue
        weights = np.asarray(x[members].mean(axis=0)).ravel()
        top = [int(i) for i in weights.argsort()[::-1][: p.label_terms] if weights[i] > 0]
        found.append(
            Found(
                terms=[str(vocabulary[i]) for i in top],
                members=[int(m) for m in members],
                previous=int(previous[g]),
            )
        )
    return found


def growth_of(volume: int, previous: int) -> float:
    """The window's growth against the window before."""
    return (volume - previous) / max(previous, 1)


def growth_with_recent(
    *, volume: int, previous: int, recent: int, window_days: int, recent_days: int
) -> float:
    """``g`` of the module's docstring: the window's growth, or the last week's against the
    weekly mean before it, whichever is larger."""
    weeks_before = (2 * window_days - recent_days) / recent_days
    mean = (volume - recent + previous) / weeks_before
    return max(growth_of(volume, previous), (recent - mean) / max(mean, 1.0))


def heat_of(*, volume: int, growth: float, enterprises: int, urgency: float) -> float:
    """The heat index of the module's docstring; ``urgency`` is the mean urgency weight (0–2)."""
    if volume <= 0:
        return 0.0
    g = min(max(growth, 0.0), 3.0)
    return round(
        10
        * math.log2(1 + volume)
        * (1 + g / 3)
        * (0.5 + 0.5 * enterprises / volume)
        * (1 + urgency / 2),
        1,
    )


# --- the service -----------------------------------------------------------------------------


@dataclass
class _Row:
    id: int
    number: str
    enterprise_id: int
    urgency: str
    submitted_at: datetime


@dataclass
class Computed:
    run: TopicRun
    topics: list[Topic] = field(default_factory=list)


def _window(start: datetime, end: datetime):
    return (
        Demand.objects.filter(kind=Kind.DEMAND, submitted_at__gte=start, submitted_at__lt=end)
        .exclude(status__in=(Status.MERGED, Status.WITHDRAWN))
        .order_by("submitted_at", "id")
    )


def _read(start: datetime, end: datetime, *, with_rows: bool) -> tuple[list[str], list[_Row]]:
    docs: list[str] = []
    rows: list[_Row] = []
    fields = ["title", "head", "id", "number", "enterprise_id", "urgency", "submitted_at"]
    qs = _window(start, end).annotate(head=Substr("description", 1, DESCRIPTION_CHARS))
    for title, head, *rest in qs.values_list(*fields).iterator(chunk_size=5000):
        docs.append(document(title, head))
        if with_rows:
            rows.append(_Row(*rest))
    return docs, rows


def topics_compute(
    *, at: datetime | None = None, params: TopicParams | None = None
) -> Computed:
    """Find the hot topics of the window ending at ``at`` and store them as the latest run
    (older runs beyond ``keep_runs`` are deleted)."""
    started = time.perf_counter()
    at = at or timezone.now()
    p = params or TopicParams.configured()
    span = timedelta(days=p.window_days)
    docs, rows = _read(at - span, at, with_rows=True)
    before, _ = _read(at - 2 * span, at - span, with_rows=False)
    topics = []
    for f in find_topics(docs, before, p):
        members = [rows[i] for i in f.members]
        volume = len(members)
        enterprises = len({r.enterprise_id for r in members})
        if enterprises < p.min_enterprises:
            continue
        weights = [URGENCY_WEIGHT.get(r.urgency, 0) for r in members]
        recent = sum(1 for r in members if r.submitted_at >= at - timedelta(days=p.recent_days))
        growth = growth_with_recent(
            volume=volume,
            previous=f.previous,
            recent=recent,
            window_days=p.window_days,
            recent_days=p.recent_days,
        )
        topics.append(
            Topic(
                rank=0,
                label="、".join(f.terms)[:100],
                terms=f.terms,
                heat=heat_of(
                    volume=volume,
                    growth=growth,
                    enterprises=enterprises,
                    urgency=sum(weights) / volume,
                ),
                volume=volume,
                previous=f.previous,
                recent=recent,
                growth=round(growth, 3),
                enterprises=enterprises,
                urgent=weights.count(1),
                critical=weights.count(2),
                is_rising=growth >= p.rising_growth and volume >= p.rising_min,
                demand_ids=[r.id for r in members],
                numbers=[r.number for r in members],
            )
        )
    topics.sort(key=lambda t: (-t.heat, -t.volume, t.label))
    topics = topics[: p.top]
    with transaction.atomic():
        run = TopicRun.objects.create(
            computed_at=at,
            window_start=at - span,
            window_end=at,
            demands=len(docs),
            seconds=round(time.perf_counter() - started, 3),
            params=asdict(p),
        )
        for rank, t in enumerate(topics, start=1):
            t.run, t.rank = run, rank
        Topic.objects.bulk_create(topics)
        stale = list(TopicRun.objects.values_list("pk", flat=True)[p.keep_runs :])
        if stale:
            TopicRun.objects.filter(pk__in=stale).delete()
    return Computed(run=run, topics=topics)


# --- the selectors ---------------------------------------------------------------------------

TOPIC_ROLES = frozenset(
    {User.Role.OFFICER, User.Role.UNIT_STAFF, User.Role.UNIT_HEAD, User.Role.SUPERVISOR,
     User.Role.LEADER, User.Role.ADMIN}
)


def can_view_topics(actor) -> bool:
    """The zone's staff see the hot topics; an enterprise does not (they span enterprises)."""
    return bool(actor and actor.is_authenticated and actor.is_active and actor.role in TOPIC_ROLES)


def topic_run_latest(*, at: datetime | None = None) -> TopicRun | None:
    """The latest run computed at or before ``at`` (default: the latest of all)."""
    qs = TopicRun.objects.all()
    if at is not None:
        qs = qs.filter(computed_at__lte=at)
    return qs.first()


def hot_topics(*, at: datetime | None = None, rising_only: bool = False) -> list[Topic]:
    """The topics of the latest run, the hottest first."""
    run = topic_run_latest(at=at)
    if run is None:
        return []
    qs = run.topics.select_related("run")
    if rising_only:
        qs = qs.filter(is_rising=True)
    return list(qs.order_by("rank"))


def topic_get(*, actor, topic_id: int) -> Topic:
    if not can_view_topics(actor):
        raise NotFound(str(MSG_NO_TOPIC))
    topic = Topic.objects.select_related("run").filter(pk=topic_id).first()
    if topic is None:
        raise NotFound(str(MSG_NO_TOPIC))
    return topic


def topic_demands(*, actor, topic: Topic) -> list[Demand]:
    """The topic's demands that ``actor`` may see, the latest first."""
    return list(
        Demand.objects.filter(Q(pk__in=topic.demand_ids) & visibility_filter(actor))
        .select_related("enterprise", "lead_unit", "category")
        .order_by("-submitted_at", "-id")
    )
