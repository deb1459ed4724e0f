"""A minimal perfect hash over the app's static paths, chosen at build time.

Lookup (mirrored by ``fasterapi::router::lookup``)::

    h      = path_hash(path_bytes, seed)
    bucket = ((h >> 32) * len(displacements)) >> 32
    slot   = ((h ^ displacements[bucket]) * SLOT_MULTIPLIER mod 2**64) >> (64 - log2(len(slots)))

then one string compare with the key stored in that slot. The builder
("hash and displace") places buckets largest first, trying displacements
until every key of a bucket lands in a free slot, and verifies that the
result is collision-free; if a seed gives two keys the same 64-bit hash, or
no displacement fits, it moves on to the next seed. Every step is
deterministic, so the same paths always give the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass

_M = (1 << 64) - 1
_WORD = 0xBF58476D1CE4E5B9
_LENGTH = 0x9E3779B97F4A7C15
MAX_DISPLACEMENT = 1 << 20
MAX_SEEDS = 256
KEYS_PER_BUCKET = 4
SLOT_MULTIPLIER = 0x9E3779B97F4A7C15


def mix(h: int) -> int:
    """The 64-bit finaliser of MurmurHash3: ``mix(1)`` -> ``0xB456BCFC34C2CB2C``."""
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & _M
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & _M
    h ^= h >> 33
    return h


def path_hash(data: bytes, seed: int) -> int:
    """The seed, 8-byte little-endian words (the last zero-padded) and the length, mixed."""
    h = seed ^ ((len(data) * _LENGTH) & _M)
    for i in range(0, len(data), 8):
        w = int.from_bytes(data[i:i + 8], "little")
        h = ((h ^ w) * _WORD) & _M
        h ^= h >> 31
    return mix(h)


@dataclass(frozen=True)
class PerfectHash:
    seed: int
    displacements: tuple[int, ...]
    slots: tuple[int | None, ...]  # key index per slot, None when empty

    @property
    def slot_shift(self) -> int:
        return 64 - (len(self.slots).bit_length() - 1)

    def slot_of(self, data: bytes) -> int:
        h = path_hash(data, self.seed)
        return slot(h, self.displacements[bucket(h, len(self.displacements))], self.slot_shift)


def bucket(h: int, bucket_count: int) -> int:
    """Range reduction by multiplication (no division): the high half of h times the count."""
    return ((h >> 32) * bucket_count) >> 32


def slot(h: int, displacement: int, shift: int) -> int:
    return (((h ^ displacement) * SLOT_MULTIPLIER) & _M) >> shift


def _seeds():
    for k in range(MAX_SEEDS):
        yield mix((0x243F6A8885A308D3 + k * 0x9E3779B97F4A7C15) & _M)


def build(keys: list[bytes]) -> PerfectHash:
    """Distinct keys -> a collision-free table; ``build([b"/a", b"/b"])`` has 4 slots, one per key or empty."""
    if len(set(keys)) != len(keys):
        raise ValueError("perfect hash keys must be distinct")
    n = len(keys)
    size = 4
    while size * 4 < n * 5:  # load factor at most 0.8
        size *= 2
    bucket_count = max(1, -(-n // KEYS_PER_BUCKET))
    for seed in _seeds():
        hashes = [path_hash(k, seed) for k in keys]
        if len(set(hashes)) != n:
            continue
        placed = _place(hashes, bucket_count, size)
        if placed is None:
            continue
        table = PerfectHash(seed, *placed)
        if all(table.slots[table.slot_of(k)] == i for i, k in enumerate(keys)):
            return table
    raise ValueError(f"no perfect hash found for {n} static paths")


def _place(hashes: list[int], bucket_count: int, size: int) -> tuple[tuple[int, ...], tuple[int | None, ...]] | None:
    """Displacements and slots for these hashes, or None when some bucket fits nowhere."""
    shift = 64 - (size.bit_length() - 1)
    buckets: list[list[int]] = [[] for _ in range(bucket_count)]
    for i, h in enumerate(hashes):
        buckets[bucket(h, bucket_count)].append(i)
    slots: list[int | None] = [None] * size
    displacements = [0] * bucket_count
    for b in sorted(range(bucket_count), key=lambda b: (-len(buckets[b]), b)):
        members = buckets[b]
        if not members:
            continue
        for d in range(MAX_DISPLACEMENT):
            wanted = [slot(hashes[i], d, shift) for i in members]
            if len(set(wanted)) == len(wanted) and all(slots[s] is None for s in wanted):
                for i, s in zip(members, wanted):
                    slots[s] = i
                displacements[b] = d
                break
        else:
            return None
    return tuple(displacements), tuple(slots)
