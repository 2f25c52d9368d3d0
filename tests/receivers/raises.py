"""Defect: a handler table without the new types, and no error handling: the app raises."""

from __future__ import annotations

from .unknown_type_crash import UnknownTypeCrash


class Raises(UnknownTypeCrash):
    catch_errors = False


app = Raises()
observe = app.observe
