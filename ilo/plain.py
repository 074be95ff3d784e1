"""``@plain``: small value classes without importing :mod:`dataclasses`.

``dataclasses`` imports ``inspect`` (and with it ``ast``, ``dis``,
``tokenize``): about 15 ms, a fifth of ``ilo 'main>n;1'`` end to end. The
classes every run builds (guard limits, CLI options, builtin specs, the
supervised child) use this decorator instead. It reads the class's
annotations in order; a class attribute gives a field's default,
:class:`Factory` a fresh default per instance. It adds ``__init__``,
``__eq__``, ``__repr__``, ``replace(**changes)`` and, with ``frozen=True``,
immutability and ``__hash__``. No slots, no ordering, no inheritance of
fields: what these classes need, nothing more.
"""

from __future__ import annotations

_MISSING = object()


class Factory:
    """A default built afresh for each instance (``Factory(list)``)."""

    __slots__ = ("make",)

    def __init__(self, make):
        self.make = make


def plain(cls=None, *, frozen: bool = False):
    if cls is None:
        return lambda c: plain(c, frozen=frozen)
    names = tuple(cls.__dict__.get("__annotations__", {}))
    defaults = {n: cls.__dict__[n] for n in names if n in cls.__dict__}
    for n in defaults:
        delattr(cls, n)                      # instances carry their own values
    required = [n for n in names if n not in defaults]
    set_value = object.__setattr__

    def __init__(self, *args, **kw):
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__} takes at most {len(names)} arguments")
        values = dict(zip(names, args))
        for k, v in kw.items():
            if k not in names or k in values:
                raise TypeError(f"{cls.__name__}: unexpected or repeated argument {k!r}")
            values[k] = v
        for n in names:
            v = values.get(n, _MISSING)
            if v is _MISSING:
                if n not in defaults:
                    raise TypeError(f"{cls.__name__} needs {', '.join(required)}")
                v = defaults[n]
                if type(v) is Factory:
                    v = v.make()
            set_value(self, n, v)

    def _values(self) -> tuple:
        return tuple(getattr(self, n) for n in names)

    def __eq__(self, other):
        return _values(self) == _values(other) if type(other) is type(self) else NotImplemented

    def __repr__(self):
        return f"{cls.__name__}(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in names) + ")"

    def replace(self, **changes):
        """A copy with some fields changed."""
        unknown = sorted(set(changes) - set(names))
        if unknown:
            raise TypeError(f"{cls.__name__} has no field {unknown[0]!r}")
        return cls(**{n: changes.get(n, getattr(self, n)) for n in names})

    cls.__init__ = __init__
    cls.__eq__ = __eq__
    cls.__repr__ = __repr__
    cls.replace = replace
    cls.__match_args__ = names
    cls._field_names = names
    if frozen:
        def __setattr__(self, name, value):
            raise AttributeError(f"cannot assign to field {name!r}: a {cls.__name__} is immutable")

        def __delattr__(self, name):
            raise AttributeError(f"cannot delete field {name!r}: a {cls.__name__} is immutable")

        cls.__setattr__ = __setattr__
        cls.__delattr__ = __delattr__
        cls.__hash__ = lambda self: hash(_values(self))
    else:
        cls.__hash__ = None
    return cls
