"""Work on the second core: a report's figures drawn, and other pure work done, while the kernel
goes on.

A notebook kernel uses one core, and this machine (like most) has two. :func:`start` starts one
background process (``python -m so_eval.background``). From then on

* every figure added to a :class:`~so_eval.reporting.blocks.Block` is pickled and queued for it at once
  (:class:`Rendering`), so it is drawn while the kernel computes and builds the rest;
* :func:`call` queues a pure function of picklable arguments (:class:`Call`), such as last
  year's figures recomputed for the corrections.

When a result is needed and the background process has not taken the job yet, the kernel does
it itself; while it waits for a job the background process is doing, it does the newest job
still waiting. The queue is worked from both ends, and nothing waits for work nobody is doing.
The result is the same either way: a figure is pickled whole and drawn by the same matplotlib
with the kernel's own settings (``rcParams``) by :func:`figure_png`; a call runs the same code
on a copy of the same arguments.

Without :func:`start` (the default in a library or a test), or if the background process cannot
start or fails, every job is done in the calling process when its result is needed: the same
result, only later. ``SO_EVAL_BACKGROUND=0`` turns the background process off.

The background process is a plain subprocess talking over its standard input and output (not
:mod:`multiprocessing`, which would import the caller's main script again in the new process).
It runs in its own session (a kernel's interrupt and shutdown signal the kernel's process group),
ignores Ctrl-C, and ends when its input closes: when the caller stops it, exits or dies.
"""

from __future__ import annotations

import atexit
import collections
import os
import pickle
import struct
import subprocess
import sys
import threading

ENV_SWITCH = "SO_EVAL_BACKGROUND"
"""Set to ``0`` to do all work in the calling process."""

_HEADER = struct.Struct(">BQ")  # status (0 ok, 1 failed), payload length

_WAITING, _RUNNING, _DONE = "waiting", "running", "done"


class _Worker:
    """The background process and the thread in this process that feeds it, one job at a time."""

    def __init__(self) -> None:
        # its own session: a Jupyter kernel, shutting down, terminates the processes of its process
        # group one by one with pauses (≈2 s here); this one ends by itself when its input closes.
        # Failures come back as answers (see _serve), so its stderr is not needed.
        self.proc = subprocess.Popen([sys.executable, "-m", "so_eval.background"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True,
                                     start_new_session=True)
        self.cond = threading.Condition()
        self.queue: collections.deque[Job] = collections.deque()
        self.closed = False
        self.thread = threading.Thread(target=self._feed, name="so-eval-background", daemon=True)
        self.thread.start()

    def put(self, job: Job) -> None:
        with self.cond:
            self.queue.append(job)
            self.cond.notify_all()

    def _feed(self) -> None:
        while True:
            with self.cond:
                while not self.queue and not self.closed:
                    self.cond.wait()
                if self.closed:
                    return
                job = self.queue.popleft()
                job._state = _RUNNING
            try:
                answer = self._ask(job._request)  # None: the job failed there (done here instead)
            except Exception:  # the process is gone: this job, and the rest, are done here
                answer = None
                self._close()
            with self.cond:
                job._request = None
                if answer is not None:
                    job._answer, job._state, job.done_by = answer, _DONE, "background"
                else:
                    job._state = _WAITING
                self.cond.notify_all()

    def _ask(self, request: bytes) -> bytes | None:
        stdin, stdout = self.proc.stdin, self.proc.stdout
        stdin.write(struct.pack(">Q", len(request)))
        stdin.write(request)
        stdin.flush()
        status, n = _HEADER.unpack(_read_exactly(stdout, _HEADER.size))
        payload = _read_exactly(stdout, n)
        return payload if status == 0 else None

    def _close(self) -> None:
        with self.cond:
            self.closed = True
            for job in self.queue:
                job._request = None
            self.queue.clear()
            self.cond.notify_all()
        try:
            self.proc.stdin.close()
        except OSError:
            pass

    def stop(self) -> None:
        self._close()
        self.thread.join(timeout=5)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


_worker: _Worker | None = None


def start() -> bool:
    """Start the background process (once per process). Returns whether one is running.

    Nothing starts with ``SO_EVAL_BACKGROUND=0`` or on a machine with one core.
    """
    global _worker
    if _worker is not None and not _worker.closed:
        return True
    if os.environ.get(ENV_SWITCH, "1").strip() == "0" or (os.cpu_count() or 1) < 2:
        return False
    try:
        _worker = _Worker()
    except OSError:
        _worker = None
        return False
    atexit.register(stop)
    return True


def stop() -> None:
    """Stop the background process; jobs it has not done are done here when needed."""
    global _worker
    worker, _worker = _worker, None
    if worker is not None:
        worker.stop()


def running() -> bool:
    """Whether a background process takes jobs."""
    return _worker is not None and not _worker.closed


class Job:
    """Work queued for the background process if one runs, done here otherwise."""

    def __init__(self, request: tuple):
        self._answer: bytes | None = None
        self._request: bytes | None = None
        self._state = _WAITING
        self.done_by: str | None = None
        """``"background"`` or ``"here"`` once done."""
        self._worker = _worker if running() else None
        if self._worker is not None:
            try:
                self._request = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # what cannot be pickled is done here
                self._worker = None
            else:
                self._worker.put(self)

    def _wait(self) -> bytes:
        """The answer (waiting for, or taking over from, the background process)."""
        if self._state == _DONE:
            return self._answer
        w = self._worker
        while w is not None:
            with w.cond:
                if self._state == _DONE:
                    return self._answer
                if self._state == _WAITING:  # not taken (or given back): do it here
                    if self in w.queue:
                        w.queue.remove(self)
                    break
                other = w.queue.pop() if w.queue else None  # running there: meanwhile, the newest
                if other is None:
                    w.cond.wait()
                    continue
            try:
                other._do_here()
            except Exception:  # not this caller's error: the other job's own caller will see it
                other._state = _WAITING
        return self._do_here()

    def _do_here(self) -> bytes:
        answer = self._run()
        self._request = None
        self._answer, self._state, self.done_by = answer, _DONE, "here"
        return answer

    def _run(self) -> bytes:  # pragma: no cover - each kind of job says what it does
        raise NotImplementedError


class Rendering(Job):
    """A figure's PNG.

    Parameters
    ----------
    fig
        A matplotlib figure, complete (it must not change after this).
    dpi
        Resolution of the PNG.
    """

    def __init__(self, fig, dpi: int = 150):
        self.fig = fig
        self.dpi = dpi
        super().__init__(("png", (fig, dpi, _settings())))

    def png(self) -> bytes:
        return self._wait()

    def _run(self) -> bytes:
        return figure_png(self.fig, self.dpi)


class Call(Job):
    """``func(*args, **kwargs)``: a module-level function without side effects, its arguments
    and its result picklable. See :func:`call`."""

    def __init__(self, func, *args, **kwargs):
        self.func = func
        self.args = args
        self.kwargs = kwargs
        super().__init__(("call", (func, args, kwargs)))

    def result(self):
        """The function's result (an exception it raised is raised here, by running it here)."""
        return pickle.loads(self._wait())

    def _run(self) -> bytes:
        return pickle.dumps(self.func(*self.args, **self.kwargs), protocol=pickle.HIGHEST_PROTOCOL)


def call(func, *args, **kwargs) -> Call:
    """Queue ``func(*args, **kwargs)`` for the background process; ``.result()`` gives its result.

    ``func`` must be a module-level function whose result depends on its arguments alone (it
    runs in another process, on copies of them). If it fails there it is run here when its
    result is asked for, so its exception is raised where it belongs.
    """
    return Call(func, *args, **kwargs)


def figure_png(fig, dpi: int = 150) -> bytes:
    """A matplotlib figure as PNG bytes.

    A figure with a layout engine (the report's figures use the constrained layout) already
    fits its labels and legends inside itself, so it is drawn once at its own size; only a
    figure without one is cropped to its contents (``bbox_inches="tight"`` draws it twice).
    """
    import io

    buf = io.BytesIO()
    tight = "tight" if fig.get_layout_engine() is None else None
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches=tight)
    return buf.getvalue()


