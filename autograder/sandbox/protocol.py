"""Length-framed messages (JSON header plus optional .npz arrays) that never unpickle anything."""

from __future__ import annotations

import io
import json
import math
import os
import struct
import zipfile

import numpy as np

# printed before each probe of a group (autograder.probes.group), so that the grader can
# split the group's output by probe
PROBE_MARK = "\x1eautograder-probe "
MAGIC = b"AGFRAME1"
_PREFIX = struct.Struct(">8sQQ")  # magic, JSON length, npz length
PREFIX_SIZE = _PREFIX.size
MAX_JSON = 1 << 20
MAX_ARRAYS = 64 << 20
_MAX_NAME = 200

# Taken at import, before any submission code runs in a child, so that a submission
# monkeypatching json or numpy cannot change how the child writes its reply.
_dumps = json.dumps
_savez = np.savez
_ndarray = np.ndarray
_generic = np.generic
_BytesIO = io.BytesIO
_pack = _PREFIX.pack
_write = os.write


class ProtocolError(Exception):
    """A message is malformed, too large or cannot be represented on the wire."""


def _json_default(value: object) -> object:
    if isinstance(value, _generic):
        return value.item()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def encode(
    header: dict,
    arrays: dict[str, np.ndarray] | None = None,
    *,
    max_json: int = MAX_JSON,
    max_arrays: int = MAX_ARRAYS,
) -> bytes:
    """Return one frame holding `header` (JSON-able, numpy scalars allowed) and `arrays`."""
    if not isinstance(header, dict):
        raise ProtocolError(f"the header must be a dict, not {type(header).__name__}")
    try:
        body = _dumps(header, default=_json_default).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"the header is not JSON-serializable: {exc}") from None
    if len(body) > max_json:
        raise ProtocolError(f"the JSON header has {len(body)} bytes, more than {max_json}")
    blob = b""
    if arrays:
        for name, array in arrays.items():
            _check_name(name)
            if not isinstance(array, _ndarray):
                raise ProtocolError(f"array {name!r} is a {type(array).__name__}, not an ndarray")
            if array.dtype.hasobject:
                raise ProtocolError(f"array {name!r} has dtype {array.dtype}, which needs pickle")
        if sum(int(array.nbytes) for array in arrays.values()) > max_arrays:
            raise ProtocolError(f"the arrays hold more than {max_arrays} bytes")
        buffer = _BytesIO()
        _savez(buffer, **arrays)
        blob = buffer.getvalue()
        if len(blob) > max_arrays:
            raise ProtocolError(f"the arrays take {len(blob)} bytes, more than {max_arrays}")
    return _pack(MAGIC, len(body), len(blob)) + body + blob


def parse_prefix(
    prefix: bytes, *, max_json: int = MAX_JSON, max_arrays: int = MAX_ARRAYS
) -> tuple[int, int]:
    """Check the fixed-size start of a frame and return (JSON length, npz length)."""
    if len(prefix) < PREFIX_SIZE:
        raise ProtocolError(f"truncated frame: {len(prefix)} bytes, no complete prefix")
    magic, json_size, npz_size = _PREFIX.unpack_from(prefix)
    if magic != MAGIC:
        raise ProtocolError(f"bad magic {magic!r}")
    if json_size > max_json:
        raise ProtocolError(f"the JSON header announces {json_size} bytes, more than {max_json}")
    if npz_size > max_arrays:
        raise ProtocolError(f"the arrays announce {npz_size} bytes, more than {max_arrays}")
    return json_size, npz_size


def decode(
    frame: bytes, *, max_json: int = MAX_JSON, max_arrays: int = MAX_ARRAYS
) -> tuple[dict, dict[str, np.ndarray]]:
    """Parse exactly one complete frame; trailing bytes (say, a second frame) are an error."""
    json_size, npz_size = parse_prefix(frame, max_json=max_json, max_arrays=max_arrays)
    expected = PREFIX_SIZE + json_size + npz_size
    if len(frame) < expected:
        raise ProtocolError(f"truncated frame: {len(frame)} of {expected} bytes")
    if len(frame) > expected:
        raise ProtocolError(f"{len(frame) - expected} unexpected bytes after the frame")
    body = frame[PREFIX_SIZE : PREFIX_SIZE + json_size]
    return _decode_header(body), _decode_arrays(frame[PREFIX_SIZE + json_size :], max_arrays)


def _decode_header(body: bytes) -> dict:
    try:
        header = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise ProtocolError(f"the header is not valid JSON: {exc}") from None
    if not isinstance(header, dict):
        raise ProtocolError(f"the header is a JSON {type(header).__name__}, not an object")
    return header


def _check_name(name: object) -> None:
    if not isinstance(name, str) or not 0 < len(name) <= _MAX_NAME or "/" in name or "\0" in name:
        raise ProtocolError(f"bad array name {name!r}")


def _decode_arrays(blob: bytes, max_arrays: int) -> dict[str, np.ndarray]:
    if not blob:
        return {}
    arrays: dict[str, np.ndarray] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > max_arrays:
                raise ProtocolError(f"the arrays unpack to more than {max_arrays} bytes")
            for member in members:
                name = member.filename.removesuffix(".npy")
                _check_name(name)
                if not member.filename.endswith(".npy") or name in arrays:
                    raise ProtocolError(f"unexpected member {member.filename!r} in the arrays")
                arrays[name] = _load_npy(archive.read(member), name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise ProtocolError(f"the arrays are not a valid .npz: {exc}") from None
    return arrays


def _load_npy(raw: bytes, name: str) -> np.ndarray:
    stream = io.BytesIO(raw)
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise ProtocolError(f"array {name!r} uses .npy version {version}")
    if dtype.hasobject:
        raise ProtocolError(f"array {name!r} has dtype {dtype}, which needs pickle")
    # Check the announced size against the bytes present before numpy allocates it.
    if math.prod(shape) * dtype.itemsize != len(raw) - stream.tell():
        raise ProtocolError(f"array {name!r}: shape {shape} does not match its data")
    stream.seek(0)
    return np.lib.format.read_array(stream, allow_pickle=False)


def write_message(
    fd: int,
    header: dict,
    arrays: dict[str, np.ndarray] | None = None,
    *,
    max_json: int = MAX_JSON,
    max_arrays: int = MAX_ARRAYS,
) -> None:
    """Encode one frame and write all of it to the file descriptor `fd`."""
    write_all(fd, encode(header, arrays, max_json=max_json, max_arrays=max_arrays))


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of `data` to `fd` (blocking)."""
    view = memoryview(data)
    while view:
        view = view[_write(fd, view) :]


def _read_exactly(fd: int, size: int) -> bytes:
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_message(
    fd: int, *, max_json: int = MAX_JSON, max_arrays: int = MAX_ARRAYS
) -> tuple[dict, dict[str, np.ndarray]]:
    """Read one frame from `fd`; raise EOFError at a clean end of stream before a frame."""
    prefix = _read_exactly(fd, PREFIX_SIZE)
    if not prefix:
        raise EOFError("end of stream")
    json_size, npz_size = parse_prefix(prefix, max_json=max_json, max_arrays=max_arrays)
    rest = _read_exactly(fd, json_size + npz_size)
    return decode(prefix + rest, max_json=max_json, max_arrays=max_arrays)
