"""Records to JSON and back, checked field by field: a data-only format for caches (never pickle).

`to_json` turns a frozen record (`records.py`) into plain lists, strings, numbers, booleans and
nulls: a record is the list of its fields' values in the order the record declares them (no field
names: JSON of a page's records decodes in half the time of the same records as objects);
`from_json` rebuilds it from its type hints and raises `ValueError` for anything that does not fit
(a field too many or too few, a wrong type, a value outside a `Literal`), so a corrupt or foreign
cache entry is rejected rather than trusted. A cache keyed by the code's digest never meets a
record of another layout; one that is not so keyed must name its format.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


_PLAIN = frozenset((str, int, float, bool, type(None)))


def to_json(value: Any) -> Any:
    """`value` (a record, tuple, str, int, bool or None) as JSON-compatible data."""
    kind: Any = type(value)
    if kind in _PLAIN:
        return value
    if kind is tuple or kind is list:
        return [to_json(item) for item in value]
    names = _field_names(kind)
    if names is not None:
        return [to_json(getattr(value, name)) for name in names]
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    if isinstance(value, str | int | float):
        return value
    raise TypeError(f"cannot encode {kind.__name__} as JSON")


def field_index(cls: type, name: str) -> int:
    """Where the field `name` of the record type `cls` stands in its JSON list."""
    names = _field_names(cls)
    if names is None or name not in names:
        raise TypeError(f"{cls.__name__} has no field {name!r}")
    return names.index(name)


@cache
def _field_names(kind: Any) -> tuple[str, ...] | None:
    """The field names of a record type, None for any other type (looked up once per type)."""
    if dataclasses.is_dataclass(kind):
        return tuple(f.name for f in dataclasses.fields(kind))
    return None


def from_json(cls: type[T], data: Any) -> T:
    """The record of type `cls` that `to_json` made `data` from; `ValueError` when it is not one."""
    kind: Any = cls
    result: T = _decoder(kind)(data, cls.__name__)
    return result


Decoder = Callable[[Any, str], Any]


@cache
def _decoder(kind: Any) -> Decoder:
    """A function checking and rebuilding a value of type `kind` (made once per type)."""
    origin = typing.get_origin(kind)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return _record_decoder(kind)
    if origin is tuple:
        return _tuple_decoder(typing.get_args(kind))
    if origin is typing.Union or origin is types.UnionType:
        options = [_decoder(option) for option in typing.get_args(kind)]

        def union(data: Any, where: str) -> Any:
            for option in options:
                try:
                    return option(data, where)
                except ValueError:
                    continue
            raise ValueError(f"{where}: no type of {kind} fits")

        return union
    if origin is typing.Literal:
        allowed = typing.get_args(kind)

        def literal(data: Any, where: str) -> Any:
            if isinstance(data, bool) or data not in allowed:
                raise ValueError(f"{where}: {data!r} is not one of {allowed}")
            return data

        return literal
    if kind in _SCALARS:
        return _SCALARS[kind]
    raise TypeError(f"cannot decode {kind!r}")


def _record_decoder(cls: type) -> Decoder:
    hints = typing.get_type_hints(cls)
    names = tuple(f.name for f in dataclasses.fields(cls))
    size = len(names)
    # Resolved on first use (a record type may refer to itself). Plain and optional str/int/bool
    # fields are checked inline: records have many, and a call per field would dominate.
    plain: list[tuple[int, tuple[type, ...]]] = []
    nested: list[tuple[int, str, Decoder]] = []
    direct = not hasattr(cls, "__post_init__") and not hasattr(cls, "__slots__")

    def record(data: Any, where: str) -> Any:
        if type(data) is not list:
            raise ValueError(f"{where}: expected a list of {cls.__name__}'s fields")
        if len(data) != size:
            raise ValueError(f"{where}: {len(data)} fields, {cls.__name__} has {size}")
        if not plain and not nested:
            for at, name in enumerate(names):
                kinds, decode = _field(hints[name])
                if decode is None:
                    plain.append((at, kinds or ()))
                else:
                    nested.append((at, name, decode))
        for at, kinds in plain:
            if type(data[at]) not in kinds:
                raise ValueError(f"{where}.{names[at]}: expected {kinds}, not {type(data[at])}")
        values = dict(zip(names, data, strict=True))
        for at, name, decode in nested:
            values[name] = decode(data[at], where)
        if direct:
            # As pickle and copy do: every field was checked above, and a frozen dataclass's
            # __init__ (one object.__setattr__ per field) would cost more than all the checks.
            made: Any = object.__new__(cls)
            made.__dict__.update(values)
            return made
        return cls(**values)

    return record


def _field(kind: Any) -> tuple[tuple[type, ...], None] | tuple[None, Decoder]:
    """How to check one field: the exact types a plain scalar may have, or its decoder."""
    options = (
        typing.get_args(kind)
        if typing.get_origin(kind) in (typing.Union, types.UnionType)
        else (kind,)
    )
    if all(option in (str, int, bool, type(None)) for option in options):
        return tuple(options), None
    return None, _decoder(kind)


def _tuple_decoder(args: tuple[Any, ...]) -> Decoder:
    if len(args) == 2 and args[1] is Ellipsis:
        item = args[0]
        if item is str:

            def strings(data: Any, where: str) -> Any:
                if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
                    raise ValueError(f"{where}: expected a list of strings")
                return tuple(data)

            return strings
        decode_item = _decoder(item)

        def items(data: Any, where: str) -> Any:
            if not isinstance(data, list):
                raise ValueError(f"{where}: expected a list")
            return tuple([decode_item(x, where) for x in data])

        return items
    decoders = [_decoder(a) for a in args]

    def fixed(data: Any, where: str) -> Any:
        if not isinstance(data, list) or len(data) != len(decoders):
            raise ValueError(f"{where}: expected a list of {len(decoders)} items")
        return tuple(decode(x, where) for decode, x in zip(decoders, data, strict=True))

    return fixed


def _scalar(kind: type) -> Decoder:
    def scalar(data: Any, where: str) -> Any:
        if type(data) is not kind:
            raise ValueError(f"{where}: expected {kind.__name__}, not {type(data).__name__}")
        return data

    return scalar


def _none(data: Any, where: str) -> Any:
    if data is not None:
        raise ValueError(f"{where}: expected null")
    return None


def _float(data: Any, where: str) -> Any:
    if type(data) not in (int, float):
        raise ValueError(f"{where}: expected a number")
    return float(data)


_SCALARS: dict[Any, Decoder] = {
    str: _scalar(str),
    int: _scalar(int),
    bool: _scalar(bool),
    float: _float,
    type(None): _none,
}
