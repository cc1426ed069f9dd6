"""What the commands share: their errors, the data they read, the files they
write, and a standard output that a closed pipe cannot break."""

import os
import signal
import sys
import tempfile

import numpy as np

from .. import datasets

# Exit statuses (also listed in ``barenet --help``).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

MNIST_NAMES = tuple(datasets.MNIST)


class UsageError(Exception):
    """A bad value on the command line: one line on stderr, exit status 2."""


# --------------------------------------------------------------- standard output

class Console:
    """Prints results to standard output; once the reader has gone (``barenet
    train | head -1``), the rest is dropped instead of ending the command, so
    the work goes on and its files are still written."""

    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stdout
        self.closed = False

    def print(self, *parts):
        if self.closed:
            return
        try:
            print(*parts, file=self.stream, flush=True)
        except BrokenPipeError:
            self.closed = True
            self._silence()

    def write(self, text):
        if not self.closed:
            try:
                self.stream.write(text)
                self.stream.flush()
            except BrokenPipeError:
                self.closed = True
                self._silence()

    def _silence(self):
        # Python flushes stdout once more at exit; point it at /dev/null so
        # that this last flush finds no closed pipe either.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass


# ------------------------------------------------------------------- data

def label_column(text):
    """``--label``: a 0-based column index (negative counts from the end) or a
    header name; None when not given."""
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return text


def is_csv(spec):
    """Whether ``spec`` names a CSV file."""
    return str(spec).lower().endswith(".csv")


def check_data_options(args):
    """Options that only some data take, refused before any work."""
    label = getattr(args, "label", None)
    if label is not None and not is_csv(args.data):
        raise UsageError(f"--label names a column of a CSV file; {args.data} is not one")
    data_dir = getattr(args, "data_dir", None)
    if data_dir is not None:
        if args.data not in MNIST_NAMES:
            raise UsageError(f"--data-dir is for --data {' or '.join(MNIST_NAMES)}, "
                             f"not {args.data}")
        if not os.path.isdir(data_dir):
            raise UsageError(f"--data-dir {data_dir} is not a directory")


def _label_error(exc):
    """A loader's complaint about ``label_column``, in the command line's words:
    a bad ``--label`` is a usage error; a hint to use it stays a data error."""
    message = str(exc)
    if message.startswith("label_column"):
        return UsageError(message.replace("label_column=", "--label ").replace(
            "label_column", "--label", 1))
    if "name it with label_column=" in message:
        message = message.replace(" (--label on the command line)", "")
        return ValueError(message.replace("name it with label_column=", "name it with --label "))
    return exc


def load_data(args, **kwargs):
    """The data set of ``--data`` (with ``--label``, ``--data-dir``, ``--seed``)."""
    check_data_options(args)
    if getattr(args, "label", None) is not None:
        kwargs["label_column"] = label_column(args.label)
    if getattr(args, "data_dir", None) is not None:
        kwargs["path"] = args.data_dir
    try:
        return datasets.load(args.data, seed=args.seed, **kwargs)
    except ValueError as exc:
        raise _label_error(exc) from None


def read_table(path, label=None):
    """A CSV file as a [`barenet.datasets.Table`][barenet.datasets.Table]; ``label`` as
    ``--label`` gave it."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"no data file at {path}")
    try:
        return datasets.read_csv(path, label_column=label_column(label))
    except ValueError as exc:
        raise _label_error(exc) from None


def check_features(X, n_features, spec):
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != n_features:
        raise ValueError(f"{spec} has inputs of shape {X.shape}, but the model takes "
                         f"{counted(n_features, 'feature')}")
    return X


# ------------------------------------------------------------------ files written

def writable_directory(path, option):
    """Check that directory ``path`` (for ``option``) exists and takes files,
    or can be made: before any work, so that none is lost to a bad path.
    Nothing is created (see `make_directory`)."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise UsageError(f"{option} {path} is a file, not a directory")
    existing = os.path.abspath(path)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise UsageError(f"{option} {path}: {existing} is a file, not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path}: cannot write in {existing} (permission denied)")
    try:  # what the permissions do not say: a read-only mount, a special file system
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise UsageError(f"{option} {path}: cannot write in {existing} ({reason})") from None
    return path


def make_directory(path, option):
    """Make directory ``path`` (checked by `writable_directory`)."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot make it ({exc.strerror.lower()})") from None
    return path


def writable_file(path, option):
    """Check that file ``path`` (for ``option``) can be written, before any work."""
    if os.path.isdir(path):
        raise UsageError(f"{option} {path} is a directory, not a file")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"{option} {path}: there is no directory {directory}")
    if not os.access(directory, os.W_OK | os.X_OK) or (
            os.path.exists(path) and not os.access(path, os.W_OK)):
        raise UsageError(f"{option} {path}: cannot write there (permission denied)")
    return path


class HeldInterrupts:
    """While files are being written, Ctrl-C is noted instead of acted on, so
    a save is never cut short; ``interrupted`` says whether one came."""

    def __enter__(self):
        self.interrupted = False
        try:
            self._previous = signal.signal(signal.SIGINT, self._note)
        except ValueError:  # not the main thread
            self._previous = None
        return self

    def _note(self, signum, frame):
        self.interrupted = True

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


def counted(count, noun, plural=None):
    """``count`` and ``noun``, singular for 1 and plural otherwise: ``'1 feature'``,
    ``'4 features'``, ``'1 class'``, ``'3 classes'`` (``plural`` defaults to
    ``noun + 's'``, or ``noun + 'es'`` after s, x, ch or sh)."""
    if count == 1:
        return f"{count} {noun}"
    if plural is None:
        plural = noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")
    return f"{count} {plural}"


def format_number(value, digits):
    """A score or probability with ``digits`` decimals."""
    return f"{value:.{digits}f}"


def check_classes(data, classes):
    """A UsageError, before any training, for labels a classifier cannot
    learn: a single class; numbers of which most are seen once (a
    real-valued target written as whole numbers, such as a price or a
    count); test labels absent from the training split."""
    if len(classes) < 2:
        raise UsageError(
            f"the training data of {data.name} has a single class ({classes.tolist()}); "
            "a classifier needs two or more (use --regression for real-valued targets)"
        )
    y = data.y_train
    if y.dtype.kind in "iuf" and len(classes) > 20:
        once = int(np.sum(np.unique(y, return_counts=True)[1] == 1))
        if once > len(classes) / 2:
            raise UsageError(
                f"the labels of {data.name} look like a real-valued target: "
                f"{len(classes)} distinct numbers among {counted(len(y), 'training sample')}, "
                f"{once} of them seen once, which a classifier cannot learn; use --regression "
                "to predict them as numbers")
    unseen = np.setdiff1d(np.unique(data.y_test), classes)
    if unseen.size:
        shown = ", ".join(map(str, unseen[:5].tolist())) + (", ..." if unseen.size > 5 else "")
        raise UsageError(
            f"the test split of {data.name} has {counted(unseen.size, 'label')} that its "
            f"training split lacks ({shown}); a classifier only predicts the classes it "
            "was trained on (use --regression for real-valued targets)")
