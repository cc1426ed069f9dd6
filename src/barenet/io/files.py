"""Files: writing so that a crash never leaves a file half written, and
reading ``.npz`` archives without trusting them."""

import math
import os
import tempfile
import tokenize
import zipfile
import zlib

import numpy as np


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_path(path, name="path"):
    """``path`` as a string, if it is a file path (str or os.PathLike)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a file path, got {path!r}")
    return os.fspath(path)


def write_atomically(path, write):
    """Call ``write(f)`` on a temporary file beside ``path``, flush it to disk,
    and rename it over ``path``: a crash or kill at any moment leaves either
    the previous file or the new one, never a mixture. On an error the
    temporary file is removed and the error raised."""
    path = check_path(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot write {path}: there is no directory {directory}")
    if os.path.isdir(path):
        raise ValueError(f"cannot write {path}: it is a directory")
    fd, tmp = tempfile.mkstemp(prefix=".barenet-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; give it the usual mode
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_named_atomically(path, write, suffix=".tmp"):
    """Call ``write(name)`` with the name of a new temporary file beside
    ``path`` (ending in ``suffix``, for writers that choose their format by
    it), then rename it over ``path``: for writers that take a file name, not
    a file. An error midway removes the temporary file and leaves any
    previous ``path`` whole."""
    path = check_path(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot write {path}: there is no directory {directory}")
    fd, tmp = tempfile.mkstemp(prefix=".barenet-", suffix=suffix, dir=directory)
    os.close(fd)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; give it the usual mode
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_npz(path):
    """The arrays of the ``.npz`` archive at ``path``, as a dict.

    Stricter than ``numpy.load``: every member must be a ``.npy`` array whose
    header agrees with the member's size (so a damaged header cannot make us
    allocate what the file does not hold), and arrays of Python objects --
    which would need pickle -- are refused. Anything wrong raises
    ``ValueError`` naming the file; a missing file ``FileNotFoundError``.
    """
    path = check_path(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no file at {path}")
    try:
        with zipfile.ZipFile(path) as archive:
            return {_array_name(info, path): _read_member(archive, info, path)
                    for info in archive.infolist()}
    except ValueError:
        raise
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError,
            RuntimeError, SyntaxError, tokenize.TokenError, OverflowError, MemoryError,
            TypeError, KeyError, RecursionError) as exc:
        raise ValueError(f"{path} is not a readable .npz archive ({type(exc).__name__}: {exc})") \
            from None


def _array_name(info, path):
    if not info.filename.endswith(".npy"):
        raise ValueError(f"{path}: its member {info.filename!r} is not a .npy array")
    return info.filename[:-4]


def _read_member(archive, info, path):
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            raise ValueError(f"{path}: array {info.filename!r} has .npy version {version}")
        if dtype.hasobject:
            raise ValueError(
                f"{path}: array {info.filename!r} holds Python objects, which would need "
                "pickle to load; refused"
            )
        count = math.prod(shape)
        size = count * dtype.itemsize
        if member.tell() + size != info.file_size:
            raise ValueError(
                f"{path}: array {info.filename!r} is damaged: its header announces "
                f"{size} bytes of data, the archive holds {info.file_size - member.tell()}"
            )
        data = bytearray(member.read(size))
    return np.frombuffer(data, dtype=dtype, count=count).reshape(shape, order="F" if fortran else "C")
