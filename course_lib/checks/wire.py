"""Plain-data encoding of values and outcomes: for the sandbox pipe (JSON plus arrays as ``.npy``
blobs) and for the JSON fixtures. Decoding never unpickles or imports anything.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .runner import ErrorInfo, Outcome, builtin_exception


MAX_DEPTH = 8
MAX_ITEMS = 100_000


class WireError(ValueError):
    """A value that cannot be decoded safely."""


def encode_value(value, blobs: list | None, depth: int = 0, ref: Callable | None = None):
    """Encode ``value`` as JSON-able data. Arrays go to ``blobs`` (npy bytes) or, if ``blobs`` is
    None, inline as lists. Unknown types become an ``unsupported`` marker with the type's name, or
    ``ref(value)`` (a reference to an object kept where it is, see :mod:`.replay`) if given."""
    if depth > MAX_DEPTH:
        return {"t": "unsupported", "type": "nesting too deep"}
    if value is None:
        return {"t": "none"}
    if isinstance(value, (bool, np.bool_)):
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return {"t": "int", "v": int(value), "np": isinstance(value, np.integer)}
    if isinstance(value, (float, np.floating)):
        return {"t": "float", "v": _float_to_json(float(value)), "np": isinstance(value, np.floating),
                "dtype": str(np.asarray(value).dtype)}
    if isinstance(value, str):
        return {"t": "str", "v": value[:10_000]}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf" or value.size > 50_000_000:
            if ref is not None:
                return ref(value)
            return {"t": "unsupported", "type": f"ndarray of dtype {value.dtype}"}
        if blobs is None:
            flat = [_float_to_json(float(v)) if value.dtype.kind == "f" else v.item()
                    for v in value.ravel()]
            return {"t": "nd", "dtype": value.dtype.str, "shape": list(value.shape), "data": flat}
        buf = io.BytesIO()
        np.save(buf, value, allow_pickle=False)
        blobs.append(buf.getvalue())
        return {"t": "nd", "i": len(blobs) - 1}
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_ITEMS:
            return {"t": "unsupported", "type": f"{type(value).__name__} of {len(value)} items"}
        return {"t": "list" if isinstance(value, list) else "tuple",
                "v": [encode_value(v, blobs, depth + 1, ref) for v in value]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"t": "dict", "v": {k: encode_value(v, blobs, depth + 1, ref) for k, v in value.items()}}
    if ref is not None:
        return ref(value)
    return {"t": "unsupported", "type": type(value).__name__}


def decode_value(obj, blobs: list | None, depth: int = 0, ref: Callable | None = None):
    """Inverse of :func:`encode_value`; raises :class:`WireError` on anything malformed. Arrays are
    read with ``allow_pickle=False``; nothing is ever unpickled or imported. A ``ref`` marker
    becomes ``ref(marker)`` (a :class:`WireError` without ``ref``)."""
    if depth > MAX_DEPTH + 1 or not isinstance(obj, dict) or not isinstance(obj.get("t"), str):
        raise WireError("malformed value")
    t = obj["t"]
    if t == "none":
        return None
    if t == "bool":
        return bool(obj["v"])
    if t == "int":
        v = obj["v"]
        if not isinstance(v, int):
            raise WireError("malformed int")
        return np.int64(v) if obj.get("np") and abs(v) < 2**63 else v
    if t == "float":
        v = _float_from_json(obj["v"])
        if obj.get("np"):
            dtype = np.dtype(obj.get("dtype", "float64"))
            if dtype.kind != "f":
                raise WireError("malformed float dtype")
            return dtype.type(v)
        return v
    if t == "str":
        if not isinstance(obj["v"], str):
            raise WireError("malformed str")
        return obj["v"]
    if t == "nd":
        if "i" in obj:
            if blobs is None or not isinstance(obj["i"], int) or not 0 <= obj["i"] < len(blobs):
                raise WireError("array blob missing")
            try:
                arr = np.load(io.BytesIO(blobs[obj["i"]]), allow_pickle=False)
            except Exception as exc:  # noqa: BLE001
                raise WireError(f"bad array blob: {exc}") from None
        else:
            dtype = np.dtype(obj["dtype"])
            data = obj["data"]
            if dtype.kind == "f":
                data = [_float_from_json(v) for v in data]
            arr = np.array(data, dtype=dtype).reshape(obj["shape"])
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "biuf":
            raise WireError("array of a forbidden dtype")
        return arr
    if t in ("list", "tuple"):
        items = obj["v"]
        if not isinstance(items, list) or len(items) > MAX_ITEMS:
            raise WireError("malformed sequence")
        seq = [decode_value(v, blobs, depth + 1, ref) for v in items]
        return seq if t == "list" else tuple(seq)
    if t == "dict":
        if not isinstance(obj["v"], dict):
            raise WireError("malformed dict")
        return {str(k): decode_value(v, blobs, depth + 1, ref) for k, v in obj["v"].items()}
    if t == "unsupported":
        return Unsupported(str(obj.get("type", "?"))[:200])
    if t == "ref" and ref is not None:
        return ref(obj)
    raise WireError(f"unknown value tag {t!r}")


@dataclass(frozen=True)
class Unsupported:
    """Stands for a returned value of a type that cannot travel as plain data."""

    type: str

    def __repr__(self):
        return f"<unsupported {self.type}>"


def _float_to_json(v: float):
    if math.isfinite(v):
        return v
    return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")


def _float_from_json(v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    if v in ("nan", "inf", "-inf"):
        return float(v)
    raise WireError("malformed float")


def encode_outcome(outcome: Outcome, *, inline: bool = False):
    """Encode an :class:`Outcome` as ``(header, blobs)`` (``blobs`` is None when ``inline``)."""
    blobs = None if inline else []
    header: dict = {"outputs": None, "error": None}
    if outcome.error is not None:
        e = outcome.error
        header["error"] = {"type": e.type, "builtin": e.builtin, "message": e.message, "where": e.where}
    if outcome.outputs is not None:
        header["outputs"] = {str(k): encode_value(v, blobs) for k, v in outcome.outputs.items()}
    return header, blobs


def decode_outcome(header, blobs=None) -> Outcome:
    """Inverse of :func:`encode_outcome`; validates everything (raises :class:`WireError`)."""
    if not isinstance(header, dict):
        raise WireError("malformed outcome")
    err = header.get("error")
    error = None
    if err is not None:
        if not isinstance(err, dict) or not isinstance(err.get("type"), str):
            raise WireError("malformed error")
        builtin = err.get("builtin", "")
        if "builtin" not in err and isinstance(err.get("mro"), list):  # fixtures built before
            builtin = next((m for m in err["mro"] if builtin_exception(m) is not None), "")
        if not isinstance(builtin, str) or (builtin and builtin_exception(builtin) is None):
            raise WireError("malformed error class")
        error = ErrorInfo(type=err["type"][:200], builtin=builtin,
                          message=str(err.get("message", ""))[:2000], where=str(err.get("where", ""))[:500])
    outs = header.get("outputs")
    outputs = None
    if outs is not None:
        if not isinstance(outs, dict):
            raise WireError("malformed outputs")
        outputs = {str(k)[:200]: decode_value(v, blobs) for k, v in outs.items()}
    return Outcome(outputs=outputs, error=error)
