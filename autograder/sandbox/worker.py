"""Sandbox mode "portable": one worker, a new Python started by the grader (portable.py).

It imports torch and the probes, says it is ready, takes one request on stdin, says the
probe starts, runs it as a zygote's child would (child.run_probe) and ends. It uses nothing
that only Linux has, and isolates nothing: it is for the public checks on a student's own
computer. Its reply goes on the pipe that was its stdout, which becomes fd REPLY_FD; what the
student's code prints goes to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading

from autograder.sandbox import protocol
from autograder.sandbox.child import REPLY_FD, REPLY_LOST, run_probe
from autograder.sandbox.limits import set_limits
from autograder.sandbox.replies import relay_limits
from autograder.sandbox.warmup import PROBES, grouped, import_for, import_probes, preload


def _end_with_grader(fd: int) -> None:
    """The grader keeps our stdin open while it waits: when it is gone, so are we."""
    while os.read(fd, 1024):
        pass
    os._exit(REPLY_LOST)


def main(argv: list[str]) -> int:
    """Entry point: `python -m autograder.sandbox.worker CONFIG_JSON`."""
    config = json.loads(argv[1])
    os.dup2(1, REPLY_FD)  # the reply channel: the pipe that was stdout
    os.dup2(2, 1)  # anything printed, by us or the submission, goes to stderr
    preload(config["preload"])
    errors = import_probes()
    protocol.write_message(REPLY_FD, {"ready": True, "probe_errors": errors})
    try:
        request, _ = protocol.read_message(0, **relay_limits(config["limits"]))
    except EOFError:
        return 0  # closed without a request
    if not str(request.get("probe", "")).startswith(PROBES + "."):
        raise protocol.ProtocolError(f"refusing probe {request.get('probe')!r}")
    grader = os.dup(0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    threading.Thread(target=_end_with_grader, args=(grader,), daemon=True).start()
    for probe in [request["probe"], *grouped(request)]:
        import_for(probe)
    package = config["package"]
    if request.get("subfolder"):
        package = os.path.join(package, os.path.basename(request["subfolder"]))
    set_limits(config["limits"], float(request["timeout"]), portable=True)
    os.chdir(tempfile.gettempdir())
    protocol.write_message(REPLY_FD, {"started": True})
    run_probe(request["probe"], request["args"], package, config["limits"])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
