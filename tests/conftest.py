"""Fixtures for every test module."""

from tests.demo_site import demo_site, demo_site_database, demo_site_env  # noqa: F401
