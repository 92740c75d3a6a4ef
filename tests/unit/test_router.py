"""Hash routes round-trip, and anything unknown is a not-found route."""

from __future__ import annotations

import pytest

from tabula.core.router import HOME, NOT_FOUND, PAGES, Route, parse, to_hash


@pytest.mark.parametrize("name", PAGES)
def test_pages_round_trip(name: str) -> None:
    route = Route(name)
    assert parse(to_hash(route)) == route
    assert to_hash(parse(f"#/{name}")) == f"#/{name}"


@pytest.mark.parametrize("hash_", ["", "#", "#/", "#//"])
def test_empty_hash_is_home(hash_: str) -> None:
    assert parse(hash_) == Route(HOME)


@pytest.mark.parametrize("hash_", ["#models", "#/models/", "models"])
def test_loose_spellings_are_tolerated(hash_: str) -> None:
    assert parse(hash_) == Route("models")


def test_unknown_route_keeps_what_was_asked() -> None:
    route = parse("#/nowhere/else")
    assert route == Route(NOT_FOUND, asked="nowhere/else")
    assert to_hash(route) == "#/nowhere/else"
    assert parse(to_hash(route)) == route
