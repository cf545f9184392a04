"""Index definitions the ORM cannot spell for every database."""

from __future__ import annotations

import copy

from django.db import models


class NullsLastIndex(models.Index):
    """An index whose descending columns put nulls last on PostgreSQL too.

    The candidate lists order by ``F(...).desc(nulls_last=True)``. PostgreSQL puts a
    descending column's nulls first unless told otherwise, and then cannot read that
    ordering from the index: it sorts all of a job's candidates for every page instead.
    SQLite's DESC already puts nulls last (and it has no NULLS LAST in an index).
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        index = self
        if schema_editor.connection.vendor == "postgresql":
            index = copy.copy(self)
            index.fields_orders = [
                (name, "DESC NULLS LAST" if order == "DESC" else order)
                for name, order in self.fields_orders
            ]
        return super(NullsLastIndex, index).create_sql(model, schema_editor, using, **kwargs)
