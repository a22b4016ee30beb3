"""The sandbox: message framing, and fake hostile submissions in every isolation mode."""

from __future__ import annotations

import io
import json
import math
import os
import secrets
import shutil
import signal
import socket
import struct
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from autograder.sandbox import modes, protocol
from autograder.sandbox.client import ENV_MODE, Sandbox, SandboxError, unavailable
from autograder.sandbox.limits import Limits
from autograder.sandbox.permissions import ClosedPaths
from autograder.sandbox.protocol import ProtocolError

CASES = Path(__file__).resolve().parent / "sandbox_cases"
REPO = CASES.parent.parent
CALL = "autograder.probes.selftest:call"
INSPECT = "autograder.probes.selftest:inspect"
LIMITS = Limits(wall_seconds=5.0, address_space=1 << 30, processes=64, max_arrays=8 << 20)
NOBODY = 65534


def _modes(*modes: str) -> list:
    params = []
    for mode in modes:
        reason = unavailable(mode)
        skip = pytest.mark.skip(reason=f"sandbox mode {mode} cannot work here: {reason}")
        params.append(pytest.param(mode, marks=[skip] if reason else [], id=mode))
    return params


ZYGOTES = _modes("namespaces", "bwrap", "uid", "none")  # a zygote forks the children
# and mode portable, a spawned worker per call (each costs an import of torch: only the tests
# of how a call ends, not those of the code it shares with a zygote's child)
ALL = [*ZYGOTES, *_modes("portable")]
ISOLATED = _modes("namespaces", "bwrap")  # namespaces: a view of the files and pids of its own
UID = _modes("uid")  # root without namespaces: uid 65534 and file permissions only


def call(box: Sandbox, module: str, function: str, *args, timeout: float | None = None):
    return box.run(
        CALL, {"module": module, "function": function, "args": list(args)}, timeout=timeout
    )


