"""The knowledge base: articles per category, searched by words and offered while a
ticket is written.

Chinese has no spaces between words, so a run of CJK characters is searched by its
overlapping pairs (``电表不走`` → ``电表``, ``表不``, ``不走``) — the way full-text
engines index Chinese without a dictionary — and other text by its words. An
article scores two per term in its title and one per term in its body.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import NotFound, User
from crm_host.sdk import validation as check
from crm_service.models import Article

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[^\W_]{2,}")
#: Terms taken from one query, and candidates scored per query.
MAX_TERMS = 12
CANDIDATES = 200
_FIELDS = ("title", "body", "category", "published")


def terms(text: str) -> list[str]:
    """The search terms of ``text``: CJK pairs and other words, lower case, in order."""
    found: list[str] = []
    for run in _CJK.findall(text):
        found += [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
    for word in _WORD.findall(_CJK.sub(" ", text)):
        found.append(word.lower())
    return list(dict.fromkeys(found))[:MAX_TERMS]


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(
    session: Session,
    text: str,
    *,
    category: str | None = None,
    published_only: bool = True,
    limit: int = 5,
) -> list[Article]:
    """Articles matching ``text``, best first (ties: newest first)."""
    words = terms(text or "")
    query = sa.select(Article)
    if published_only:
        query = query.where(Article.published.is_(True))
    if category:
        query = query.where(Article.category == category)
    if not words:
        return (
            []
            if text
            else list(
                session.scalars(
                    query.order_by(Article.updated_at.desc(), Article.id.desc()).limit(limit)
                )
            )
        )
    title, body = sa.func.lower(Article.title), sa.func.lower(Article.body)
    matches = [
        sa.or_(
            title.like(f"%{_escape(t)}%", escape="\\"), body.like(f"%{_escape(t)}%", escape="\\")
        )
        for t in words
    ]
    candidates = session.scalars(
        query.where(sa.or_(*matches)).order_by(Article.id.desc()).limit(CANDIDATES)
    ).all()

    def score(article: Article) -> int:
        t, b = article.title.lower(), article.body.lower()
        return sum(2 * (w in t) + (w in b) for w in words)

    return sorted(candidates, key=lambda a: (-score(a), -a.id))[:limit]


def get_article(session: Session, article_id: int) -> Article:
    """The article with this id, or :class:`NotFound`."""
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(f"no article with id {article_id}")
    return article


def save_article(
    session: Session,
    data: dict[str, Any],
    article: Article | None = None,
    *,
    actor: User | None = None,
) -> Article:
    """Create an article, or change ``article``, from API-shaped data (validated here)."""
    merged: dict[str, Any] = {
        "category": None,
        "published": False,
        **({c: getattr(article, c) for c in _FIELDS} if article else {}),
        **data,
    }
    errors: check.Errors = {}
    title = merged.get("title")
    check.text(title, "title", errors, max_length=200, required=True)
    body = merged.get("body")
    check.text(body, "body", errors, max_length=200_000, required=True, multiline=True)
    category = merged.get("category")
    check.text(category, "category", errors, max_length=100)
    if not isinstance(merged.get("published"), bool):
        check.add_error(errors, "published", "True or false.")
    check.fail_if(errors, "the article is not valid")
    if article is None:
        article = Article(created_by_id=actor.id if actor else None)
    article.title = title.strip()
    article.body = body
    article.category = (category or "").strip() or None
    article.published = merged["published"]
    session.add(article)
    session.flush()
    return article
