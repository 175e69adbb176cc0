"""Every action in every run state: allowed exactly where the table says, 409 elsewhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mashang.core.errors import TransitionNotAllowed
from mashang.landstart import services
from mashang.landstart.models import RunState
from mashang.landstart.transitions import RUN_MOVES, Action
from tests.kit.landstart import AWARD, OPENED, RECORD_41, run_of

LATER = AWARD + timedelta(hours=2)


def _in_state(bundle, state: str):
    if state == RunState.LISTED:
        return run_of(bundle, opened=OPENED)
    if state == RunState.RUNNING:
        return run_of(bundle, opened=OPENED, awarded=AWARD, minutes={"confirmation": 0.5})
    if state == RunState.COMPLETED:
        return run_of(bundle, opened=OPENED, awarded=AWARD, minutes=RECORD_41)
    run = run_of(bundle, opened=OPENED)
    return services.landstart_cancel(actor=bundle.zone.officer, run_id=run.pk, reason="流拍", at=OPENED)


def _do(bundle, action: str, run):
    zrzy = bundle.zone.land_staff
    if action == Action.STAGE:
        return services.landstart_step_stage(actor=zrzy, run_id=run.pk, step_code="land_use_permit", at=LATER)
    if action == Action.ATTACH:
        return services.landstart_document_attach(
            actor=zrzy, run_id=run.pk, step_code="land_use_permit",
            files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")], at=LATER,
        )
    if action == Action.AWARD:
        return services.landstart_award(actor=bundle.people["jyzx"], run_id=run.pk, awarded_at=AWARD, at=LATER)
    if action == Action.COMPLETE:
        return services.landstart_step_complete(actor=zrzy, run_id=run.pk, step_code="land_contract", at=LATER)
    if action == Action.RETURN:
        return services.landstart_step_return(
            actor=zrzy, run_id=run.pk, step_code="confirmation", reason="成交价有误", at=LATER
        )
    return services.landstart_cancel(actor=bundle.zone.officer, run_id=run.pk, reason="取消", at=LATER)


@pytest.mark.parametrize("state", RunState.values)
@pytest.mark.parametrize("action", list(RUN_MOVES))
def test_each_action_is_allowed_exactly_in_the_run_states_of_the_table(bundle, settings, tmp_path, state, action):
    settings.MEDIA_ROOT = tmp_path
    run = _in_state(bundle, state)
    if state in RUN_MOVES[action]:
        assert _do(bundle, action, run)
    else:
        with pytest.raises(TransitionNotAllowed):
            _do(bundle, action, run)
