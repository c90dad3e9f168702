"""Length-prefixed framing of the grader <-> sandbox worker pipe.

A message is ``header`` (a JSON object) plus ``blobs`` (raw bytes: ``.npy`` files). On the wire:

    8 bytes  big-endian length of the JSON header
    header   UTF-8 JSON, with "blob_sizes": [n0, n1, ...]
    blobs    the blobs, back to back

The same module is used on both sides (the worker imports it from a read-only bind); the grader
side reads with a deadline and caps every size, so a misbehaving worker can neither hang nor
flood the grader. Nothing here unpickles or imports anything.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time

MAX_HEADER = 8 * 1024 * 1024
MAX_TOTAL = 256 * 1024 * 1024
_LEN = struct.Struct(">Q")


class ProtocolError(RuntimeError):
    """The peer sent something that is not a valid message (or nothing, or too much)."""


class Timeout(ProtocolError):
    """No complete message before the deadline."""


class Closed(ProtocolError):
    """The peer closed its end (it exited or crashed)."""


def encode(header: dict, blobs=()) -> bytes:
    blobs = [bytes(b) for b in blobs]
    head = dict(header)
    head["blob_sizes"] = [len(b) for b in blobs]
    raw = json.dumps(head, allow_nan=False, separators=(",", ":")).encode()
    return b"".join([_LEN.pack(len(raw)), raw, *blobs])


def write_message(fd: int, header: dict, blobs=()) -> None:
    data = memoryview(encode(header, blobs))
    while data:
        n = os.write(fd, data)
        data = data[n:]


class Reader:
    """Reads messages from a pipe fd, with a deadline and size caps (grader side)."""

    def __init__(self, fd: int, max_total: int = MAX_TOTAL):
        self.fd = fd
        self.max_total = max_total
        self.buf = bytearray()

    def _fill(self, n: int, deadline: float | None) -> None:
        while len(self.buf) < n:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Timeout("no reply before the deadline")
                r, _, _ = select.select([self.fd], [], [], left)
                if not r:
                    raise Timeout("no reply before the deadline")
            chunk = os.read(self.fd, max(n - len(self.buf), 65536))
            if not chunk:
                raise Closed("the worker closed the pipe")
            self.buf += chunk

    def _take(self, n: int) -> bytes:
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read(self, deadline: float | None = None) -> tuple[dict, list[bytes]]:
        self._fill(_LEN.size, deadline)
        (hlen,) = _LEN.unpack(self._take(_LEN.size))
        if hlen > MAX_HEADER:
            raise ProtocolError(f"header of {hlen} bytes is larger than the cap {MAX_HEADER}")
        self._fill(hlen, deadline)
        try:
            header = json.loads(self._take(hlen).decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ProtocolError(f"malformed header: {exc}") from None
        if not isinstance(header, dict):
            raise ProtocolError("header is not a JSON object")
        sizes = header.pop("blob_sizes", [])
        if (
            not isinstance(sizes, list)
            or len(sizes) > 100_000
            or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in sizes)
        ):
            raise ProtocolError("malformed blob sizes")
        if sum(sizes) > self.max_total:
            raise ProtocolError(
                f"reply of {sum(sizes)} bytes is larger than the cap {self.max_total}"
            )
        blobs = []
        for s in sizes:
            self._fill(s, deadline)
            blobs.append(self._take(s))
        return header, blobs


def read_message_blocking(fd: int) -> tuple[dict, list[bytes]]:
    """Worker side: block until one message arrives."""
    return Reader(fd).read(None)