def _settings() -> dict:
    """The matplotlib settings that differ from the defaults (the backend aside)."""
    import matplotlib as mpl

    return {k: v for k, v in mpl.rcParams.items()
            if k != "backend" and k in mpl.rcParamsDefault and v != mpl.rcParamsDefault[k]}


def _read_exactly(stream, n: int) -> bytes:
    data = stream.read(n)
    if data is None or len(data) != n:
        raise EOFError("the other side closed the pipe")
    return data


def _answer(kind: str, payload) -> bytes:
    """In the background process: do one job."""
    if kind == "png":
        import matplotlib

        fig, dpi, settings = payload
        with matplotlib.rc_context(settings):
            return figure_png(fig, dpi)
    if kind == "call":
        func, args, kwargs = payload
        return pickle.dumps(func(*args, **kwargs), protocol=pickle.HIGHEST_PROTOCOL)
    raise ValueError(f"unknown kind of job: {kind!r}")


def _serve() -> None:
    """The background process: read pickled jobs from stdin, write answers to stdout, until stdin
    closes."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not reach the answers (stderr is /dev/null)
    # figures are drawn to PNG only (a kernel's environment names its inline backend); nothing is
    # imported ahead: a job's pickle imports what it needs, so the first job starts at once
    os.environ["MPLBACKEND"] = "agg"

    while True:
        try:
            (n,) = struct.unpack(">Q", _read_exactly(inp, 8))
            request = _read_exactly(inp, n)
        except EOFError:
            return
        try:
            kind, payload = pickle.loads(request)
            status, answer = 0, _answer(kind, payload)
        except Exception as exc:  # told to the caller, who does the job itself
            status, answer = 1, f"{type(exc).__name__}: {exc}".encode()
        out.write(_HEADER.pack(status, len(answer)))
        out.write(answer)
        out.flush()


if __name__ == "__main__":
    _serve()
