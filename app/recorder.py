"""Record for slides: the canvas, the decision map and the loss curve, frame
by frame, as an animated GIF (Pillow) or an MP4 (imageio + imageio-ffmpeg).

Training is driven per frame, not by the wall clock: frame k shows the
network after a fixed number of epochs, and the file plays at ``fps``
whatever the machine's speed. The waves (``waves=True``) advance by exactly
1/fps seconds per frame.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from model.train.trainer import STOP_EPOCHS

from . import change_kinds as K
from .training_controller import private_trainer, snapshot_of

FORMATS = (".gif", ".mp4")
MAX_FRAMES = 1000  # a GIF is assembled in memory (about 1 byte per pixel per frame)
DEFAULT_MAX_FRAMES = 201  # without --frames: one per epoch, spread out beyond this
VIDEO_HINT = "MP4 recording needs the optional 'video' extra: pip install 'mlp-studio[video]'"


@dataclass
class RecordSettings:
    """What to record. ``frames`` None: the start plus one frame per epoch (at most 201)."""

    path: Path
    epochs: int
    frames: int | None = None
    fps: float = 10.0
    size: tuple[int, int] = (1280, 720)
    waves: bool = False

    def validate(self) -> None:
        self.path = Path(self.path)
        if self.path.suffix.lower() not in FORMATS:
            raise ValueError(f"a recording is a .gif or an .mp4 file, not {self.path.name!r}")
        if not isinstance(self.epochs, int) or not 1 <= self.epochs <= 1_000_000:
            raise ValueError(
                f"--train-epochs must be from 1 to 1,000,000 for a recording, got {self.epochs!r}"
            )
        if self.frames is not None and not 2 <= self.frames <= MAX_FRAMES:
            raise ValueError(f"frames must be from 2 to {MAX_FRAMES}, got {self.frames}")
        if not (isinstance(self.fps, (int, float)) and 0.5 <= self.fps <= 60):
            raise ValueError(f"--fps must be from 0.5 to 60, got {self.fps!r}")
        w, h = self.size
        if not (160 <= w <= 3840 and 120 <= h <= 2160):
            raise ValueError(f"--size must be from 160x120 to 3840x2160, got {w}x{h}")
        if self.path.suffix.lower() == ".mp4":
            check_video_available()

    @property
    def n_frames(self) -> int:
        return self.frames if self.frames is not None else min(self.epochs + 1, DEFAULT_MAX_FRAMES)


def check_video_available() -> None:
    try:
        import imageio  # noqa: F401
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        raise ValueError(VIDEO_HINT) from None


def frame_epochs(epochs: int, frames: int) -> list[int]:
    """The epoch each frame shows: 0 first, ``epochs`` last, evenly between."""
    return [int(round(k * epochs / (frames - 1))) for k in range(frames)]


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"--size must look like 1280x720, got {text!r}") from None
    return w, h


# ------------------------------------------------------------------ frames
def compose_frame(win, size: tuple[int, int], caption: str) -> QImage:
    """Canvas (left), decision map (top right) and loss curve (bottom right)
    on one white slide of ``size``, with a caption line on top. Each view's
    view is rendered afresh at the slide's resolution (sharp, not a scaled
    screenshot) exactly as the window shows it."""
    w, h = size
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    top = max(int(h * 0.08), 18)
    font = QFont()
    font.setPixelSize(max(int(top * 0.5), 10))
    p.setFont(font)
    p.setPen(QColor("#30343b"))
    p.drawText(QRect(int(w * 0.02), 0, int(w * 0.96), top), Qt.AlignmentFlag.AlignVCenter, caption)
    left, split = int(w * 0.55), top + (h - top) // 2
    for view, cell in (
        (win.canvas, QRectF(0, top, left, h - top)),
        (win.dataset_view.plot, QRectF(left, top, w - left, split - top)),
        (win.plots.panels["loss"].plot, QRectF(left, split, w - left, h - split)),
    ):
        source = QRectF(view.viewport().rect())
        view.render(p, _fit(source, cell.adjusted(6, 6, -6, -6)), source.toRect())
    p.end()
    return img


def _fit(source: QRectF, cell: QRectF) -> QRectF:
    """The largest rectangle of ``source``'s shape centred in ``cell``."""
    k = min(cell.width() / max(source.width(), 1.0), cell.height() / max(source.height(), 1.0))
    w, h = source.width() * k, source.height() * k
    return QRectF(cell.x() + (cell.width() - w) / 2, cell.y() + (cell.height() - h) / 2, w, h)


def qimage_rgb(img: QImage) -> np.ndarray:
    """(h, w, 3) uint8 copy of a QImage."""
    img = img.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), np.uint8, count=stride * h).reshape(h, stride)
    return buf[:, : w * 3].reshape(h, w, 3).copy()