def survivors(tag: str, wait: float = 3.0) -> list[int]:
    """Live processes named `tag` (the hostile cases name theirs); kills stragglers."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            name, state = status.split("\n")[0].split()[1], status.split("State:")[1].split()[0]
            if name == tag and state != "Z":
                found.append(int(pid))
        if not found or time.monotonic() > deadline:
            for pid in found:
                os.kill(pid, signal.SIGKILL)
            return found
        time.sleep(0.05)


def new_tag() -> str:
    return "ag" + secrets.token_hex(6)


# --- protocol ---------------------------------------------------------------------------


def frame(body: bytes, blob: bytes = b"", magic: bytes = protocol.MAGIC) -> bytes:
    return struct.pack(">8sQQ", magic, len(body), len(blob)) + body + blob


def npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def npy_header(shape: tuple) -> bytes:
    buffer = io.BytesIO()
    header = {"descr": "<f8", "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue()


def zipped(members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


TRIPPED: list[int] = []


def _trip() -> None:
    TRIPPED.append(1)


class Tripwire:
    """Unpickling it would call _trip()."""

    def __reduce__(self):
        return (_trip, ())


def test_round_trip_through_a_pipe() -> None:
    header = {"text": "grüße ✓", "n": 3, "x": 0.25, "nested": {"list": [1, None, True]}}
    arrays = {
        "matrix": np.arange(12, dtype=np.float32).reshape(3, 4),
        "flags": np.array([True, False]),
        "fortran": np.asfortranarray(np.ones((2, 3), dtype=np.int64)),
        "scalar": np.array(7.5),
        "empty": np.zeros((0, 5)),
    }
    read_fd, write_fd = os.pipe()
    writer = threading.Thread(target=protocol.write_message, args=(write_fd, header, arrays))
    writer.start()
    got_header, got_arrays = protocol.read_message(read_fd)
    writer.join()
    os.close(write_fd)
    with pytest.raises(EOFError):
        protocol.read_message(read_fd)
    os.close(read_fd)
    assert got_header == header
    assert got_arrays.keys() == arrays.keys()
    for name, array in arrays.items():
        assert got_arrays[name].dtype == array.dtype
        np.testing.assert_array_equal(got_arrays[name], array)
    assert protocol.decode(protocol.encode({"empty": {}})) == ({"empty": {}}, {})


def test_numpy_scalars_become_plain_json() -> None:
    header, _ = protocol.decode(protocol.encode({"f": np.float32(0.5), "i": np.int64(3)}))
    assert header == {"f": 0.5, "i": 3}


@pytest.mark.parametrize(
    ("header", "arrays"),
    [
        ({"a": np.array([{"x": 1}], dtype=object)}, None),
        ({}, {"objects": np.array([Tripwire()], dtype=object)}),
        ({}, {"list": [1, 2]}),
        ({}, {"bad/name": np.zeros(1)}),
        ({"set": {1, 2}}, None),
        (["not", "a", "dict"], None),
        ({"big": "x" * 100}, None),
        ({}, {"big": np.zeros(100)}),
    ],
    ids=[
        "object-in-header",
        "object-array",
        "not-an-array",
        "bad-name",
        "set",
        "list",
        "json-size",
        "array-size",
    ],
)
def test_encode_refuses(header, arrays) -> None:
    with pytest.raises(ProtocolError):
        protocol.encode(header, arrays, max_json=64, max_arrays=256)


GOOD = protocol.encode({"status": "ok"}, {"a": np.arange(3)})
MALFORMED = {
    "empty": b"",
    "bad-magic": frame(b"{}", magic=b"NOTMAGIC"),
    "trailing-garbage": GOOD + b"\0",
    "two-frames": GOOD + GOOD,
    "json-list": frame(b"[1, 2]"),
    "json-string": frame(b'"hello"'),
    "json-number": frame(b"42"),
    "not-json": frame(b"{'single': 'quotes'}"),
    "not-utf8": frame(b'{"a": "\xff"}'),
    "too-deep": frame(b"[" * 100_000 + b"]" * 100_000),
    "huge-int": frame(b'{"n": ' + b"9" * 10_000 + b"}"),
    "json-too-large": struct.pack(">8sQQ", protocol.MAGIC, 1 << 40, 0),
    "arrays-too-large": struct.pack(">8sQQ", protocol.MAGIC, 2, 1 << 40) + b"{}",
    "npz-not-zip": frame(b"{}", b"PK\x03\x04 but not really a zip file"),
    "npz-pickle": frame(b"{}", npz(objects=np.array([Tripwire()], dtype=object))),
    "npz-not-npy": frame(b"{}", zipped({"a.txt": b"hello"})),
    "npz-duplicate": frame(
        b"{}",
        zipped({"a.npy": npy(np.ones(2)), "b.npy": npy(np.ones(2))}).replace(b"b.npy", b"a.npy"),
    ),
    "npz-bad-npy": frame(b"{}", zipped({"a.npy": b"\x93NUMPY garbage"})),
    "npz-short-data": frame(b"{}", zipped({"a.npy": npy_header((10**9,)) + b"\0" * 8})),
    "npz-overflowing-shape": frame(b"{}", zipped({"a.npy": npy_header((1 << 32, 1 << 32))})),
    "npz-bomb": frame(
        b"{}", zipped({"a.npy": npy(np.zeros(1 << 17))}, compression=zipfile.ZIP_DEFLATED)
    ),
}


@pytest.mark.parametrize("data", list(MALFORMED.values()), ids=list(MALFORMED))
def test_decode_rejects_malformed_frames(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        protocol.decode(data, max_arrays=1 << 19)
    assert not TRIPPED, "something was unpickled"


def test_every_truncation_is_rejected() -> None:
    for size in range(len(GOOD)):
        with pytest.raises(ProtocolError):
            protocol.decode(GOOD[:size])
    read_fd, write_fd = os.pipe()
    os.write(write_fd, GOOD[:-3])
    os.close(write_fd)
    with pytest.raises(ProtocolError):
        protocol.read_message(read_fd)
    os.close(read_fd)


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def host(tmp_path_factory: pytest.TempPathFactory):
    """Grader-side files: secrets, an output folder, a file anyone may write. Outside /tmp
    (which every isolated worker replaces anyway) and open to everyone, so that only the
    sandbox protects them."""
    base = Path(tempfile.mkdtemp(prefix="agtest-", dir="/var/tmp"))
    solutions, out = base / "solutions", base / "out"
    solutions.mkdir()
    out.mkdir()
    (solutions / "answer.py").write_text("ANSWER = 42\n")
    (out / "results.json").write_text('{"score": 0}\n')
    key = base / "hidden_key.txt"
    key.write_text("the key\n")
    shared = base / "grader.txt"
    shared.write_text("original\n")
    in_tmp = tmp_path_factory.mktemp("secret-in-tmp")
    (in_tmp / "notes.txt").write_text("hidden\n")
    for path in (base, solutions, out, in_tmp):
        path.chmod(0o777)
    for path in (solutions / "answer.py", out / "results.json", key, shared, in_tmp / "notes.txt"):
        path.chmod(0o666)
    secret_paths = [solutions, out, key, in_tmp, REPO / ".git", REPO / "solutions"]
    cases = shutil.copytree(CASES, base / "cases")  # where uid 65534 reaches it in mode "uid"
    yield SimpleNamespace(
        base=base,
        cases=cases,
        solutions=solutions,
        out=out,
        key=key,
        shared=shared,
        in_tmp=in_tmp,
        secrets=secret_paths,
    )
    shutil.rmtree(base)


@pytest.fixture(scope="session")
def sandbox(host):
    """sandbox(mode, case) -> a ready Sandbox on tests/sandbox_cases/<case>, shared.

    All are created at once: their zygotes import torch side by side."""
    opened = {
        (mode, case): Sandbox(
            host.cases / case,
            mode=mode,
            secrets=host.secrets,
            limits=LIMITS,
            jobs=1 if mode == "portable" else 2,  # a portable worker kept ready costs a core
        )
        for mode in ("namespaces", "bwrap", "uid", "none", "portable")
        if unavailable(mode) is None
        for case in ("good", "exits", "hostile")
    }

    def get(mode: str, case: str) -> Sandbox:
        return opened[mode, case].__enter__()

    yield get
    for box in opened.values():
        box.close()


@pytest.fixture(scope="session")
def listener():
    """A TCP server on the host's 127.0.0.1."""
    server = socket.create_server(("127.0.0.1", 0))
    yield server.getsockname()
    server.close()


