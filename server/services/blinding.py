"""What a worker sees of an item's place and name, so that a gold item reads like any other.

Stored, a gold item stands out: a gold manifest's items come after the dataset (positions
N..N+G-1, ids above every data item's), and data items are claimed in id order while gold
ones are picked at random, so even a gold line of the input manifest would show up out of
sequence. A worker's view of an item therefore carries neither: its ``position`` is the
item's place in a shuffle of all the job's positions (0..N+G-1, data and gold alike), and
its ``id`` an opaque name. Both are keyed with the server's secret and the job, so they
stay the same for the same item (a released item comes back under its number) and tell
nothing to anyone without the key.

The shuffle is a balanced Feistel network with HMAC-SHA256 rounds over the smallest
even-bit domain that holds the positions, walked back into range (Black and Rogaway's
cycle walking): a permutation computed per item in microseconds, with nothing stored.
"""

from __future__ import annotations

import base64
import hmac

#: Feistel rounds: 4 make a pseudorandom permutation (Luby and Rackoff); small domains
#: want more.
_ROUNDS = 8


def job_key(secret: bytes, job_id: int) -> bytes:
    """The key of one job's worker view, derived from the server's secret."""
    return hmac.digest(secret, f"quorum.worker-view.job:{job_id}".encode(), "sha256")


def shown_position(key: bytes, position: int, count: int) -> int:
    """Where ``position`` lands in the job's keyed shuffle of ``range(count)``."""
    if not 0 <= position < count:
        raise ValueError(f"position {position} is outside 0..{count - 1}")
    bits = max(2, (count - 1).bit_length())
    half = (bits + 1) // 2
    mask = (1 << half) - 1
    value = position
    while True:
        left, right = value >> half, value & mask
        for number in range(_ROUNDS):
            digest = hmac.digest(key, f"{number}:{right}".encode(), "sha256")
            left, right = right, left ^ (int.from_bytes(digest[:8], "big") & mask)
        value = (left << half) | right
        if value < count:
            return value


def shown_id(key: bytes, item_id: int) -> str:
    """The item's opaque name for workers: 16 base32 characters."""
    digest = hmac.digest(key, f"item:{item_id}".encode(), "sha256")
    return base64.b32encode(digest[:10]).decode("ascii").lower()
