"""Training the suggestion classifiers on the zone's own history, and replacing the one in use
only by one that is not worse.

The examples are the demands the service team dispatched (merged and returned ones left out):
their title and description, labelled with the category they were given and the lead unit
that holds them. Each training cross-validates (stratified folds over at most
``MASHANG_ROUTING_CV_ROWS`` examples), then fits on every example. The new classifier is kept
with its figures whatever happens; it replaces the one in use only when its cross-validated
macro-F1 is at least that one's, and the note says why it did or did not.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from mashang.audit.services import event_record
from mashang.core.lazy import LazyModule
from mashang.demands.models import Demand, Status
from mashang.org.models import Category, Unit, User
from mashang.routing.models import AutoDispatch, Classifier, Target

logger = logging.getLogger(__name__)
#: scikit-learn is imported when a classifier is first trained or used (mashang.core.lazy).
classifier = LazyModule("mashang.routing.classifier")


def training_examples(target: str) -> tuple[list[tuple[str, str]], list[str], datetime | None]:
    """(title, description) pairs, their labels for ``target``, and the latest dispatch among them."""
    label_field = "category__code" if target == Target.CATEGORY else "lead_unit__code"
    rows = (
        Demand.objects.filter(dispatched_at__isnull=False, merged_into__isnull=True, lead_unit__isnull=False)
        .exclude(status__in=[Status.RETURNED, Status.MERGED, Status.WITHDRAWN])
        .exclude(**{f"{label_field}__isnull": True})
        .order_by("id")
        .values_list("title", "description", label_field, "dispatched_at")
    )
    docs: list[tuple[str, str]] = []
    labels: list[str] = []
    latest = None
    for title, description, label, dispatched_at in rows.iterator(chunk_size=5000):
        docs.append((title, description[: classifier.BODY_CHARS]))
        labels.append(label)
        if latest is None or dispatched_at > latest:
            latest = dispatched_at
    return docs, labels, latest


def _sample(n: int, limit: int, labels: list[str], seed: int = 0) -> list[int]:
    """At most ``limit`` rows, each label in proportion (stratified), for cross-validation."""
    if n <= limit:
        return list(range(n))
    from sklearn.model_selection import train_test_split

    kept, _rest = train_test_split(list(range(n)), train_size=limit, stratify=labels, random_state=seed)
    return sorted(kept)


def _labels_lost(active: Classifier, labels: list[str]) -> list[str]:
    """The labels the classifier in use suggests, still active in the zone, that a new one
    would no longer know (too few examples left): a higher score without them is no gain."""
    missing = set(active.labels or ()) - set(labels)
    if not missing:
        return []
    model = Category if active.target == Target.CATEGORY else Unit
    return sorted(model.objects.filter(code__in=missing, is_active=True).values_list("code", flat=True))


def classifier_train(
    *, target: str, trigger: str, actor: User | None = None, at: datetime | None = None, progress=None
) -> Classifier:
    """Train, judge and store a classifier for ``target``; put it in use if it is not worse."""
    at = at or timezone.now()
    started = time.monotonic()
    docs, labels, latest = training_examples(target)
    kept, dropped = classifier.labels_learnable(labels, minimum=max(classifier.MIN_EXAMPLES, settings.MASHANG_ROUTING_CV_FOLDS))
    rows = [i for i, label in enumerate(labels) if label in kept]
    docs = [docs[i] for i in rows]
    labels = [labels[i] for i in rows]
    params = classifier.TrainingParams()
    record = {
        "target": target,
        "trigger": trigger,
        "trained_at": at,
        "data_until": latest,
        "n_samples": len(docs),
        "params": {**params.as_dict(), "left_out": sorted(dropped)},
    }
    if len(docs) < settings.MASHANG_ROUTING_MIN_DEMANDS or len(kept) < 2:
        return _store(
            record,
            status=Classifier.Status.FAILED,
            note=_("Too little history: {n} dispatched demands with {k} labels; at least {m} and two labels are needed.").format(
                n=len(docs), k=len(kept), m=settings.MASHANG_ROUTING_MIN_DEMANDS
            ),
            actor=actor,
        )
    sample = _sample(len(docs), settings.MASHANG_ROUTING_CV_ROWS, labels)
    scores = classifier.cross_validate(
        [docs[i] for i in sample], [labels[i] for i in sample], folds=settings.MASHANG_ROUTING_CV_FOLDS,
        params=params, progress=progress,
    )
    model = classifier.train(docs, labels, params=params, progress=progress)
    model.temperature = scores.temperature
    record.update(
        labels=model.labels,
        macro_f1=scores.macro_f1,
        accuracy=scores.accuracy,
        folds=scores.folds,
        per_class=scores.per_class,
        confusion={"labels": scores.labels, "matrix": scores.confusion},
        train_seconds=time.monotonic() - started,
    )
    record["params"]["cv_rows"] = len(sample)
    return _store(record, status=None, model=model, actor=actor)


def _store(record: dict, *, status: str | None, note: str = "", model=None, actor: User | None = None) -> Classifier:
    target = record["target"]
    artifact = sha = ""
    if model is not None:
        data = model.to_bytes()
        sha = hashlib.sha256(data).hexdigest()
        artifact = default_storage.save(f"routing/models/{target}-{sha[:16]}.npz", ContentFile(data))
    AutoDispatch.objects.get_or_create(pk=1)
    with transaction.atomic():
        # One training stores and compares at a time (two at once would both take the same
        # version, or each compare with the one the other is retiring).
        AutoDispatch.objects.select_for_update().filter(pk=1).first()
        active = Classifier.objects.select_for_update().filter(target=target, status=Classifier.Status.ACTIVE).first()
        version = (Classifier.objects.filter(target=target).aggregate(v=Max("version"))["v"] or 0) + 1
        if status is None:
            new_f1 = record["macro_f1"]
            if active is None:
                status = Classifier.Status.ACTIVE
                note = _("The first classifier: in use.")
            elif lost := _labels_lost(active, record["labels"]):
                status = Classifier.Status.REJECTED
                note = _("Not used: it could no longer suggest {labels}, which version {old} in use can.").format(
                    labels="、".join(lost), old=active.version
                )
            elif active.macro_f1 is None or new_f1 >= active.macro_f1:
                status = Classifier.Status.ACTIVE
                note = _("In use: macro-F1 {new:.3f}, not worse than version {old} ({old_f1:.3f}).").format(
                    new=new_f1, old=active.version, old_f1=active.macro_f1 or 0
                )
            else:
                status = Classifier.Status.REJECTED
                note = _("Not used: macro-F1 {new:.3f} is worse than version {old} in use ({old_f1:.3f}).").format(
                    new=new_f1, old=active.version, old_f1=active.macro_f1
                )
            if status == Classifier.Status.ACTIVE and active is not None:
                active.status = Classifier.Status.RETIRED
                active.save(update_fields=["status"])
        row = Classifier.objects.create(
            version=version, status=status, note=note, artifact=artifact, artifact_sha256=sha, **record
        )
        event_record(
            subject_type="routing_classifier",
            subject_id=row.pk,
            action="train",
            actor=actor,
            at=record["trained_at"],
            to_state=status,
            reason=note,
            payload={
                "target": target,
                "version": version,
                "n_samples": record["n_samples"],
                "macro_f1": record.get("macro_f1"),
                "replaced": active.version if active is not None and status == Classifier.Status.ACTIVE else None,
            },
        )
    logger.info("routing classifier %s v%s: %s (%s)", target, version, status, note)
    return row


def classifiers_retrain(*, trigger: str = "schedule", actor: User | None = None, progress=None) -> list[Classifier]:
    """Train both targets (the worker's scheduled job and the page's "retrain now")."""
    return [
        classifier_train(target=target, trigger=trigger, actor=actor, progress=progress)
        for target in (Target.CATEGORY, Target.LEAD_UNIT)
    ]


_loaded: dict[str, tuple[int, classifier.TextModel]] = {}


def model_in_use(target: str) -> tuple[Classifier, classifier.TextModel] | None:
    """The classifier in use for ``target`` and its loaded model (kept in memory per process
    until another replaces it)."""
    row = Classifier.objects.filter(target=target, status=Classifier.Status.ACTIVE).first()
    if row is None or not row.artifact:
        return None
    cached = _loaded.get(target)
    if cached is None or cached[0] != row.pk:
        with default_storage.open(row.artifact.name, "rb") as f:
            data = f.read()
        if hashlib.sha256(data).hexdigest() != row.artifact_sha256:
            logger.error("routing classifier %s v%s: the stored model does not match its checksum", target, row.version)
            return None
        cached = (row.pk, classifier.TextModel.from_bytes(data))
        _loaded[target] = cached
    return row, cached[1]