def children_are_host_root(mode: str) -> bool:
    """Run by root, modes bwrap and none leave the children host uid 0, which the kernel
    exempts from RLIMIT_NPROC."""
    return os.geteuid() == 0 and mode not in ("namespaces", "uid")


# --- ordinary calls ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", ALL)
def test_normal_call_returns_values_and_arrays(sandbox, mode: str) -> None:
    box = sandbox(mode, "good")
    assert (box.isolation, box.isolated) == (mode, mode not in ("none", "portable"))
    reply = call(box, "basic", "add", 2, 3)
    assert (reply.status, reply.data, reply.arrays, reply.error) == ("ok", {"result": 5}, {}, None)
    reply = call(box, "basic", "arange", 4)
    assert reply.ok and reply.data == {}
    np.testing.assert_array_equal(reply.arrays["result"], np.arange(4, dtype=np.float32))
    assert reply.arrays["result"].dtype == np.float32
    reply = call(box, "basic", "square", [1, 2, 3])  # torch, preloaded in the zygote
    np.testing.assert_array_equal(reply.arrays["result"], [1, 4, 9])
    assert reply.output == ""


@pytest.mark.parametrize("mode", ALL)
def test_each_call_gets_a_fresh_worker(sandbox, mode: str) -> None:
    box = sandbox(mode, "good")
    assert [call(box, "basic", "bump").data["result"] for _ in range(3)] == [1, 1, 1]


