"""The course's data: MNIST (found locally first, verified, read fast) and
super-resolution training pairs.

Where the data live
-------------------
The data root is, in order: the ``root`` argument, the environment variable
``DLSIP_DATA``, or ``~/.cache/dlsip``. Below it the four raw files sit in
``MNIST/raw/``, which is torchvision's layout, so ``torchvision.datasets.MNIST(root)``
reads the same folder.

Integrity
---------
Each raw file is checked against the SHA-256 of the canonical uncompressed IDX file
(:data:`MNIST_SHA256`) before anything reads it. A mismatch raises
:class:`MNISTChecksumError`, which names the file and both digests: nothing trains on a
truncated or corrupt file.

Missing files
-------------
When the files are missing, :func:`load_mnist` and :func:`mnist_arrays` try
torchvision's download (with a short network timeout). If that fails, for instance on a
machine without internet access, they raise :class:`MNISTNotFoundError`, which says
where the files were looked for, names ``DLSIP_DATA`` and the four files.

Super-resolution
----------------
:func:`make_sr_pairs` cuts random patches from images and degrades them with
:func:`downscale` (bicubic with antialiasing); :func:`bicubic_upscale` is the baseline
that :class:`dlsip.models.SubPixelSR` must beat (chapter 6).
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    check_allocation,
    check_array,
    check_bool,
    check_callable,
    check_instance,
    check_nonneg_int,
    check_positive_int,
    check_tensor,
)

if TYPE_CHECKING:  # annotations only: importing dlsip.data does not import torch
    import torch
    import torchvision


__all__ = [
    "ENV_VAR",
    "MNIST_MEAN",
    "MNIST_STD",
    "DOWNLOAD_TIMEOUT",
    "MNISTNotFoundError",
    "MNISTChecksumError",
    "data_root",
    "mnist_files",
    "raw_folder",
    "sha256",
    "verify_file",
    "ensure_mnist",
    "read_idx",
    "mnist_arrays",
    "lecture_normalize",
    "load_mnist",
    "mnist_tensors",
    "make_sr_pairs",
    "downscale",
    "bicubic_upscale",
    "MNIST_SHA256",
]

#: Environment variable naming the data root.
ENV_VAR = "DLSIP_DATA"

#: SHA-256 of the canonical uncompressed IDX files (LeCun, Cortes & Burges).
MNIST_SHA256 = {
    "train-images-idx3-ubyte": (
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
    ),
    "train-labels-idx1-ubyte": (
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
    ),
    "t10k-images-idx3-ubyte": (
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
    ),
    "t10k-labels-idx1-ubyte": (
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
    ),
}

#: The normalisation constants of the training images scaled to [0, 1].
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081

# Seconds that one connection attempt of the download may take before it gives up.
DOWNLOAD_TIMEOUT = 10.0

_IDX_DTYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: ">i2",
    0x0C: ">i4",
    0x0D: ">f4",
    0x0E: ">f8",
}
#: What a path argument may be (open() would take an int for a file descriptor).
_PATH = (str, os.PathLike)
_verified: dict[
    tuple[str, int, int], str
] = {}  # (path, size, mtime_ns) -> digest already checked


class MNISTNotFoundError(FileNotFoundError):
    """The MNIST files are not where they were looked for, and could not be fetched."""


class MNISTChecksumError(ValueError):
    """A raw MNIST file does not have the canonical SHA-256: corrupt, or not MNIST."""


def data_root(root: str | os.PathLike | None = None) -> Path:
    """The data root: ``root`` if given, else ``$DLSIP_DATA``, else ``~/.cache/dlsip``.

    Examples
    --------
    >>> str(data_root("/srv/data"))
    '/srv/data'
    """
    if root is not None:
        return Path(check_instance(root, "root", _PATH, "a path")).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "dlsip"


def mnist_files(train: bool = True) -> tuple[str, str]:
    """The names of the image and label files of the training or the test split."""
    prefix = "train" if check_bool(train, "train") else "t10k"
    return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"


def raw_folder(root: str | os.PathLike | None = None) -> Path:
    """The folder that holds (or will hold) the four raw files: ``<root>/MNIST/raw``."""
    return data_root(root) / "MNIST" / "raw"


def sha256(path: str | os.PathLike, *, chunk_size: int = 1 << 20) -> str:
    """The SHA-256 hex digest of a file, read in chunks of ``chunk_size`` bytes.

    Raises
    ------
    TypeError, ValueError
        If ``path`` is not a str or ``os.PathLike`` (an int would be taken for a file
        descriptor), or ``chunk_size`` is not a positive integer.
    """
    path = check_instance(path, "path", _PATH, "a path")
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_file(path: str | os.PathLike, expected: str) -> None:
    """Raise :class:`MNISTChecksumError` unless the file's SHA-256 is ``expected``.

    A file that passed once is not hashed again while its size and modification time
    stay the same, so repeated loads in one session cost nothing.
    """
    path = Path(check_instance(path, "path", _PATH, "a path"))
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if _verified.get(key) == expected:
        return
    actual = sha256(path)
    if actual != expected:
        raise MNISTChecksumError(
            f"{path.name} is corrupt or not the canonical MNIST file: its SHA-256 is "
            f"{actual}, "
            f"expected {expected} (file: {path}). Delete it and download it again."
        )
    _verified[key] = expected


def _missing_error(
    folder: Path, missing: list[str], cause: BaseException | None
) -> MNISTNotFoundError:
    why = (
        f" The download failed too ({type(cause).__name__}: {cause})." if cause else ""
    )
    return MNISTNotFoundError(
        f"MNIST is not in {folder}: missing {', '.join(missing)}.{why} "
        f"Put the four uncompressed files {', '.join(MNIST_SHA256)} in "
        "<root>/MNIST/raw/ and "
        f"point the environment variable {ENV_VAR} at <root> (or pass root=...)."
    )


def _download(root: Path) -> None:
    """torchvision's download, with a short socket timeout: no network fails fast."""
    from torchvision.datasets import MNIST

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT)
    try:
        MNIST(root=str(root), train=True, download=True)
    finally:
        socket.setdefaulttimeout(previous)


