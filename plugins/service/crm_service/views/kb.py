"""Console pages of the knowledge base: search, read, write, and suggestions while a
ticket is typed."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from crm_host.sdk import CrmError, get_host
from crm_host.sdk.web import page
from crm_service import kb
from crm_service.permissions import MANAGE, READ
from crm_service.views.blueprint import bp


@bp.route("/kb")
@page(READ)
def kb_list() -> str:
    """The knowledge base: published articles, searched by words, by category."""
    q = request.args.get("q", "").strip()[:300]
    category = request.args.get("category", "").strip()[:100] or None
    session = get_host().session
    drafts = request.args.get("drafts") == "1"
    return render_template(
        "service/kb_list.html",
        articles=kb.search(session, q, category=category, published_only=not drafts, limit=50),
        q=q,
        category=category or "",
        drafts=drafts,
    )


@bp.route("/kb/suggest")
@page(READ)
def kb_suggest() -> str:
    """Articles for the subject being typed on the new-ticket form (an htmx fragment)."""
    subject = request.args.get("subject", "").strip()[:300]
    articles = kb.search(get_host().session, subject, limit=5) if subject else []
    return render_template("service/_kb_suggestions.html", articles=articles)


@bp.route("/kb/<id:article_id>")
@page(READ)
def kb_article(article_id: int) -> str:
    """One article."""
    return render_template(
        "service/kb_article.html", article=kb.get_article(get_host().session, article_id)
    )


@bp.route("/kb/new", methods=["GET", "POST"])
@page(MANAGE)
def kb_new() -> str | Response:
    """Write an article."""
    return _kb_form(None)


@bp.route("/kb/<id:article_id>/edit", methods=["GET", "POST"])
@page(MANAGE)
def kb_edit(article_id: int) -> str | Response:
    """Change an article."""
    return _kb_form(kb.get_article(get_host().session, article_id))


def _kb_form(article: Any) -> str | Response:
    session = get_host().session
    form = request.form
    if request.method == "POST":
        data = {
            "title": form.get("title", ""),
            "body": form.get("body", ""),
            "category": form.get("category") or None,
            "published": form.get("published") == "on",
        }
        try:
            saved = kb.save_article(session, data, article, actor=current_user.user)
            session.commit()
        except CrmError as error:
            session.rollback()
            flash(error.message, "error")
        else:
            flash(str(_l("The article has been saved.")))
            return redirect(url_for(".kb_article", article_id=saved.id))
    return render_template("service/kb_form.html", article=article, form=form)
