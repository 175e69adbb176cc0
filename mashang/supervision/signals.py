"""What supervision tells whoever listens (it knows none of them).

``sweep_finished`` is sent after every sweep that wrote (not a dry run), outside its
transactions, with ``result`` (:class:`mashang.supervision.services.sweep.SweepResult`):
the operations app counts the sweeps and the notices raised for the metrics.
"""

from __future__ import annotations

from django.dispatch import Signal

sweep_finished = Signal()