def ensure_mnist(
    root: str | os.PathLike | None = None,
    *,
    train: bool | None = None,
    download: bool = True,
) -> Path:
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
    download = check_bool(download, "download")
    root_path = data_root(root)
    folder = raw_folder(root_path)
    names = list(MNIST_SHA256) if train is None else list(mnist_files(train))
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        cause = None
        if download:
            try:
                _download(root_path)
            except (
                Exception
            ) as exc:  # any network or HTTP failure: reported below, with its cause
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
    path = Path(check_instance(path, "path", _PATH, "a path"))
    data = path.read_bytes()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(
            f"{path.name} is not an IDX file: it does not start with two zero bytes"
        )
    code, ndim = data[2], data[3]
    if code not in _IDX_DTYPES:
        raise ValueError(f"{path.name} has an unknown IDX type code 0x{code:02x}")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(
            f"{path.name} is truncated: {len(data)} bytes, shorter than its "
            f"{header}-byte header"
        )
    shape = tuple(
        int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4)
    )
    dtype = np.dtype(_IDX_DTYPES[code])
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        raise ValueError(
            f"{path.name} has {len(data)} bytes, but its header {shape} says "
            f"{expected}: the file is truncated or corrupt"
        )
    return (
        np.frombuffer(data, dtype=dtype, offset=header)
        .reshape(shape)
        .astype(dtype.newbyteorder("="))
    )


