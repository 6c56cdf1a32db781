"""MNIST, found locally first, verified byte for byte, and read fast.

Where the data live
-------------------
The data root is, in order: the ``root`` argument, the environment variable ``DLSIP_DATA``,
or ``~/.cache/dlsip``. Below it the four raw files sit in ``MNIST/raw/``, which is
torchvision's layout, so ``torchvision.datasets.MNIST(root)`` reads the same folder.

Integrity
---------
Each raw file is checked against the SHA-256 of the canonical uncompressed IDX file
(:data:`MNIST_SHA256`) before anything reads it. A mismatch raises
:class:`MNISTChecksumError`, which names the file and both digests: nothing trains on a
truncated or corrupt file.

Missing files
-------------
When the files are missing, :func:`load_mnist` and :func:`mnist_arrays` try torchvision's
download (with a short network timeout). If that fails, for instance on a machine without
internet access, they raise :class:`MNISTNotFoundError`, which says where the files were
looked for, names ``DLSIP_DATA`` and the four files.
"""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path

import numpy as np


#: Environment variable naming the data root.
ENV_VAR = "DLSIP_DATA"

#: SHA-256 of the canonical uncompressed IDX files (LeCun, Cortes & Burges).
MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

#: The normalisation constants of the training images scaled to [0, 1].
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081

# Seconds that one connection attempt of the download may take before it gives up.
DOWNLOAD_TIMEOUT = 10.0

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_verified: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> digest already checked


class MNISTNotFoundError(FileNotFoundError):
    """The MNIST files are not where they were looked for, and could not be downloaded."""


class MNISTChecksumError(ValueError):
    """A raw MNIST file does not have the canonical SHA-256: it is corrupt or not MNIST."""


def data_root(root: str | os.PathLike | None = None) -> Path:
    """The data root: ``root`` if given, else ``$DLSIP_DATA``, else ``~/.cache/dlsip``.

    Examples
    --------
    >>> str(data_root("/srv/data"))
    '/srv/data'
    """
    if root is not None:
        if not isinstance(root, (str, os.PathLike)):
            raise TypeError(f"root must be a path, got root={root!r}")
        return Path(root).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "dlsip"


def mnist_files(train: bool = True) -> tuple[str, str]:
    """The names of the image and label files of the training or the test split."""
    if not isinstance(train, bool):
        raise TypeError(f"train must be True or False, got train={train!r}")
    prefix = "train" if train else "t10k"
    return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"


def raw_folder(root: str | os.PathLike | None = None) -> Path:
    """The folder that holds (or will hold) the four raw files: ``<root>/MNIST/raw``."""
    return data_root(root) / "MNIST" / "raw"


def sha256(path: str | os.PathLike, *, chunk_size: int = 1 << 20) -> str:
    """The SHA-256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_file(path: str | os.PathLike, expected: str) -> None:
    """Raise :class:`MNISTChecksumError` unless the file's SHA-256 is ``expected``.

    A file that passed once is not hashed again while its size and modification time stay
    the same, so repeated loads in one session cost nothing.
    """
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if _verified.get(key) == expected:
        return
    actual = sha256(path)
    if actual != expected:
        raise MNISTChecksumError(
            f"{path.name} is corrupt or not the canonical MNIST file: its SHA-256 is {actual}, "
            f"expected {expected} (file: {path}). Delete it and download it again."
        )
    _verified[key] = expected


def _missing_error(folder: Path, missing: list[str], cause: BaseException | None) -> MNISTNotFoundError:
    why = f" The download failed too ({type(cause).__name__}: {cause})." if cause else ""
    return MNISTNotFoundError(
        f"MNIST is not in {folder}: missing {', '.join(missing)}.{why} "
        f"Put the four uncompressed files {', '.join(MNIST_SHA256)} in <root>/MNIST/raw/ and "
        f"point the environment variable {ENV_VAR} at <root> (or pass root=...)."
    )


def _download(root: Path) -> None:
    """torchvision's download, with a short socket timeout so that no network fails fast."""
    from torchvision.datasets import MNIST

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT)
    try:
        MNIST(root=str(root), train=True, download=True)
    finally:
        socket.setdefaulttimeout(previous)


