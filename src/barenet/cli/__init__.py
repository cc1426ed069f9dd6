"""The ``barenet`` command: train networks, compare optimizers, use saved models.

    barenet train --data FILE.csv --label NAME   # one network: model, curves, boundary
    barenet compare                              # GD, Momentum, RMSProp and Adam on one net
    barenet evaluate MODEL DATA                  # scores, per-class table, confusion matrix
    barenet predict MODEL DATA                   # labels (or --proba) as CSV
    barenet export MODEL OUT.onnx                # the model as ONNX, for onnxruntime
    barenet help [COMMAND]

The package is laid out by what each part does: `parser` (the grammar:
commands, options, defaults, checks of values), `train` (``train`` and
``compare``, and the defaults chosen from the data), `use` (``predict``,
``evaluate``, ``export``) and `common` (errors, data, files written,
standard output).

Every error the user can cause ends the command with one line on stderr and
a documented exit status, never a traceback (set BARENET_DEBUG=1 to see one):
2 for a usage error, 1 for a data, model or file error, 130 for Ctrl-C.
"""

import os
import sys
import warnings

from ..errors import TrainingDiverged
from .common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError
from .parser import build_parser
from .train import cmd_compare, cmd_train
from .use import cmd_evaluate, cmd_export, cmd_predict

COMMANDS = {"compare": cmd_compare, "train": cmd_train, "predict": cmd_predict,
            "evaluate": cmd_evaluate, "export": cmd_export}

__all__ = ["main", "build_parser", "COMMANDS", "UsageError"]


def _help(parser, topic):
    """``barenet help [COMMAND]``: the help of barenet or of one command."""
    if topic is None:
        parser.print_help()
        return EXIT_OK
    # argparse keeps a parser's subcommands only in private attributes (its
    # own help reads them the same way); build_parser adds exactly one group
    commands = parser._subparsers._group_actions[0].choices
    if topic not in commands:
        print(f"barenet help: error: no command {topic!r}; the commands are "
              f"{', '.join(c for c in commands if c != 'help')}", file=sys.stderr)
        return EXIT_USAGE
    commands[topic].print_help()
    return EXIT_OK


def main(argv=None):
    """Run the command line; returns the exit status."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:  # bare `barenet`: what it can do, on stderr, as a usage error
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    args = parser.parse_args(argv)
    args.argv = argv  # what train prints for --resume to carry on
    with warnings.catch_warnings():
        # a warning is one line too, e.g. for MNIST files no checksum covers
        warnings.showwarning = lambda message, *_, **__: print(
            f"barenet {args.command}: warning: {message}", file=sys.stderr)
        return _run(parser, args)


def _run(parser, args):
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if args.command == "help":
        return _help(parser, args.topic)
    try:
        status = COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"barenet {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ValueError, TypeError, OSError, ImportError, TrainingDiverged) as exc:
        if os.environ.get("BARENET_DEBUG"):
            raise
        message = exc.strerror if isinstance(exc, OSError) and exc.filename and exc.strerror \
            else exc
        where = f"{exc.filename}: " if isinstance(exc, OSError) and exc.filename else ""
        print(f"barenet {args.command}: error: {where}{message}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"\nbarenet {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK if status is None else status
