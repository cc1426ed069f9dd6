"""Writing a file so that a crash never leaves it half written."""

import os
import tempfile


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path, write):
    """Call ``write(f)`` on a temporary file beside ``path``, flush it to disk,
    and rename it over ``path``: a crash or kill at any moment leaves either
    the previous file or the new one, never a mixture. On an error the
    temporary file is removed and the error raised."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
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
