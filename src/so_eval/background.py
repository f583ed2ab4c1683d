"""Drawing the report's figures on a second core while the first goes on.

Drawing a figure (text layout above all) is a good part of the annual report's run time, and a
notebook kernel uses one core. :func:`start` starts one background process
(``python -m so_eval.render``); from then on every figure added to a
:class:`~so_eval.tables.Block` is pickled and queued for it at once (:class:`Rendering`), so it
is drawn while the kernel computes and builds the rest. When a figure's PNG is needed and the
background process has not taken it yet, the kernel draws it itself; while it waits for one the
background process is drawing, it draws the newest figure still waiting. The queue is worked
from both ends, and nothing waits for a figure that nobody is drawing.

The PNG is the same either way: the figure is pickled whole and drawn by the same matplotlib,
with the kernel's own settings (``rcParams``), by :func:`figure_png`.

Without :func:`start` (the default in a library or a test), or if the background process cannot
start or fails, every figure is drawn in the calling process when it is needed: the same PNG,
only later. ``SO_EVAL_RENDER_WORKER=0`` turns the background process off.

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

ENV_SWITCH = "SO_EVAL_RENDER_WORKER"
"""Set to ``0`` to draw every figure in the calling process."""

_HEADER = struct.Struct(">BQ")  # status (0 ok, 1 failed), payload length

_WAITING, _DRAWING, _DONE = "waiting", "drawing", "done"


class _Worker:
    """The background process and the thread in this process that feeds it, one job at a time."""

    def __init__(self) -> None:
        # its own session: a Jupyter kernel, shutting down, terminates the processes of its process
        # group one by one with pauses (≈2 s here); this one ends by itself when its input closes.
        # Failures come back as answers (see _serve), so its stderr is not needed.
        self.proc = subprocess.Popen([sys.executable, "-m", "so_eval.render"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True,
                                     start_new_session=True)
        self.cond = threading.Condition()
        self.queue: collections.deque[Rendering] = collections.deque()
        self.closed = False
        self.thread = threading.Thread(target=self._feed, name="so-eval-render", daemon=True)
        self.thread.start()

    def put(self, r: Rendering) -> None:
        with self.cond:
            self.queue.append(r)
            self.cond.notify_all()

    def _feed(self) -> None:
        while True:
            with self.cond:
                while not self.queue and not self.closed:
                    self.cond.wait()
                if self.closed:
                    return
                r = self.queue.popleft()
                r._state = _DRAWING
            try:
                png = self._ask(r._job)
            except Exception:  # the process failed on it or is gone: draw this one (and the rest) here
                png = None
                self._close()
            with self.cond:
                r._job = None
                r._png, r._state = png, (_DONE if png is not None else _WAITING)
                r.drawn_by = "background" if png is not None else None
                self.cond.notify_all()

    def _ask(self, job: bytes) -> bytes:
        stdin, stdout = self.proc.stdin, self.proc.stdout
        stdin.write(struct.pack(">Q", len(job)))
        stdin.write(job)
        stdin.flush()
        status, n = _HEADER.unpack(_read_exactly(stdout, _HEADER.size))
        payload = _read_exactly(stdout, n)
        if status != 0:
            raise RuntimeError(payload.decode("utf-8", "replace"))
        return payload

    def _close(self) -> None:
        with self.cond:
            self.closed = True
            for r in self.queue:
                r._job = None
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

    Nothing starts with ``SO_EVAL_RENDER_WORKER=0`` or on a machine with one core.
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
    """Stop the background process; figures it has not drawn are drawn here when needed."""
    global _worker
    worker, _worker = _worker, None
    if worker is not None:
        worker.stop()


def running() -> bool:
    """Whether a background process takes figures."""
    return _worker is not None and not _worker.closed


class Rendering:
    """A figure's PNG: queued for the background process if one runs, drawn here otherwise.

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
        self._png: bytes | None = None
        self._job: bytes | None = None
        self._state = _WAITING
        self.drawn_by: str | None = None
        """``"background"`` or ``"here"`` once drawn."""
        self._worker = _worker if running() else None
        if self._worker is not None:
            try:
                self._job = pickle.dumps((fig, dpi, _settings()), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # a figure that cannot be pickled is drawn here
                self._worker = None
            else:
                self._worker.put(self)

    def png(self) -> bytes:
        """The PNG bytes (waiting for, or taking over from, the background process)."""
        w = self._worker
        if w is None:
            return self._draw_here()
        while True:
            with w.cond:
                if self._state == _DONE:
                    return self._png
                if self._state == _WAITING:  # not taken (or given back): draw it here
                    if self in w.queue:
                        w.queue.remove(self)
                    other = None
                else:  # being drawn there: meanwhile draw the newest figure still waiting, if any
                    other = w.queue.pop() if w.queue else None
                    if other is None:
                        w.cond.wait()
                        continue
            if other is None:
                return self._draw_here()
            other._draw_here()

    def _draw_here(self) -> bytes:
        png = figure_png(self.fig, self.dpi)
        self._job = None
        self._png, self._state, self.drawn_by = png, _DONE, "here"
        return png


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


def _serve() -> None:
    """The background process: read pickled figures from stdin, write PNGs to stdout, until
    stdin closes."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not reach the answers (stderr is /dev/null)
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.figure  # noqa: F401  (the imports the first figure would otherwise wait for)

    import so_eval.ticks  # noqa: F401  (the report's tick functions, by which figures refer to them)

    while True:
        try:
            (n,) = struct.unpack(">Q", _read_exactly(inp, 8))
            job = _read_exactly(inp, n)
        except EOFError:
            return
        try:
            fig, dpi, settings = pickle.loads(job)
            with matplotlib.rc_context(settings):
                status, payload = 0, figure_png(fig, dpi)
        except Exception as exc:  # told to the caller, who draws the figure itself
            status, payload = 1, f"{type(exc).__name__}: {exc}".encode()
        out.write(_HEADER.pack(status, len(payload)))
        out.write(payload)
        out.flush()


if __name__ == "__main__":
    _serve()
