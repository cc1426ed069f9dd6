"""The IDX file format of MNIST: [`read_idx`][barenet.datasets.idx.read_idx] reads one file, plain
or gzip-compressed, checking its header against its size."""

import gzip
import math
import zlib

import numpy as np

from ._common import _check_file

IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
"""IDX data type codes (third byte of the magic number) and their big-endian dtypes."""


def _idx_header(data, path):
    """``(header size, shape, dtype)`` of the IDX header that starts ``data``;
    a ValueError naming ``path`` when it is malformed or cut short."""
    if len(data) < 4:
        raise ValueError(
            f"{path} is too short for an IDX file: {len(data)} bytes, but the magic "
            "number alone takes 4"
        )
    if data[0] or data[1]:
        raise ValueError(
            f"{path} is not an IDX file: its magic number starts with "
            f"0x{data[0]:02X}{data[1]:02X}, not 0x0000"
        )
    code, ndim = data[2], data[3]
    if code not in IDX_TYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_TYPES)
        raise ValueError(f"{path}: unknown IDX data type code 0x{code:02X} (known: {known})")
    if ndim == 0:
        raise ValueError(f"{path}: the IDX header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(
            f"{path} is truncated: its header declares {ndim} dimensions, which take "
            f"{header} bytes, but the file has {len(data)}"
        )
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    return header, shape, IDX_TYPES[code]


def _parse_idx(data, path, extra=0):
    """The array of an IDX file's bytes ``data``, followed in the file by
    ``extra`` more bytes that were counted but not kept."""
    header, shape, dtype = _idx_header(data, path)
    count = math.prod(shape)
    expected, found = count * dtype.itemsize, len(data) - header + extra
    if found < expected:
        raise ValueError(
            f"{path} is truncated: shape {shape} of {dtype.name} needs {expected} bytes "
            f"of data after the header, found {found}"
        )
    if found > expected:
        raise ValueError(
            f"{path} has {found - expected} bytes after the {expected} bytes of data "
            f"that its header (shape {shape} of {dtype.name}) declares"
        )
    array = np.frombuffer(data, dtype=dtype, count=count, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def read_idx(path):
    """Read an IDX file (the format of MNIST), plain or gzip-compressed.

    The magic number is two zero bytes, a data type code (``0x08`` ubyte,
    ``0x09`` byte, ``0x0B`` short, ``0x0C`` int, ``0x0D`` float, ``0x0E``
    double) and the number of dimensions; the dimensions follow as big-endian
    32-bit integers, then the data, big-endian, in C order. A file starting
    with the gzip magic bytes ``1f 8b`` is decompressed first.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    ndarray
        Of the declared shape and type, in native byte order (writable).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is truncated or malformed, naming the file and the fault.
    """
    path = _check_file(path)
    with open(path, "rb") as f:
        compressed = f.read(2) == b"\x1f\x8b"
    if not compressed:
        return _parse_idx(path.read_bytes(), path)
    try:
        with gzip.open(path, "rb") as f:
            data, extra = _read_idx_stream(f, path)
    except (OSError, EOFError, zlib.error) as err:
        raise ValueError(f"{path} is a damaged or truncated gzip file: {err}") from None
    return _parse_idx(data, path, extra)


def _read_idx_stream(f, path):
    """``(data, extra)``: the bytes of a decompressing stream up to the end
    of what its IDX header declares, and the count of the bytes after that.
    A small file that inflates without end (a "gzip bomb") is read to its
    end, to check it, but never held in memory."""
    data = f.read(4)
    if len(data) == 4:
        data += f.read(4 * data[3])
    _, shape, dtype = _idx_header(data, path)
    # in chunks: a header may declare far more than the stream holds
    need, parts = math.prod(shape) * dtype.itemsize, [data]
    while need > 0:
        chunk = f.read(min(need, 2**20))
        if not chunk:
            break
        parts.append(chunk)
        need -= len(chunk)
    extra = 0
    for chunk in iter(lambda: f.read(2**20), b""):
        extra += len(chunk)
    return b"".join(parts), extra