# ----------------------------------------------------------------- writers
class GifWriter:
    """Frames quantised to 256 colours as they come; written at close()."""

    def __init__(self, path: Path, fps: float):
        self.path, self.duration = Path(path), int(round(1000.0 / fps))
        self.frames = []

    def append(self, rgb: np.ndarray) -> None:
        from PIL import Image

        self.frames.append(Image.fromarray(rgb, "RGB").quantize(256, method=Image.Quantize.MEDIANCUT))

    def close(self) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".gif", dir=self.path.parent or ".")
        os.close(fd)
        try:
            first, rest = self.frames[0], self.frames[1:]
            first.save(tmp, save_all=True, append_images=rest, duration=self.duration, loop=0, optimize=False)
            _publish(tmp, self.path)
        except BaseException:
            _remove(tmp)
            raise
        finally:
            self.frames = []

    def abort(self) -> None:
        self.frames = []


class Mp4Writer:
    """H.264 through imageio-ffmpeg, streamed frame by frame to a temporary file."""

    def __init__(self, path: Path, fps: float):
        import imageio.v2 as imageio

        self.path = Path(path)
        fd, self.tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".mp4", dir=self.path.parent or "."
        )
        os.close(fd)
        self.writer = imageio.get_writer(
            self.tmp, fps=fps, codec="libx264", macro_block_size=1, pixelformat="yuv420p", quality=8
        )

    def append(self, rgb: np.ndarray) -> None:
        h, w = rgb.shape[:2]
        if h % 2 or w % 2:  # yuv420p needs even sides
            rgb = np.pad(rgb, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
        self.writer.append_data(rgb)

    def close(self) -> None:
        self.writer.close()
        _publish(self.tmp, self.path)

    def abort(self) -> None:
        try:
            self.writer.close()
        finally:
            _remove(self.tmp)


def _publish(tmp, path: Path) -> None:
    """Move the finished temporary file into place with a plain file's mode
    (mkstemp makes it private)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)


def _remove(path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def open_writer(settings: RecordSettings):
    if settings.path.suffix.lower() == ".mp4":
        return Mp4Writer(settings.path, settings.fps)
    return GifWriter(settings.path, settings.fps)


# ---------------------------------------------------------------- recorder
class Recorder:
    """Records a window: ``for k, n in rec.frames(): ...`` (stop early to cancel,
    then call :meth:`abort`); the file is written when the last frame is done."""

    def __init__(self, win, settings: RecordSettings, process_events=None):
        settings.validate()
        self.win, self.settings = win, settings
        self.process_events = process_events or (lambda: None)
        self.trainer = private_trainer(win.doc)  # copies; each frame's result is adopted
        self.writer = None

    def frames(self):
        s, win = self.settings, self.win
        targets = frame_epochs(s.epochs, s.n_frames)
        start = self.trainer.epoch
        waves = win.teaching.waves if s.waves else None
        if waves is not None:
            win.teaching.set_waves(True)
            waves.drive_manually()  # one tick per frame, never the wall clock
        self.writer = open_writer(s)
        try:
            for k, target in enumerate(targets):
                more = start + target - self.trainer.epoch
                if self.trainer.stop_reason == STOP_EPOCHS:
                    self.trainer.stop_reason = None  # the last chunk's limit, not the end
                if more > 0 and self.trainer.stop_reason is None:
                    cursor = self.trainer.history.cursor
                    reason = self.trainer.train(epochs=more)
                    win.doc.adopt(snapshot_of(self.trainer, cursor, reason))
                    win.views.refresh(K.WEIGHTS)  # every view, now (the live path throttles by time)
                if waves is not None:
                    waves.tick(1.0 / s.fps)
                self.process_events()
                self.writer.append(qimage_rgb(compose_frame(win, s.size, self.caption())))
                yield k + 1, len(targets)
            self.writer.close()
            self.writer = None
        finally:
            if waves is not None:
                win.teaching.set_waves(False)

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.abort()
            self.writer = None

    def run(self, progress=None) -> int:
        """Record every frame; ``progress(k, n)`` returning False cancels (no file)."""
        n = 0
        for k, n in self.frames():
            if progress is not None and progress(k, n) is False:
                self.abort()
                return 0
        return n

    def caption(self) -> str:
        h, doc = self.trainer.history, self.win.doc
        text = f"{doc.name}   ·   epoch {self.trainer.epoch}"
        if len(h):
            text += f"   ·   loss {h['train_loss'][-1]:.4g}"
            acc = h["train_acc"][-1]
            if np.isfinite(acc):
                text += f"   ·   accuracy {acc * 100:.1f} %"
        return text
