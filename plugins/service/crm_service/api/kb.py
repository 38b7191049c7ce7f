"""Knowledge-base articles (``/api/v1/service/kb-articles``)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from crm_host.sdk import require
from crm_service import kb
from crm_service.api.blueprint import current_actor, db_session, kb_blp
from crm_service.permissions import MANAGE, READ
from crm_service.schemas import ArticleIn, ArticleOut, ArticleQuery


@kb_blp.route("")
class Articles(MethodView):
    @require(READ)
    @kb_blp.arguments(ArticleQuery, location="query")
    @kb_blp.response(200, ArticleOut(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Articles matching ``q`` (a ticket's subject words), best first; newest without ``q``."""
        return kb.search(
            db_session(),
            args["q"],
            category=args["category"],
            published_only=not args["drafts"],
            limit=args["limit"],
        )

    @require(MANAGE)
    @kb_blp.arguments(ArticleIn)
    @kb_blp.response(201, ArticleOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Write an article (a draft unless ``published``)."""
        session = db_session()
        article = kb.save_article(session, data, actor=current_actor())
        session.commit()
        return article


@kb_blp.route("/<id:article_id>")
class ArticleResource(MethodView):
    @require(READ)
    @kb_blp.response(200, ArticleOut)
    def get(self, article_id: int) -> Any:
        """One article."""
        return kb.get_article(db_session(), article_id)

    @require(MANAGE)
    @kb_blp.arguments(ArticleIn(partial=True))
    @kb_blp.response(200, ArticleOut)
    def patch(self, data: dict[str, Any], article_id: int) -> Any:
        """Change an article; ``published`` puts it in front of agents or takes it away."""
        session = db_session()
        article = kb.save_article(session, data, kb.get_article(session, article_id))
        session.commit()
        return article
