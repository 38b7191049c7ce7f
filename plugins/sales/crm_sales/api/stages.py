"""``/stages``: the pipeline stages, changed with ``sales.settings.manage``."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from crm_host.sdk import require
from crm_sales import permissions as p
from crm_sales import pipeline, stages
from crm_sales import schemas as s
from crm_sales.api.common import blp, current_actor, current_session
from crm_sales.models import Stage


@blp.route("/stages")
class Stages(MethodView):
    @require(p.STAGES_READ)
    @blp.response(200, s.StageOut(many=True))
    def get(self) -> list[Stage]:
        """The pipeline stages in board order, with their default probability."""
        return pipeline.stages(current_session())

    @require(p.SETTINGS_MANAGE)
    @blp.arguments(s.StageIn)
    @blp.response(201, s.StageOut)
    def post(self, data: dict[str, Any]) -> Stage:
        """Add a pipeline stage."""
        session = current_session()
        stage = stages.create_stage(session, data, actor=current_actor())
        session.commit()
        return stage


@blp.route("/stages/<id:stage_id>")
class StageResource(MethodView):
    @require(p.SETTINGS_MANAGE)
    @blp.arguments(s.StagePatch)
    @blp.response(200, s.StageOut)
    def patch(self, data: dict[str, Any], stage_id: int) -> Stage:
        """Rename, reorder or re-weigh a stage; its code stays."""
        session = current_session()
        stage = stages.update_stage(
            session, stages.get_stage(session, stage_id), data, actor=current_actor()
        )
        session.commit()
        return stage