@pytest.mark.parametrize("mode", ZYGOTES)
def test_exceptions_become_bounded_errors(sandbox, mode: str) -> None:
    box = sandbox(mode, "good")
    reply = call(box, "basic", "not_started")
    assert reply.status == "error"
    assert (reply.error["type"], reply.error["message"]) == ("NotImplementedError", "TODO")
    assert "basic.py" in reply.error["traceback"]
    reply = call(box, "basic", "loud_error")
    assert reply.error["type"] == "RuntimeError"
    assert len(reply.error["message"]) < 2100 and len(reply.error["traceback"]) < 8100
    reply = call(box, "basic", "unjsonable")
    assert (reply.status, reply.error["type"]) == ("error", "ProtocolError")
    assert call(box, "nonexistent", "f").error["type"] == "ModuleNotFoundError"


@pytest.mark.parametrize("mode", ZYGOTES)
def test_run_many_runs_jobs_at_once_and_keeps_order(sandbox, mode: str) -> None:
    box = sandbox(mode, "good")
    calls = [(CALL, {"module": "basic", "function": "pause", "args": [0.8]})] * 4
    calls.insert(2, (CALL, {"module": "basic", "function": "add", "args": [1, 1]}, 3.0))
    started = time.monotonic()
    replies = box.run_many(calls)
    elapsed = time.monotonic() - started
    assert [r.data["result"] for r in replies] == [0.8, 0.8, 2, 0.8, 0.8]
    # one after another, the four pauses alone take 3.2 s: less proves that jobs overlapped
    assert elapsed < 4 * 0.8, f"2 jobs at once take about 1.7 s; {elapsed:.2f} s is sequential"


def test_only_probes_may_run(sandbox) -> None:
    box = sandbox("none", "good")
    for probe in (
        "os:system",
        "autograder.sandbox:Sandbox",
        "autograder.probes.selftest",
        "autograder.probes.selftest:_look",
        "autograder.probesx.evil:run",
        "intro_pytorch.basic:add",
    ):
        with pytest.raises(ValueError):
            box.run(probe, {})
    with pytest.raises(TypeError):
        box.run(CALL, ["not", "a", "dict"])
    with pytest.raises(ValueError):
        box.run(CALL, {"module": object()})
    with pytest.raises(ValueError):
        box.run(CALL, {}, timeout=0)


@pytest.mark.parametrize("mode", ZYGOTES)
def test_zygote_death_fails_in_flight_calls_then_restarts(sandbox, mode: str) -> None:
    box = sandbox(mode, "good")
    first = box.zygote_info["pid"]
    replies = []
    waiting = threading.Thread(target=lambda: replies.append(call(box, "basic", "pause", 30)))
    waiting.start()
    time.sleep(0.5)
    os.kill(first, signal.SIGKILL)
    waiting.join(10)
    assert replies and replies[0].status == "crashed", replies
    assert call(box, "basic", "add", 1, 2).data == {"result": 3}
    assert box.zygote_info["pid"] != first


def test_trusted_sandbox_works_next_to_an_untrusted_one(sandbox) -> None:
    isolated = [m for m in ("namespaces", "bwrap") if unavailable(m) is None]
    if not isolated:
        pytest.skip("no isolating mode works here")
    untrusted = sandbox(isolated[0], "good")
    with Sandbox(CASES / "good", trusted=True, limits=LIMITS) as trusted:
        assert (trusted.isolation, trusted.isolated) == ("none", False)
        both = [call(box, "basic", "add", 20, 22) for box in (trusted, untrusted, trusted)]
        assert [reply.data for reply in both] == [{"result": 42}] * 3
        assert trusted.run(INSPECT, {}).data["uid"] == os.getuid()


