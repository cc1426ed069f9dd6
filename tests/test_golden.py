"""The golden test: the redesign changes no number.

barenet's results -- trained parameters, optimizer state, training history,
batch-norm statistics, outputs -- were recorded from the code before the
redesign (``tests/golden/golden.npz``) and are compared here bit for bit:
same keys, same dtypes, same shapes, same bytes (nan and -0.0 included), no
tolerance. The configurations (``net_*``: ``barenet.Network`` fits; ``nb_*``:
the notebook API; ``opt_*``: the optimizers alone; ``sk_*``: the
scikit-learn estimators) and how they are computed are in
``tests/golden/record.py``, whose docstring says what each records and on
which machine the numbers hold.

Each configuration is one test, so a failure names it; the message lists
every array that differs. ``test_golden_without_numba`` checks them all again
in a fresh process with ``BARENET_NUMBA=0``: the compiled loops and the NumPy
passes must give the same numbers (the tests in this process use numba where
it is installed). On a machine other than the recording one (another CPU,
another NumPy: ``record.machine()``) every configuration is skipped, saying
so: there the last bits may differ for reasons other than the code. The
``sk_*`` configurations are skipped without
scikit-learn, and those in ``record.NUMPY2_ONLY`` under NumPy 1.x, whose
float64 exp and log round differently.

To look at the results by hand::

    python tests/golden/record.py --check [NAME ...]

Re-recording -- ``python tests/golden/record.py --write`` -- is ONLY for a
deliberate change of results, understood and said in the commit. It is a
decision to change numbers: never re-record to make this test pass.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

RECORD = Path(__file__).resolve().parent / "golden" / "record.py"

_spec = importlib.util.spec_from_file_location("barenet_golden_record", RECORD)
record = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record)


@pytest.fixture(scope="module")
def golden():
    return record.load_golden()


@pytest.mark.parametrize("name", list(record.CONFIGS))
def test_golden(name, golden):
    if record.needs_sklearn(name):
        pytest.importorskip("sklearn")
    reason = record.skip_reason(name)
    if reason:
        pytest.skip(reason)
    note = record.machine_note(golden)
    if note:  # the last bits belong to NumPy's SIMD code and the BLAS kernels as well
        pytest.skip(note)
    problems = record.compare(name, record.compute(name), golden)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_golden_file_holds_every_configuration(golden):
    # a configuration dropped, renamed or added without its results fails here
    assert record.recorded_configs(golden) == set(record.CONFIGS)


def test_golden_without_numba(golden):
    note = record.machine_note(golden)
    if note:
        pytest.skip(note)
    env = dict(os.environ, BARENET_NUMBA="0")
    result = subprocess.run([sys.executable, str(RECORD), "--check"], env=env,
                            capture_output=True, text=True, timeout=600)
    assert "numba off" in result.stdout, result.stdout + result.stderr
    assert result.returncode == 0, (result.stdout + result.stderr)[-20000:]
