"""ilo.plain: the value classes on the start-up path behave like the dataclasses they replaced."""

from __future__ import annotations

import pytest

from ilo.plain import Factory, plain


@plain
class Box:
    name: str
    size: int = 3
    items: list = Factory(list)


@plain(frozen=True)
class Point:
    x: float
    y: float = 0.0


def test_defaults_positional_and_keyword_arguments():
    assert Box("a") == Box(name="a", size=3, items=[])
    assert Box("a", 4).size == 4
    with pytest.raises(TypeError):
        Box()
    with pytest.raises(TypeError):
        Box("a", size=1, colour="red")
    with pytest.raises(TypeError):
        Box("a", 1, [], 9)


def test_a_factory_default_is_fresh_per_instance():
    a, b = Box("a"), Box("b")
    a.items.append(1)
    assert b.items == []


def test_equality_repr_and_replace():
    assert Box("a") != Box("b")
    assert Box("a") != ("a", 3, [])
    assert repr(Point(1.0)) == "Point(x=1.0, y=0.0)"
    p = Point(1.0, 2.0)
    assert p.replace(y=5.0) == Point(1.0, 5.0) and p == Point(1.0, 2.0)
    with pytest.raises(TypeError):
        p.replace(z=1.0)


def test_frozen_instances_are_immutable_and_hashable():
    p = Point(1.0)
    with pytest.raises(AttributeError):
        p.x = 2.0
    with pytest.raises(AttributeError):
        del p.x
    assert hash(p) == hash(Point(1.0)) and len({p, Point(1.0)}) == 1
    with pytest.raises(TypeError):
        hash(Box("a"))