def test_auto_and_forced_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_MODE, raising=False)
    box = Sandbox(CASES / "good", limits=LIMITS)
    box.close()
    best = [m for m in ("namespaces", "bwrap", "uid") if unavailable(m) is None] + ["none"]
    assert box.isolation == best[0]
    monkeypatch.setenv(ENV_MODE, "none")
    box = Sandbox(CASES / "good", mode="namespaces", limits=LIMITS)
    box.close()
    assert box.isolation == "none"
    monkeypatch.setenv(ENV_MODE, "chroot")
    with pytest.raises(SandboxError, match="unknown sandbox mode"):
        Sandbox(CASES / "good")
    monkeypatch.setenv(ENV_MODE, "namespaces")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    unavailable.cache_clear()
    try:
        with pytest.raises(SandboxError, match="needs root"):
            Sandbox(CASES / "good")
    finally:
        monkeypatch.undo()
        unavailable.cache_clear()


def test_public_checks_without_isolation_run_portable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where nothing isolates, the public checks get spawned workers and a graded run keeps
    the zygote modes; without fork (Windows) every run is portable, the reference's too."""
    monkeypatch.delenv(ENV_MODE, raising=False)
    refused = {"namespaces": "refused", "bwrap": "refused", "uid": "refused"}
    monkeypatch.setattr(modes, "unavailable", lambda mode: refused.get(mode))
    assert modes.choose_mode("auto", trusted=False, graded=False) == "portable"
    assert modes.choose_mode("auto", trusted=False, graded=True) == "none"
    assert modes.choose_mode("auto", trusted=True) == "none"
    monkeypatch.setattr(modes, "unavailable", lambda mode: None if mode == "portable" else "no")
    assert modes.choose_mode("auto", trusted=False, graded=True) == "portable"
    assert modes.choose_mode("auto", trusted=True) == "portable"


# --- hostile submissions ----------------------------------------------------------------


@pytest.mark.parametrize("mode", ALL)
def test_exit_at_import(sandbox, mode: str) -> None:
    box = sandbox(mode, "exits")
    reply = call(box, "hard", "anything")
    assert reply.status == "crashed" and "status 0" in reply.error["message"]
    reply = call(box, "soft", "anything")
    assert (reply.status, reply.error["type"]) == ("error", "SystemExit")
    assert reply.error["message"] == "leaving early"


@pytest.mark.parametrize("mode", ALL)
def test_endless_loop_ignoring_signals_is_killed(sandbox, mode: str) -> None:
    box = sandbox(mode, "hostile")
    tag = new_tag()
    reply = call(box, "attacks", "spin", tag, timeout=1.0)
    assert reply.status == "timeout" and 1.0 <= reply.seconds < 5.0
    assert survivors(tag) == []


@pytest.mark.parametrize("mode", ALL)
def test_memory_hog_is_bounded(sandbox, mode: str) -> None:
    # time enough to reach the memory limit also on a loaded machine: the limit must stop it
    reply = call(sandbox(mode, "hostile"), "attacks", "hog", timeout=60)
    assert (reply.status, reply.error["type"]) == ("error", "MemoryError")


@pytest.mark.parametrize("mode", ALL)
def test_fork_bomb_is_bounded(sandbox, mode: str) -> None:
    if children_are_host_root(mode):
        pytest.skip(f"mode {mode} run by root: children are host root, exempt from RLIMIT_NPROC")
    box = sandbox(mode, "hostile")
    tag = new_tag()
    assert call(box, "attacks", "fork_bomb", tag, timeout=1.5).status == "timeout"
    assert survivors(tag) == []
    assert call(box, "attacks", "connect", "127.0.0.1", 9).ok


@pytest.mark.parametrize("mode", ZYGOTES)
def test_detached_daemon_does_not_survive(sandbox, mode: str, host) -> None:
    """A pid namespace ends with its pid 1; without one, the zygote reaps orphans. (A portable
    worker's process tree goes with it, but a daemon has left the tree.)"""
    box = sandbox(mode, "hostile")
    tag = new_tag()
    marker = f"/tmp/{tag}"
    reply = call(box, "attacks", "detach", tag, 0.3, marker)
    assert reply.data == {"result": "detached"}
    assert survivors(tag, wait=0) == []
    time.sleep(0.6)
    assert survivors(tag, wait=0) == [] and not os.path.exists(marker)
    seen = box.run(INSPECT, {"paths": [marker]}).data
    assert not seen["paths"][marker]["exists"]


