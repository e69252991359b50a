"""The one array serializer of the widgets: NumPy arrays travel as binary buffers.

A synced array trait is tagged with ``**ARRAY`` (``to_json`` / ``from_json``
below). On the wire an array is ``{"shape": [...], "dtype": "uint8" | "float32",
"buffer": <bytes>}``; ipywidgets lifts the ``memoryview`` out of the JSON and
sends it as a binary frame, which the browser receives as a ``DataView``.
Nothing becomes a JSON list of numbers.

Examples
--------
>>> import numpy as np
>>> wire = array_to_json(np.eye(2, dtype=np.float32))
>>> wire["shape"], wire["dtype"], wire["buffer"].nbytes
([2, 2], 'float32', 16)
>>> array_from_json(wire).tolist()
[[1.0, 0.0], [0.0, 1.0]]
"""

from __future__ import annotations

import json

import numpy as np

__all__ = ["ARRAY", "array_from_json", "array_to_json", "payload_nbytes", "wire_array"]

_DTYPES = {"uint8": np.dtype("u1"), "float32": np.dtype("<f4")}


def wire_array(arr) -> np.ndarray:
    """The C-contiguous little-endian uint8 or float32 copy of ``arr`` that is sent.

    uint8 and bool become uint8; every other dtype becomes float32.
    """
    arr = np.asarray(arr)
    dtype = _DTYPES["uint8"] if arr.dtype in (np.uint8, np.bool_) else _DTYPES["float32"]
    return np.ascontiguousarray(arr, dtype=dtype)


def array_to_json(arr, widget=None):
    """Serialize an array (or ``None``) for the front end; the data stays binary."""
    if arr is None:
        return None
    arr = wire_array(arr)
    return {"shape": list(arr.shape), "dtype": arr.dtype.name, "buffer": memoryview(arr.reshape(-1))}


def array_from_json(value, widget=None):
    """Inverse of :func:`array_to_json` (accepts bytes, bytearray or memoryview buffers)."""
    if value is None:
        return None
    dtype = _DTYPES[value["dtype"]]
    return np.frombuffer(bytes(value["buffer"]), dtype=dtype).reshape(value["shape"]).copy()


#: tag keyword arguments for a synced array trait: ``Any().tag(sync=True, **ARRAY)``
ARRAY = {"to_json": array_to_json, "from_json": array_from_json}


def payload_nbytes(widget, exclude=("_esm", "_css")) -> tuple[int, int]:
    """Bytes a widget's state takes on the wire: ``(json_bytes, buffer_bytes)``.

    The widget code (``_esm``, ``_css``) is left out by default: it is the same
    for every widget and is not data.
    """
    from ipywidgets.widgets.widget import _remove_buffers

    state = {k: val for k, val in widget.get_state().items() if k not in exclude}
    state, _paths, buffers = _remove_buffers(state)
    json_bytes = len(json.dumps(state, separators=(",", ":")).encode())
    return json_bytes, sum(memoryview(b).nbytes for b in buffers)