def ensure_mnist(root: str | os.PathLike | None = None, *, train: bool | None = None, download: bool = True) -> Path:
    """Make sure the raw MNIST files are present and intact; return their folder.

    Parameters
    ----------
    root : path, optional
        The data root (see :func:`data_root`).
    train : bool, optional
        Check only the training (True) or the test (False) split; both when None.
    download : bool
        Try torchvision's download when files are missing.

    Raises
    ------
    MNISTNotFoundError
        When files are missing and cannot be downloaded.
    MNISTChecksumError
        When a file does not have the canonical SHA-256.
    """
    root_path = data_root(root)
    folder = raw_folder(root_path)
    names = list(MNIST_SHA256) if train is None else list(mnist_files(train))
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        cause = None
        if download:
            try:
                _download(root_path)
            except Exception as exc:  # any network or HTTP failure: reported below, with its cause
                cause = exc
            missing = [n for n in names if not (folder / n).is_file()]
        if missing:
            raise _missing_error(folder, missing, cause) from cause
    for name in names:
        verify_file(folder / name, MNIST_SHA256[name])
    return folder


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (the format of the MNIST files) into a NumPy array.

    The header is two zero bytes, a type code (0x08 for unsigned bytes), the number of
    dimensions, then each dimension as a big-endian 32-bit integer; the data follow.

    Raises
    ------
    ValueError
        When the header is malformed or the file's length does not match its header.
    """
    path = Path(path)
    data = path.read_bytes()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path.name} is not an IDX file: it does not start with two zero bytes")
    code, ndim = data[2], data[3]
    if code not in _IDX_DTYPES:
        raise ValueError(f"{path.name} has an unknown IDX type code 0x{code:02x}")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{path.name} is truncated: {len(data)} bytes, shorter than its {header}-byte header")
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(_IDX_DTYPES[code])
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        raise ValueError(
            f"{path.name} has {len(data)} bytes, but its header {shape} says {expected}: the file is truncated or corrupt"
        )
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def mnist_arrays(train: bool = True, *, root: str | os.PathLike | None = None, download: bool = True,
                 verify: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """MNIST as NumPy arrays: images uint8 ``(N, 28, 28)`` and labels int64 ``(N,)``.

    N is 60,000 for the training split and 10,000 for the test split. Reading both files
    takes a fraction of a second, much faster than iterating over the torchvision dataset.

    Parameters
    ----------
    train : bool
        The training split (True) or the test split (False).
    root : path, optional
        The data root; see :func:`data_root`.
    download : bool
        Try to download missing files.
    verify : bool
        Check the files' SHA-256 first. Only tests on tiny synthetic files turn it off.

    Raises
    ------
    MNISTNotFoundError, MNISTChecksumError, ValueError
        Missing files, a wrong checksum, or a malformed file (images and labels disagree).
    """
    image_name, label_name = mnist_files(train)
    if verify:
        folder = ensure_mnist(root, train=train, download=download)
    else:
        folder = raw_folder(root)
        missing = [n for n in (image_name, label_name) if not (folder / n).is_file()]
        if missing:
            raise _missing_error(folder, missing, None)
    images = read_idx(folder / image_name)
    labels = read_idx(folder / label_name)
    if images.ndim != 3 or labels.ndim != 1 or images.dtype != np.uint8 or labels.dtype != np.uint8:
        raise ValueError(
            f"{image_name} must hold uint8 images (N, H, W) and {label_name} uint8 labels (N,), "
            f"got {images.dtype} {images.shape} and {labels.dtype} {labels.shape}"
        )
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{image_name} has {images.shape[0]} images but {label_name} has {labels.shape[0]} labels")
    if labels.size and labels.max() > 9:
        raise ValueError(f"{label_name} has a label {int(labels.max())}; MNIST labels are 0 to 9")
    return images, labels.astype(np.int64)


def load_mnist(train: bool = True, *, root: str | os.PathLike | None = None, download: bool = True, transform=None):
    """MNIST as a ``torchvision.datasets.MNIST``, after checking its files.

    Parameters
    ----------
    train : bool
        The training split (60,000 images) or the test split (10,000).
    root : path, optional
        The data root: this argument, else ``$DLSIP_DATA``, else ``~/.cache/dlsip``.
    download : bool
        Try torchvision's download when the files are missing.
    transform : callable, optional
        Applied to each PIL image, e.g. ``torchvision.transforms.ToTensor()``.

    Raises
    ------
    MNISTNotFoundError
        Files missing and not downloadable; the message names ``DLSIP_DATA`` and the files.
    MNISTChecksumError
        A file with the wrong SHA-256.
    """
    from torchvision.datasets import MNIST

    ensure_mnist(root, train=train, download=download)
    return MNIST(root=str(data_root(root)), train=train, download=False, transform=transform)


def mnist_tensors(train: bool = True, *, root=None, normalize: bool = True, download: bool = True):
    """MNIST as in-memory torch tensors: images float32 ``(N, 1, 28, 28)``, labels int64 ``(N,)``.

    With ``normalize`` the images are scaled to [0, 1] and standardised with
    :data:`MNIST_MEAN` and :data:`MNIST_STD`, as ``Normalize((0.1307,), (0.3081,))`` does.
    """
    import torch

    images, labels = mnist_arrays(train, root=root, download=download)
    x = torch.from_numpy(images).float().div_(255.0).unsqueeze(1)
    if normalize:
        x = (x - MNIST_MEAN) / MNIST_STD
    return x, torch.from_numpy(labels)