@pytest.mark.parametrize("mode", ISOLATED)
def test_writes_to_grader_files_are_refused(sandbox, mode: str, host) -> None:
    targets = [host.shared, host.out / "results.json", host.out / "new.txt", host.in_tmp / "x"]
    reply = call(sandbox(mode, "hostile"), "attacks", "scribble", [str(p) for p in targets])
    assert reply.ok and "written" not in reply.data["result"].values(), reply.data
    assert host.shared.read_text() == "original\n"
    assert (host.out / "results.json").read_text() == '{"score": 0}\n'
    assert sorted(os.listdir(host.out)) == ["results.json"]
    assert not (host.in_tmp / "x").exists()


@pytest.mark.parametrize("mode", ISOLATED)
def test_only_the_allow_list_is_visible(sandbox, mode: str, host) -> None:
    """A child sees the runtime, the probes and its package, not the host around them:
    neither the secrets nor the harmless files beside them, nor the kit's other folders."""
    box = sandbox(mode, "hostile")
    engine = REPO / "autograder"
    hidden = [host.base, host.solutions, host.key, host.shared, host.in_tmp, REPO / ".git"]
    hidden += [REPO / "solutions", REPO / "tests", REPO / "assignments", engine / "checks"]
    shown = [REPO, engine, engine / "probes", Path(np.__file__).parent, Path(os.__file__).parent]
    paths = [str(p) for p in [*hidden, *shown]]
    seen = box.run(INSPECT, {"paths": paths}).data["paths"]
    for path in hidden:
        assert not seen[str(path)]["exists"], (path, seen[str(path)])
    for path in shown:
        assert seen[str(path)]["readable"], (path, seen[str(path)])
    assert "checks" not in seen[str(engine)]["listing"]
    assert set(seen[str(REPO)]["listing"]) <= {"autograder", ".venv"}
    reply = call(box, "attacks", "peek", [str(host.base), str(host.in_tmp), "/var/tmp"])
    text = json.dumps(reply.data)
    assert reply.ok and "ANSWER" not in text and "the key" not in text, text
    assert "grader.txt" not in text and "score" not in text, text


@pytest.mark.parametrize("mode", ZYGOTES)
def test_network_is_unreachable(sandbox, mode: str, listener) -> None:
    box = sandbox(mode, "hostile")
    host, port = listener
    reply = call(box, "attacks", "connect", host, port)
    without_namespaces = mode in ("uid", "none")
    assert reply.ok and (reply.data["result"] == "connected") == without_namespaces
    seen = box.run(INSPECT, {"connect": [[host, port]]}).data
    assert seen["connect"][0]["connected"] == without_namespaces


@pytest.mark.parametrize("mode", ISOLATED)
def test_worker_identity_and_limits(sandbox, mode: str) -> None:
    seen = sandbox(mode, "hostile").run(INSPECT, {}, timeout=3.0).data
    assert (seen["uid"], seen["gid"], seen["groups"]) == (NOBODY, NOBODY, [])
    assert (seen["pid"], seen["hostname"], seen["cwd"]) == (1, "sandbox", "/tmp")
    assert set(seen["pids"]) <= {1}  # only itself, or no /proc at all
    limits = seen["rlimits"]
    assert limits["RLIMIT_AS"] == [LIMITS.address_space] * 2
    assert limits["RLIMIT_NPROC"] == [LIMITS.processes] * 2
    assert limits["RLIMIT_CORE"] == [0, 0]
    assert limits["RLIMIT_CPU"][0] == math.ceil(3.0) + 1


