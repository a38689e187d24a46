"""Canned replies are written for tickets: the ticket tests' chain of people and search structures."""

from tests.tickets.conftest import _search, _search_installed, chain  # noqa: F401