def mnist_arrays(
    train: bool = True,
    *,
    root: str | os.PathLike | None = None,
    download: bool = True,
    verify: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST as NumPy arrays: images uint8 ``(N, 28, 28)`` and labels int64 ``(N,)``.

    N is 60,000 for the training split and 10,000 for the test split. Reading both files
    takes a fraction of a second, much faster than iterating over the torchvision
    dataset.

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
        Missing files, a wrong checksum, or a malformed file (images and labels
        disagree).
    """
    image_name, label_name = mnist_files(train)
    download = check_bool(download, "download")
    if check_bool(verify, "verify"):
        folder = ensure_mnist(root, train=train, download=download)
    else:
        folder = raw_folder(root)
        missing = [n for n in (image_name, label_name) if not (folder / n).is_file()]
        if missing:
            raise _missing_error(folder, missing, None)
    images = read_idx(folder / image_name)
    labels = read_idx(folder / label_name)
    if (
        images.ndim != 3
        or labels.ndim != 1
        or images.dtype != np.uint8
        or labels.dtype != np.uint8
    ):
        raise ValueError(
            f"{image_name} must hold uint8 images (N, H, W) and {label_name} uint8 "
            "labels (N,), "
            f"got {images.dtype} {images.shape} and {labels.dtype} {labels.shape}"
        )
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{image_name} has {images.shape[0]} images but {label_name} has "
            f"{labels.shape[0]} labels"
        )
    if labels.size and labels.max() > 9:
        raise ValueError(
            f"{label_name} has a label {int(labels.max())}; MNIST labels are 0 to 9"
        )
    return images, labels.astype(np.int64)


def lecture_normalize(images: ArrayLike) -> np.ndarray:
    """The lecture's ``Normalize((0.5,), (0.5,))`` on uint8 images, with a channel axis.

    Parameters
    ----------
    images : array_like of uint8, shape (N, H, W)
        Grey images in [0, 255], as :func:`mnist_arrays` returns them.

    Returns
    -------
    ndarray of float32, shape (N, 1, H, W)
        ``(images / 255 - 0.5) / 0.5``: values in [-1, 1], NCHW for the NumPy layers.

    Raises
    ------
    TypeError
        If ``images`` are not uint8 (the scale 255 would be wrong).
    ValueError
        If ``images`` are not 3D or are empty.

    Examples
    --------
    >>> lecture_normalize(np.array([[[0, 255]]], dtype=np.uint8))
    array([[[[-1.,  1.]]]], dtype=float32)
    """
    images = check_array(images, "images", ndim=3)
    if images.dtype != np.uint8:
        raise TypeError(
            f"images must be uint8 in [0, 255], got images.dtype={images.dtype}"
        )
    return ((images.astype(np.float32) / 255.0 - 0.5) / 0.5)[:, None]


def load_mnist(
    train: bool = True,
    *,
    root: str | os.PathLike | None = None,
    download: bool = True,
    transform: Callable | None = None,
) -> torchvision.datasets.MNIST:
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
        Files missing and not downloadable; the message names ``DLSIP_DATA`` and the
        files.
    MNISTChecksumError
        A file with the wrong SHA-256.
    """
    from torchvision.datasets import MNIST

    if transform is not None:
        check_callable(transform, "transform")
    ensure_mnist(root, train=train, download=download)
    return MNIST(
        root=str(data_root(root)), train=train, download=False, transform=transform
    )


def mnist_tensors(
    train: bool = True,
    *,
    root: str | os.PathLike | None = None,
    normalize: bool = True,
    download: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST as in-memory tensors: float32 images ``(N, 1, 28, 28)``, int64 labels.

    With ``normalize`` the images are scaled to [0, 1] and standardised with
    :data:`MNIST_MEAN` and :data:`MNIST_STD`, as ``Normalize((0.1307,), (0.3081,))``
    does.
    """
    import torch

    normalize = check_bool(normalize, "normalize")
    images, labels = mnist_arrays(train, root=root, download=download)
    x = torch.from_numpy(images).float().div_(255.0).unsqueeze(1)
    if normalize:
        x = (x - MNIST_MEAN) / MNIST_STD
    return x, torch.from_numpy(labels)


# ---- Chapter 6: super-resolution data ----


def make_sr_pairs(
    images: Sequence[ArrayLike],
    *,
    scale: int,
    patch_size: int,
    n_patches: int,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Random high-resolution patches and their bicubic-downscaled versions.

    Parameters
    ----------
    images : sequence of ndarray, each (H, W), values in [0, 1]
    scale : int
        Downscaling factor ``r``.
    patch_size : int
        Side of a high-resolution patch; a multiple of ``scale``.
    n_patches : int
    seed : int
        Seeds the choice of images and positions.

    Returns
    -------
    low : torch.Tensor, shape (n_patches, 1, patch_size // scale, patch_size // scale)
    high : torch.Tensor, shape (n_patches, 1, patch_size, patch_size)
        float32.

    Raises
    ------
    TypeError
        If ``images`` is not a sequence of 2D arrays, or a size or ``seed`` is not an
        integer.
    ValueError
        If ``patch_size`` is not a multiple of ``scale`` or larger than an image,
        ``seed`` is negative, or ``n_patches`` patches would be an absurd allocation.

    Notes
    -----
    The degradation is :func:`downscale`: torch's bicubic interpolation with
    antialiasing, the usual model (MATLAB's ``imresize``) of super-resolution
    benchmarks.

    Examples
    --------
    >>> images = [np.zeros((20, 20))]
    >>> low, high = make_sr_pairs(images, scale=3, patch_size=9, n_patches=2)
    >>> tuple(low.shape), tuple(high.shape)
    ((2, 1, 3, 3), (2, 1, 9, 9))
    """
    import torch

    check_instance(images, "images", (list, tuple, np.ndarray), "a list of 2D images")
    scale = check_positive_int(scale, "scale")
    patch_size = check_positive_int(patch_size, "patch_size")
    n_patches = check_positive_int(n_patches, "n_patches")
    seed = check_nonneg_int(seed, "seed")
    if patch_size % scale:
        raise ValueError(
            f"patch_size must be a multiple of scale={scale}, got "
            f"patch_size={patch_size}"
        )
    if isinstance(images, np.ndarray) and images.ndim == 2:
        raise TypeError("images must be a sequence of 2D images, got one 2D array")
    images = [
        check_array(im, f"images[{i}]", ndim=2).astype(np.float32)
        for i, im in enumerate(images)
    ]
    if not images:
        raise ValueError(
            "images must contain at least one image, got an empty sequence"
        )
    for i, im in enumerate(images):
        if min(im.shape) < patch_size:
            raise ValueError(
                f"patch_size={patch_size} is larger than images[{i}] with shape "
                f"{im.shape}"
            )
    check_allocation(
        (n_patches, 1, patch_size, patch_size),
        f"n_patches={n_patches} and patch_size={patch_size}",
        what="patches",
    )
    rng = np.random.default_rng(seed)
    which = rng.integers(len(images), size=n_patches)
    patches = np.empty((n_patches, 1, patch_size, patch_size), dtype=np.float32)
    for t, i in enumerate(which):
        h, w = images[i].shape
        r0, c0 = rng.integers(h - patch_size + 1), rng.integers(w - patch_size + 1)
        patches[t, 0] = images[i][r0 : r0 + patch_size, c0 : c0 + patch_size]
    high = torch.from_numpy(patches)
    return downscale(high, scale=scale), high


def downscale(x: torch.Tensor, *, scale: int) -> torch.Tensor:
    """Bicubic downscaling with antialiasing (torch), as :func:`make_sr_pairs` does.

    Parameters
    ----------
    x : torch.Tensor, shape (N, C, H, W)
        ``H`` and ``W`` multiples of ``scale``.
    scale : int

    Returns
    -------
    torch.Tensor, shape (N, C, H // scale, W // scale)

    Raises
    ------
    TypeError
        If ``x`` is not a floating-point tensor, or ``scale`` not an integer.
    ValueError
        If ``x`` is not 4D or is empty, or ``H`` or ``W`` is not a multiple of
        ``scale``.

    Examples
    --------
    >>> import torch
    >>> y = downscale(torch.ones(1, 1, 6, 6), scale=3)  # a constant stays constant
    >>> tuple(y.shape), torch.allclose(y, torch.ones(1, 1, 2, 2))
    ((1, 1, 2, 2), True)
    """
    import torch.nn.functional as F

    x = check_tensor(x, "x", layout="(N, C, H, W)", floating=True)
    scale = check_positive_int(scale, "scale")
    h, w = x.shape[-2:]
    if h % scale or w % scale:
        raise ValueError(
            f"x must have a height and width divisible by scale={scale}, got shape "
            f"{tuple(x.shape)}"
        )
    return F.interpolate(
        x,
        size=(h // scale, w // scale),
        mode="bicubic",
        align_corners=False,
        antialias=True,
    )


def bicubic_upscale(x: torch.Tensor, *, scale: int) -> torch.Tensor:
    """Bicubic upscaling by ``scale`` (torch, ``align_corners=False``): the baseline.

    Parameters
    ----------
    x : torch.Tensor, shape (N, C, H, W)
    scale : int

    Returns
    -------
    torch.Tensor, shape (N, C, H * scale, W * scale)

    Raises
    ------
    TypeError
        If ``x`` is not a floating-point tensor, or ``scale`` not an integer.
    ValueError
        If ``x`` is not 4D or is empty, ``scale`` is below 1, or the output would be an
        absurd allocation.

    Examples
    --------
    >>> import torch
    >>> bicubic_upscale(torch.ones(1, 1, 2, 2), scale=3).shape
    torch.Size([1, 1, 6, 6])
    """
    import torch.nn.functional as F

    x = check_tensor(x, "x", layout="(N, C, H, W)", floating=True)
    scale = check_positive_int(scale, "scale")
    n, c, h, w = x.shape
    check_allocation(
        (n, c, h * scale, w * scale),
        f"scale={scale} on x of shape {tuple(x.shape)}",
        what="an upscaled batch",
    )
    return F.interpolate(x, scale_factor=scale, mode="bicubic", align_corners=False)
