"""Records to JSON and back, checked field by field: a data-only format for caches (never pickle).

`to_json` turns a frozen record (`records.py`) into plain lists, dicts, strings, numbers and
booleans; `from_json` rebuilds it from its type hints and raises `ValueError` for anything that does
not fit (a missing or unknown field, a wrong type, a value outside a `Literal`), so a corrupt or
foreign cache entry is rejected rather than trusted.
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
        return {name: to_json(getattr(value, name)) for name in names}
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    if isinstance(value, str | int | float):
        return value
    raise TypeError(f"cannot encode {kind.__name__} as JSON")


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
    names = frozenset(f.name for f in dataclasses.fields(cls))
    # Resolved on first use (a record type may refer to itself). Plain and optional str/int/bool
    # fields are checked inline: records have many, and a call per field would dominate.
    plain: list[tuple[str, tuple[type, ...]]] = []
    nested: list[tuple[str, Decoder]] = []
    direct = not hasattr(cls, "__post_init__") and not hasattr(cls, "__slots__")

    def record(data: Any, where: str) -> Any:
        if not isinstance(data, dict):
            raise ValueError(f"{where}: expected an object")
        if data.keys() != names:
            raise ValueError(f"{where}: fields {sorted(set(data) ^ names)} differ")
        if not plain and not nested:
            for name in sorted(names):
                kinds, decode = _field(hints[name])
                if decode is None:
                    plain.append((name, kinds or ()))
                else:
                    nested.append((name, decode))
        for name, kinds in plain:
            if type(data[name]) not in kinds:
                raise ValueError(f"{where}.{name}: expected {kinds}, not {type(data[name])}")
        values = dict(data)
        for name, decode in nested:
            values[name] = decode(values[name], where)
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
