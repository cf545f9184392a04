"""The candidate lists' indexes serve their ordering on every database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from willo_integration.models import CachedParticipant
from willo_integration.services.participants import ParticipantFilters, participant_list

from .conftest import cached_interview

pytestmark = pytest.mark.django_db


def _create_sql(name: str) -> str:
    index = next(i for i in CachedParticipant._meta.indexes if i.name == name)
    editor = connection.schema_editor(collect_sql=True)  # only spells the SQL, runs nothing
    return str(index.create_sql(CachedParticipant, editor))


@pytest.mark.parametrize("name", ["cached_part_status", "cached_part_created"])
def test_newest_first_puts_blank_dates_last_as_the_lists_do(name):
    sql = _create_sql(name)

    if connection.vendor == "postgresql":
        assert '"created_at" DESC NULLS LAST' in sql
    else:  # SQLite: DESC already puts nulls last, and NULLS LAST is not allowed here
        assert '"created_at" DESC' in sql
        assert "NULLS" not in sql


def test_the_status_index_carries_the_response_time_where_indexes_can():
    sql = _create_sql("cached_part_status")

    assert ('INCLUDE ("responded_at")' in sql) is connection.features.supports_covering_indexes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_postgresql_reads_a_jobs_newest_candidates_from_the_index_without_sorting_them(scope):
    job = cached_interview(scope)
    now = timezone.now()
    CachedParticipant.objects.bulk_create(
        CachedParticipant(
            team=scope.team,
            scope=scope.key,
            key=f"many{n:05d}",
            interview=job,
            status="Completed",
            created_at=None if n % 50 == 0 else now - timedelta(minutes=n),
            fetched_at=now,
        )
        for n in range(2000)
    )
    rows = participant_list(scope=scope, interview=job, filters=ParticipantFilters())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE willo_integration_cachedparticipant")
        plan = rows[:25].explain()

    assert "cached_part_created" in plan
    assert "top-N" not in plan
    assert "\n  ->  Sort " not in plan
