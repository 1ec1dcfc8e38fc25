"""What a staff page's address names, or a 404."""

from __future__ import annotations

from flask import abort

from engagement.designer.service import DesignerError, Draft, load_draft
from engagement.extensions import db


def draft_or_404(slug: str) -> Draft:
    """The latest version of the survey `slug` names, as the designer sees it."""
    try:
        return load_draft(db.session, slug)
    except DesignerError:
        abort(404)
