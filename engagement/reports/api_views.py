"""JSON API: survey summaries by group, and its OpenAPI document."""

from __future__ import annotations

from flask import abort, current_app, jsonify, request
from flask_login import current_user

from engagement.adapters.clock import app_clock
from engagement.auth.permissions import Permission, scope_of
from engagement.extensions import csrf, db
from engagement.reporting.metrics import FILTERS, Filters
from engagement.reporting.service import (
    GROUPS,
    BadReportRequest,
    CellSizes,
    ReportNotFound,
    lower_is_better,
    needs_scope,
    parse_by,
    restrict,
    summary,
    survey_report,
)

from . import api
from .views import unknown_filter

csrf.exempt(api)


def _reader():
    """The bearer token's (or session's) user and where they may read; 401/403 otherwise."""
    if not current_user.is_authenticated:
        abort(401)
    scope = scope_of(current_user, Permission.READ_REPORTS)
    if scope.nowhere:
        abort(403)
    return scope


@api.get("/surveys/<slug>/summary")
def survey_summary(slug: str):
    scope = _reader()
    try:
        by = parse_by(request.args.get("by"))
        values = {name: request.args.get(name) or None for name in FILTERS}
        unknown = unknown_filter(values)
        if unknown:
            return jsonify(error="unknown_filter_value", filter=unknown), 400
        filters = Filters(**values)
        if not needs_scope(by, filters, scope):
            abort(403)
        report = survey_report(
            db.session, slug, app_clock(), CellSizes.from_config(current_app.config)
        )
    except BadReportRequest as error:
        return jsonify(error=error.code, **error.params, allowed=list(GROUPS)), 400
    except ReportNotFound:
        abort(404)
    frame = restrict(summary(report, by, filters), scope, filters)
    rows = [
        {
            **{k: row[k] for k in by},
            "n": row["n"],
            "pct_favourable": None
            if row["pct_favourable"] is None
            else round(row["pct_favourable"], 1),
            "mean": None if row["mean"] is None else round(row["mean"], 2),
            "suppressed": bool(row["suppressed"]),
        }
        for row in frame.to_dict("records")
    ]
    if "indicator" in by:  # bullying's percent is of students bullied: lower is better
        lower = lower_is_better(db.session)
        for row in rows:
            row["lower_is_better"] = row["indicator"] in lower
    return jsonify(
        survey=slug,
        by=by,
        filters=filters.as_dict(),
        min_cell_size=report.min_cell,
        rows=rows,
    )


@api.get("/openapi.json")
def openapi():
    _reader()
    group = {"type": "string", "enum": list(GROUPS)}
    filter_params = [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
        for name in FILTERS
    ]
    return jsonify(
        {
            "openapi": "3.1.0",
            "info": {"title": "Engagement survey reports", "version": "1"},
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
            "security": [{"bearer": []}],
            "paths": {
                "/api/v1/surveys/{slug}/summary": {
                    "get": {
                        "summary": "One row per group: n, percent favourable, mean, suppressed.",
                        "description": (
                            "Groups below the survey's minimum cell size, and the cells hidden "
                            "so they cannot be recovered by subtraction, have n, pct_favourable "
                            "and mean null and suppressed true. Working Group tokens see only "
                            "their result areas' rows, school staff only their schools'."
                        ),
                        "parameters": [
                            {
                                "name": "slug",
                                "in": "path",
                                "required": True,
                                "schema": {"type": "string"},
                            },
                            {
                                "name": "by",
                                "in": "query",
                                "required": False,
                                "description": "Comma-separated groups.",
                                "schema": {"type": "array", "items": group},
                                "style": "form",
                                "explode": False,
                            },
                            *filter_params,
                        ],
                        "responses": {
                            "200": {
                                "description": "The summary",
                                "content": {
                                    "application/json": {
                                        "schema": {
                                            "type": "object",
                                            "properties": {
                                                "survey": {"type": "string"},
                                                "by": {"type": "array", "items": group},
                                                "min_cell_size": {"type": "integer"},
                                                "rows": {
                                                    "type": "array",
                                                    "items": {
                                                        "type": "object",
                                                        "properties": {
                                                            "n": {"type": ["integer", "null"]},
                                                            "pct_favourable": {
                                                                "type": ["number", "null"]
                                                            },
                                                            "lower_is_better": {
                                                                "type": "boolean",
                                                                "description": (
                                                                    "Rows by indicator: true when "
                                                                    "the percent is of an outcome "
                                                                    "to bring down (bullying)."
                                                                ),
                                                            },
                                                            "mean": {"type": ["number", "null"]},
                                                            "suppressed": {"type": "boolean"},
                                                        },
                                                        "additionalProperties": {
                                                            "type": ["string", "null"]
                                                        },
                                                    },
                                                },
                                            },
                                        }
                                    }
                                },
                            },
                            "400": {"description": "Unknown group or filter value"},
                            "401": {"description": "No or bad bearer token"},
                            "403": {"description": "Outside the token's scope"},
                            "404": {"description": "Unknown survey"},
                        },
                    }
                }
            },
        }
    )
