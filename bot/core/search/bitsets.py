"""Sets of sentences or words as the bits of Python ints: union, intersection and counting run in C."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Sequence
from itertools import compress, repeat


def count_at_least(bitsets: Sequence[int], needed: int) -> int:
    """Bits set in at least `needed` of the bitsets (a bit-sliced counter over Python ints)."""
    planes: list[int] = []
    for bits in bitsets:
        carry = bits
        for level, plane in enumerate(planes):
            planes[level], carry = plane ^ carry, plane & carry
            if not carry:
                break
        if carry:
            planes.append(carry)
    if needed >= 1 << len(planes):
        return 0
    above = 0
    equal = -1  # all ones
    for level in range(len(planes) - 1, -1, -1):
        plane = planes[level]
        if needed >> level & 1:
            equal &= plane
        else:
            above |= equal & plane
            equal &= ~plane
    return above | equal


_BIT_BYTES = bytes.maketrans(b"01", b"\x00\x01")


def select(items: Sequence[str], bits: int) -> list[str]:
    """The items whose bit is set (bit i stands for items[i])."""
    if bits.bit_count() < 64:  # few: jump from set bit to set bit
        chosen = []
        while bits:
            lowest = bits & -bits
            chosen.append(items[lowest.bit_length() - 1])
            bits ^= lowest
        return chosen
    # many: one pass in C over a string of 0/1 bytes
    flags = format(bits, "b").zfill(len(items))[::-1].encode().translate(_BIT_BYTES)
    return list(compress(items, flags))


_SINK: deque[object] = deque(maxlen=0)


def exhaust(calls: Iterable[object]) -> None:
    """Run an iterator to its end, in C: the work is in the calls it makes."""
    _SINK.extend(calls)


def bitset(positions: Sequence[int], size: int) -> int:
    """The positions (below `size`) as the set bits of an int: bit i for position i."""
    if len(positions) < 16:  # very few: cheaper than clearing a buffer of the whole size
        bits = 0
        for position in positions:
            bits |= 1 << position
        return bits
    if len(positions) < max(2048, size >> 5):  # few: set bits in a byte buffer, one eighth of the size
        buffer = bytearray((size >> 3) + 1)
        for position in positions:
            buffer[position >> 3] |= 1 << (position & 7)
        return int.from_bytes(buffer, "little")
    # many: a byte per position, set in C, read as a binary numeral
    digits = bytearray(b"0") * size
    exhaust(map(digits.__setitem__, positions, repeat(ord("1"))))
    digits.reverse()
    return int(digits, 2)


_SET_BITS = [tuple(bit for bit in range(8) if value >> bit & 1) for value in range(256)]
_NONZERO_BYTE = re.compile(rb"[^\x00]")


def lowest_bits(bits: int, limit: int) -> list[int]:
    """The positions of the `limit` lowest set bits, in ascending order."""
    found: list[int] = []
    if limit <= 0:
        return found
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    for match in _NONZERO_BYTE.finditer(data):  # the scan for set bytes runs in C
        start = match.start()
        found.extend(start * 8 + bit for bit in _SET_BITS[data[start]])
        if len(found) >= limit:
            break
    return found[:limit]
