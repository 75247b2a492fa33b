"""The subset of CBOR (RFC 8949) that Pagefind's index files use: definite-length integers,
strings, arrays and maps. glossator.search reads Pagefind's meta and filter files with it to
check the bundle, and writes filter files back in a stable order.

Encoding uses the shortest head for every length and integer, as Pagefind's writer does, so
encode(decode(data)) == data for the files Pagefind writes.
"""

from __future__ import annotations

Value = int | str | bytes | bool | None | list["Value"] | dict["Value", "Value"]

_SIMPLE = {20: False, 21: True, 22: None}


def decode(data: bytes) -> Value:
    value, end = _item(data, 0)
    if end != len(data):
        raise ValueError(f"{len(data) - end} bytes after the data")
    return value


def encode(value: Value) -> bytes:
    if value is None or isinstance(value, bool):
        return {False: b"\xf4", True: b"\xf5", None: b"\xf6"}[value]
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return head(3, len(raw)) + raw
    if isinstance(value, list):
        return head(4, len(value)) + b"".join(encode(item) for item in value)
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(encode(k) + encode(v) for k, v in value.items())
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


def head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes([major << 5 | argument])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | extra]) + argument.to_bytes(size, "big")
    raise ValueError(f"{argument} does not fit in 64 bits")


def _item(data: bytes, at: int) -> tuple[Value, int]:
    if at >= len(data):
        raise ValueError("ends inside an item")
    major, minor = data[at] >> 5, data[at] & 0x1F
    at += 1
    if major == 7:
        if minor in _SIMPLE:
            return _SIMPLE[minor], at
        raise ValueError(f"unsupported simple value {minor}")
    if minor < 24:
        argument = minor
    elif minor <= 27:
        size = 1 << (minor - 24)
        if at + size > len(data):
            raise ValueError("ends inside a length")
        argument = int.from_bytes(data[at:at + size], "big")
        at += size
    else:
        raise ValueError("indefinite lengths are not used by Pagefind")
    if major == 0:
        return argument, at
    if major == 1:
        return -1 - argument, at
    if major in (2, 3):
        if at + argument > len(data):
            raise ValueError("ends inside a string")
        raw = data[at:at + argument]
        return (raw if major == 2 else raw.decode("utf-8")), at + argument
    if major == 4:
        items: list[Value] = []
        for _ in range(argument):
            item, at = _item(data, at)
            items.append(item)
        return items, at
    if major == 6:
        raise ValueError("tags are not used by Pagefind")
    mapping: dict[Value, Value] = {}
    for _ in range(argument):
        key, at = _item(data, at)
        if isinstance(key, list | dict):
            raise ValueError("a map key that is an array or a map")
        mapping[key], at = _item(data, at)
    return mapping, at