@pytest.mark.parametrize("mode", ALL)
def test_garbage_on_every_fd_fails_only_that_call(sandbox, mode: str) -> None:
    box = sandbox(mode, "hostile")
    reply = call(box, "attacks", "spam")
    assert reply.status == "protocol" and "malformed" in reply.error["message"]
    reply = call(box, "attacks", "close_all")
    assert reply.status == "crashed" and "reply pipe" in reply.error["message"]
    assert call(box, "attacks", "shout", 0).ok


@pytest.mark.parametrize("mode", ALL)
def test_oversized_reply_is_cut_off(sandbox, mode: str) -> None:
    reply = call(sandbox(mode, "hostile"), "attacks", "flood", 64)
    assert reply.status == "protocol" and "larger than" in reply.error["message"]


@pytest.mark.parametrize("mode", ALL)
def test_forged_frame_is_detected(sandbox, mode: str) -> None:
    reply = call(sandbox(mode, "hostile"), "attacks", "forge")
    assert reply.status == "protocol" and reply.data == {}
    assert "full marks" not in json.dumps(reply.error)


@pytest.mark.parametrize("mode", ZYGOTES)
def test_monkeypatching_cannot_stop_the_reply(sandbox, mode: str) -> None:
    reply = call(sandbox(mode, "hostile"), "attacks", "monkeypatch")
    assert reply.ok
    np.testing.assert_array_equal(reply.arrays["result"], [0, 1, 2])


@pytest.mark.parametrize("mode", ALL)
def test_huge_output_is_an_excerpt(sandbox, mode: str) -> None:
    started = time.monotonic()
    reply = call(sandbox(mode, "hostile"), "attacks", "shout", 50)
    assert reply.data == {"result": 50} and time.monotonic() - started < 5
    assert len(reply.output) < LIMITS.output_excerpt + 100
    assert "bytes omitted" in reply.output and reply.output.endswith("the end\n")


@pytest.mark.parametrize("mode", UID)
def test_without_namespaces_the_worker_is_uid_65534_and_secrets_are_closed(
    sandbox, mode: str, host
) -> None:
    """Mode "uid" (root in a container that refuses namespaces): the child runs as nobody,
    the secrets lose their group and other permissions, the grader's files stay its own."""
    box = sandbox(mode, "hostile")
    seen = box.run(INSPECT, {}, timeout=3.0).data
    assert (seen["uid"], seen["gid"], seen["groups"]) == (NOBODY, NOBODY, [])
    assert seen["rlimits"]["RLIMIT_NPROC"] == [LIMITS.processes] * 2
    for secret in (host.solutions, host.out, host.in_tmp, host.key):
        assert os.stat(secret).st_mode & 0o077 == 0, secret
    reply = call(box, "attacks", "peek", [str(host.base), str(host.in_tmp)])
    text = json.dumps(reply.data)
    assert reply.ok and "grader.txt" in text  # the rest of the folder is not a secret
    for secret in ("ANSWER", "the key", "score", "hidden\\n"):
        assert secret not in text, text
    targets = [host.out / "results.json", host.out / "new.txt", host.in_tmp / "x", REPO / "x"]
    reply = call(box, "attacks", "scribble", [str(p) for p in targets])
    assert reply.ok and "written" not in reply.data["result"].values(), reply.data
    assert (host.out / "results.json").read_text() == '{"score": 0}\n'
    assert not (REPO / "x").exists()


# --- one zygote, many submissions ---------------------------------------------------------


@pytest.mark.parametrize("mode", ZYGOTES)
def test_each_subfolder_sees_only_its_own_submission(host, mode: str, monkeypatch):
    """Batch grading: one zygote, a folder per student; a child never sees another's code."""
    monkeypatch.setenv(ENV_MODE, mode)
    root = Path(tempfile.mkdtemp(dir=host.base))  # reachable by uid 65534 (mode "uid")
    root.chmod(0o755)
    for name, value in (("alice", 1), ("bob", 2)):
        package = root / name / "intro_pytorch"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "answer.py").write_text(f"def value():\n    return {value}\n")
    with Sandbox(root, limits=LIMITS, secrets=[root]) as box:
        for name, value in (("alice", 1), ("bob", 2)):
            reply = box.run(CALL, {"module": "answer", "function": "value"}, subfolder=name)
            assert reply.status == "ok", reply.error
            assert reply.data["result"] == value
        paths = [str(root / "bob"), str(root)]
        seen = box.run(INSPECT, {"paths": paths}, subfolder="alice").data["paths"]
        if mode in ("namespaces", "bwrap"):
            assert not seen[paths[0]]["exists"]
        if mode == "uid":  # bob's folder is found only by its name (random in grade-all)
            assert not seen[paths[1]]["listing"]
        with pytest.raises(ValueError, match="subfolder"):
            box.run(CALL, {"module": "answer", "function": "value"}, subfolder="../etc")


def test_a_zygote_that_cannot_start_closes_only_its_own_files() -> None:
    """Each failed start releases its pipes once: a second close could hit a reused fd number
    (pytest's own capture file, say) and break the grading process."""
    box = Sandbox(CASES / "good", preload=("no_such_module_here",), limits=LIMITS)
    try:
        with pytest.raises(SandboxError, match="did not start"):
            call(box, "basic", "add", 1, 2)
        mine = [os.open(os.devnull, os.O_RDONLY) for _ in range(8)]  # reuse freed numbers
        with pytest.raises(SandboxError, match="did not start"):
            call(box, "basic", "add", 1, 2)
    finally:
        box.close()
    for fd in mine:
        os.fstat(fd)  # raises if the sandbox closed it
        os.close(fd)


# --- mode uid's permissions ---------------------------------------------------------------


def _secret_folders(base: Path) -> list[Path]:
    folders = [base / "a", base / "b"]
    for folder in folders:
        folder.mkdir()
        folder.chmod(0o755)
    return folders


def test_closed_paths_get_their_modes_back(tmp_path: Path) -> None:
    folders = _secret_folders(tmp_path)
    closed = ClosedPaths([str(f) for f in folders])
    closed.close()
    assert [f.stat().st_mode & 0o777 for f in folders] == [0o700, 0o700]
    closed.reopen()
    closed.reopen()  # once only
    assert [f.stat().st_mode & 0o777 for f in folders] == [0o755, 0o755]


@pytest.mark.parametrize("shared", ["state file", "process"])
def test_the_last_of_two_graders_gives_the_modes_back(tmp_path: Path, shared: str) -> None:
    """Two graders side by side share a record: the first to end keeps them closed."""
    folders = _secret_folders(tmp_path)
    state = tmp_path / "state" / "closed.json" if shared == "state file" else None
    first, second = (ClosedPaths([str(f) for f in folders], state) for _ in range(2))
    first.close()
    second.close()  # finds them closed already, and keeps the modes the first recorded
    first.reopen()
    assert folders[0].stat().st_mode & 0o777 == 0o700
    second.reopen()
    assert [f.stat().st_mode & 0o777 for f in folders] == [0o755, 0o755]


@pytest.mark.parametrize("next_one", ["closes", "only recovers"])
def test_a_killed_grader_leaves_the_modes_to_the_next(tmp_path: Path, next_one: str) -> None:
    """The next grader gives them back: in mode uid when it ends, in another mode at once."""
    folders = _secret_folders(tmp_path)
    state = tmp_path / "closed.json"
    pid = os.fork()
    if pid == 0:  # a grader that closes the secrets and dies without giving them back
        ClosedPaths([str(folders[0])], state).close()
        os._exit(0)
    os.waitpid(pid, 0)
    assert folders[0].stat().st_mode & 0o777 == 0o700
    closed = ClosedPaths([str(f) for f in folders], state)
    if next_one == "closes":
        closed.close()
        closed.reopen()
    else:
        closed.recover()
    assert [f.stat().st_mode & 0o777 for f in folders] == [0o755, 0o755]
    assert json.loads(state.read_text()) == {"holders": []}
