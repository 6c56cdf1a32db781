"""Tests of dlsip/data.py. They write tiny IDX files to tmp_path and never use the
network; the checks on the real MNIST files run where $DLSIP_DATA points at them (as on
CI). The super-resolution pairs are checked against torch's interpolation."""

from __future__ import annotations

import hashlib
import struct
import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlsip import data
from tests.conftest import real_mnist_available


def write_idx(path, array: np.ndarray, code: int = 0x08):
    """Write an IDX file by the format's definition, independently of dlsip.data."""
    header = bytes([0, 0, code, array.ndim]) + b"".join(
        struct.pack(">I", d) for d in array.shape
    )
    path.write_bytes(header + array.astype(array.dtype.newbyteorder(">")).tobytes())


def make_split(root, train=True, n=5, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    image_name, label_name = data.mnist_files(train)
    write_idx(raw / image_name, images)
    write_idx(raw / label_name, labels)
    return images, labels


def sums_of(folder):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()
    }


# ---- where the data live ----


def test_root_argument_beats_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DLSIP_DATA", "/somewhere/else")
    assert data.data_root(tmp_path) == tmp_path


def test_environment_beats_default(monkeypatch, tmp_path):
    monkeypatch.setenv("DLSIP_DATA", str(tmp_path))
    assert data.data_root() == tmp_path
    assert data.raw_folder() == tmp_path / "MNIST" / "raw"


def test_default_is_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("DLSIP_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data.data_root() == tmp_path / ".cache" / "dlsip"


def test_root_must_be_a_path():
    with pytest.raises(TypeError, match="root must be a path, got root=3"):
        data.data_root(3)


def test_train_must_be_bool():
    with pytest.raises(TypeError, match="train must be True or False, got train='yes'"):
        data.mnist_files("yes")


# ---- reading IDX files ----


@pytest.mark.parametrize("train", [True, False])
def test_mnist_arrays_reads_tiny_files(tmp_path, train):
    images, labels = make_split(tmp_path, train=train, n=7)
    x, y = data.mnist_arrays(train, root=tmp_path, verify=False)
    assert x.dtype == np.uint8 and x.shape == (7, 28, 28)
    assert y.dtype == np.int64 and y.shape == (7,)
    np.testing.assert_array_equal(x, images)
    np.testing.assert_array_equal(y, labels)


@pytest.mark.parametrize(
    "dtype,code",
    [
        (np.uint8, 0x08),
        (np.int16, 0x0B),
        (np.int32, 0x0C),
        (np.float32, 0x0D),
        (np.float64, 0x0E),
    ],
)
def test_read_idx_types(tmp_path, dtype, code):
    arr = (
        (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
        if dtype != np.uint8
        else np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    )
    write_idx(tmp_path / "a.idx", arr, code)
    out = data.read_idx(tmp_path / "a.idx")
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative
    np.testing.assert_array_equal(out, arr)


def test_truncated_file_is_an_error(tmp_path):
    make_split(tmp_path)
    path = tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(
        ValueError, match="train-images-idx3-ubyte has .* bytes, but its header .* says"
    ):
        data.mnist_arrays(root=tmp_path, verify=False)


def test_not_an_idx_file(tmp_path):
    (tmp_path / "x").write_bytes(b"hello world")
    with pytest.raises(ValueError, match="x is not an IDX file"):
        data.read_idx(tmp_path / "x")


def test_unknown_type_code(tmp_path):
    (tmp_path / "x").write_bytes(bytes([0, 0, 0x42, 1, 0, 0, 0, 0]))
    with pytest.raises(ValueError, match="unknown IDX type code 0x42"):
        data.read_idx(tmp_path / "x")


def test_images_and_labels_must_agree(tmp_path):
    make_split(tmp_path, n=5)
    write_idx(
        tmp_path / "MNIST" / "raw" / "train-labels-idx1-ubyte",
        np.zeros(4, dtype=np.uint8),
    )
    with pytest.raises(
        ValueError, match="has 5 images but train-labels-idx1-ubyte has 4 labels"
    ):
        data.mnist_arrays(root=tmp_path, verify=False)


def test_labels_must_be_digits(tmp_path):
    make_split(tmp_path, n=3)
    write_idx(
        tmp_path / "MNIST" / "raw" / "train-labels-idx1-ubyte",
        np.array([1, 12, 3], dtype=np.uint8),
    )
    with pytest.raises(ValueError, match="has a label 12; MNIST labels are 0 to 9"):
        data.mnist_arrays(root=tmp_path, verify=False)


# ---- integrity ----


def test_checksum_mismatch_names_file_and_both_digests(tmp_path):
    make_split(tmp_path)
    path = tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte"
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    expected = data.MNIST_SHA256["train-images-idx3-ubyte"]
    with pytest.raises(data.MNISTChecksumError) as info:
        data.mnist_arrays(root=tmp_path, download=False)
    message = str(info.value)
    assert (
        "train-images-idx3-ubyte" in message
        and actual in message
        and expected in message
    )


def test_checksums_pass_and_are_cached(tmp_path, monkeypatch):
    make_split(tmp_path, train=False)
    sums = sums_of(tmp_path / "MNIST" / "raw")
    monkeypatch.setattr(data, "MNIST_SHA256", sums)
    calls = []
    real_sha256 = data.sha256
    monkeypatch.setattr(data, "sha256", lambda p: calls.append(p) or real_sha256(p))
    x1, _ = data.mnist_arrays(False, root=tmp_path, download=False)
    x2, _ = data.mnist_arrays(False, root=tmp_path, download=False)
    assert len(calls) == 2  # two files hashed once each, not again on the second load
    np.testing.assert_array_equal(x1, x2)


def test_modified_file_is_hashed_again(tmp_path, monkeypatch):
    make_split(tmp_path, train=False)
    monkeypatch.setattr(data, "MNIST_SHA256", sums_of(tmp_path / "MNIST" / "raw"))
    data.mnist_arrays(False, root=tmp_path, download=False)
    path = tmp_path / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    corrupted = bytearray(path.read_bytes())
    corrupted[-1] ^= 1
    path.write_bytes(bytes(corrupted))
    with pytest.raises(
        data.MNISTChecksumError, match="t10k-labels-idx1-ubyte is corrupt"
    ):
        data.mnist_arrays(False, root=tmp_path, download=False)


# ---- missing files ----


def test_missing_without_download_names_variable_and_files(tmp_path):
    with pytest.raises(data.MNISTNotFoundError) as info:
        data.load_mnist(root=tmp_path, download=False)
    message = str(info.value)
    assert "DLSIP_DATA" in message
    for name in data.MNIST_SHA256:
        assert name in message
    assert str(tmp_path / "MNIST" / "raw") in message


def test_failed_download_is_reported_with_its_cause(tmp_path, monkeypatch):
    monkeypatch.setenv("DLSIP_DATA", str(tmp_path))

    def no_network(root):
        raise OSError("Name or service not known")

    monkeypatch.setattr(data, "_download", no_network)
    start = time.perf_counter()
    with pytest.raises(
        data.MNISTNotFoundError,
        match="download failed too .*Name or service not known.*DLSIP_DATA",
    ):
        data.load_mnist()
    with pytest.raises(data.MNISTNotFoundError, match="DLSIP_DATA"):
        data.mnist_arrays(train=False)
    assert time.perf_counter() - start < 30  # a generous bound: no retries, no waiting


def test_download_uses_a_socket_timeout(monkeypatch, tmp_path):
    """The download runs with a finite socket timeout, restored afterwards."""
    import socket

    import torchvision.datasets

    seen = {}

    class FakeMNIST:
        def __init__(self, root, train, download):
            seen["timeout"] = socket.getdefaulttimeout()
            raise RuntimeError("offline")

    monkeypatch.setattr(torchvision.datasets, "MNIST", FakeMNIST)
    before = socket.getdefaulttimeout()
    with pytest.raises(data.MNISTNotFoundError, match="RuntimeError: offline"):
        data.ensure_mnist(tmp_path)
    assert seen["timeout"] == data.DOWNLOAD_TIMEOUT
    assert socket.getdefaulttimeout() == before


# ---- the real files (where $DLSIP_DATA has them, as on CI) ----

needs_mnist = pytest.mark.skipif(
    not real_mnist_available(), reason="DLSIP_DATA does not point at the MNIST files"
)


@needs_mnist
def test_real_mnist_facts():
    x, y = data.mnist_arrays(train=True)
    assert x.shape == (60000, 28, 28) and y.shape == (60000,)
    assert y[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    scaled = x / 255.0
    assert round(float(scaled.mean()), 4) == data.MNIST_MEAN
    assert round(float(scaled.std()), 4) == data.MNIST_STD
    xt, yt = data.mnist_arrays(train=False)
    assert xt.shape == (10000, 28, 28) and np.bincount(yt).sum() == 10000


@needs_mnist
def test_real_load_mnist_is_torchvision_dataset():
    import torchvision

    ds = data.load_mnist(train=False, transform=torchvision.transforms.ToTensor())
    assert isinstance(ds, torchvision.datasets.MNIST) and len(ds) == 10000
    image, label = ds[0]
    xt, yt = data.mnist_arrays(train=False)
    assert tuple(image.shape) == (1, 28, 28) and label == yt[0]
    np.testing.assert_allclose(image[0].numpy(), xt[0] / 255.0, atol=1e-7)


@needs_mnist
def test_real_mnist_tensors_are_normalised():
    x, y = data.mnist_tensors(train=True)
    assert tuple(x.shape) == (60000, 1, 28, 28) and str(x.dtype) == "torch.float32"
    assert abs(float(x.mean())) < 1e-3 and abs(float(x.std()) - 1) < 1e-3


# ---- Chapter 6: super-resolution pairs ----


def test_make_sr_pairs_is_seeded_and_uses_antialiased_bicubic():
    rng = np.random.default_rng(6)
    images = [rng.random((40, 50)), rng.random((30, 30))]
    low, high = data.make_sr_pairs(images, scale=3, patch_size=12, n_patches=5, seed=1)
    low2, high2 = data.make_sr_pairs(
        images, scale=3, patch_size=12, n_patches=5, seed=1
    )
    assert torch.equal(low, low2) and torch.equal(high, high2)
    assert (
        low.dtype == torch.float32
        and tuple(low.shape) == (5, 1, 4, 4)
        and tuple(high.shape) == (5, 1, 12, 12)
    )
    expected = F.interpolate(
        high, size=(4, 4), mode="bicubic", align_corners=False, antialias=True
    )
    torch.testing.assert_close(low, expected, rtol=0, atol=0)
    # Every patch is a crop of one of the images.
    for patch in high[:, 0].numpy():
        found = any(
            np.array_equal(im[i : i + 12, j : j + 12].astype(np.float32), patch)
            for im in images
            for i in range(im.shape[0] - 11)
            for j in range(im.shape[1] - 11)
        )
        assert found


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            dict(images=[np.zeros((20, 20))], scale=3, patch_size=10, n_patches=1),
            ValueError,
            "multiple of scale=3",
        ),
        (
            dict(images=[np.zeros((8, 20))], scale=3, patch_size=9, n_patches=1),
            ValueError,
            r"larger than images\[0\]",
        ),
        (
            dict(images=[], scale=3, patch_size=9, n_patches=1),
            ValueError,
            "at least one image",
        ),
        (
            dict(images=[np.zeros((20, 20))], scale=0, patch_size=9, n_patches=1),
            ValueError,
            "scale must be a positive",
        ),
        (
            dict(images=np.zeros((20, 20)), scale=3, patch_size=9, n_patches=1),
            TypeError,
            "sequence of 2D images",
        ),
    ],
)
def test_make_sr_pairs_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        data.make_sr_pairs(**kwargs)


def test_downscale_and_upscale():
    x = torch.rand(2, 1, 12, 9)
    assert tuple(data.downscale(x, scale=3).shape) == (2, 1, 4, 3)
    assert tuple(data.bicubic_upscale(x, scale=3).shape) == (2, 1, 36, 27)
    const = torch.full((1, 1, 4, 4), 0.3)
    torch.testing.assert_close(
        data.bicubic_upscale(const, scale=3), torch.full((1, 1, 12, 12), 0.3)
    )
    with pytest.raises(ValueError, match="divisible by scale=3"):
        data.downscale(torch.zeros(1, 1, 10, 9), scale=3)


@pytest.mark.parametrize("func", ["downscale", "bicubic_upscale"])
@pytest.mark.parametrize(
    ("x", "error", "match"),
    [
        (np.zeros((1, 1, 6, 6)), TypeError, "x must be a floating-point torch.Tensor"),
        (
            torch.zeros(1, 1, 6, 6, dtype=torch.int64),
            TypeError,
            "x must be a floating-point",
        ),
        (
            torch.zeros(6, 6),
            ValueError,
            r"x must be 4D \(N, C, H, W\), got x with shape \(6, 6\)",
        ),
    ],
)
def test_resizing_rejects_what_is_not_a_float_batch(func, x, error, match):
    with pytest.raises(error, match=match):
        getattr(data, func)(x, scale=3)


def test_scale_is_keyword_only():
    with pytest.raises(TypeError):
        data.downscale(torch.zeros(1, 1, 6, 6), 3)


def test_lecture_normalize_maps_0_255_to_minus_one_one_with_a_channel_axis():
    images = np.array([[[0, 51, 255]], [[255, 204, 0]]], dtype=np.uint8)
    out = data.lecture_normalize(images)
    assert out.dtype == np.float32 and out.shape == (2, 1, 1, 3)
    np.testing.assert_allclose(out[:, 0], (images / 255.0 - 0.5) / 0.5, atol=1e-6)


def test_lecture_normalize_rejects_images_that_are_not_uint8():
    with pytest.raises(TypeError, match="images must be uint8"):
        data.lecture_normalize(np.zeros((1, 2, 2)))
    with pytest.raises(ValueError, match="images must be 3D"):
        data.lecture_normalize(np.zeros((2, 2), dtype=np.uint8))


# ---- arguments checked before any file is read or any array allocated ----


def test_sha256_reads_in_chunks_of_any_positive_size(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(bytes(range(256)) * 5)
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    assert data.sha256(path, chunk_size=1) == data.sha256(path) == expected


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        # chunk_size=0 read nothing and gave the digest of an empty file
        ({"chunk_size": 0}, ValueError, "chunk_size must be a positive integer"),
        ({"chunk_size": 0.5}, TypeError, "chunk_size must be an integer"),
        ({"chunk_size": False}, TypeError, "chunk_size must be an integer"),
        # an int is a file descriptor to open(): 0 would read stdin
        ({"path": 0}, TypeError, "path must be a path, got path=0"),
        ({"path": -1}, TypeError, "path must be a path, got path=-1"),
    ],
)
def test_sha256_rejects_bad_arguments(tmp_path, kwargs, error, match):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    with pytest.raises(error, match=match):
        data.sha256(**{"path": path, **kwargs})


@pytest.mark.parametrize("func", ["read_idx", "verify_file"])
def test_file_functions_reject_a_path_that_is_a_number(func):
    args = (-1, "0" * 64) if func == "verify_file" else (-1,)
    with pytest.raises(TypeError, match="path must be a path, got path=-1"):
        getattr(data, func)(*args)


@pytest.mark.parametrize(
    ("func", "kwargs", "match"),
    [
        ("ensure_mnist", {"download": 0}, "download must be True or False"),
        ("ensure_mnist", {"download": "yes"}, "download must be True or False"),
        ("mnist_arrays", {"download": "no"}, "download must be True or False"),
        ("mnist_arrays", {"verify": 0}, "verify must be True or False"),
        ("mnist_tensors", {"normalize": "yes"}, "normalize must be True or False"),
        ("mnist_tensors", {"download": 1}, "download must be True or False"),
        ("load_mnist", {"download": "False"}, "download must be True or False"),
        ("load_mnist", {"transform": 0}, "transform must be callable"),
    ],
)
def test_mnist_loaders_check_their_flags_before_looking_for_files(
    tmp_path, monkeypatch, func, kwargs, match
):
    def no_network(root):
        raise AssertionError("the flag was not checked before downloading")

    monkeypatch.setattr(data, "_download", no_network)
    with pytest.raises(TypeError, match=match):  # not MNISTNotFoundError
        getattr(data, func)(root=tmp_path, **{"download": False, **kwargs})


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"images": None},
            TypeError,
            "images must be a list of 2D images, got images=None",
        ),
        ({"seed": -1}, ValueError, "seed must be a non-negative integer, got seed=-1"),
        ({"seed": 0.5}, TypeError, "seed must be an integer, got seed=0.5"),
        ({"seed": False}, TypeError, "seed must be an integer, got seed=False"),
        (
            {"n_patches": 10**12},
            ValueError,
            "n_patches=1000000000000 and patch_size=6 would make patches of shape",
        ),
    ],
)
def test_make_sr_pairs_rejects_bad_arguments(kwargs, error, match):
    valid = {
        "images": [np.zeros((12, 12))],
        "scale": 2,
        "patch_size": 6,
        "n_patches": 3,
    }
    with pytest.raises(error, match=match):
        data.make_sr_pairs(**{**valid, **kwargs})


@pytest.mark.parametrize("func", ["downscale", "bicubic_upscale"])
@pytest.mark.parametrize("shape", [(0, 1, 6, 6), (1, 0, 6, 6), (1, 1, 0, 6)])
def test_resizing_rejects_an_empty_batch(func, shape):
    with pytest.raises(ValueError, match=r"x must not be empty, got x with shape \("):
        getattr(data, func)(torch.zeros(shape), scale=3)


def test_bicubic_upscale_refuses_an_absurd_scale_before_allocating():
    with pytest.raises(
        ValueError, match=r"scale=1000000000000 on x of shape \(1, 1, 2, 2\)"
    ):
        data.bicubic_upscale(torch.zeros(1, 1, 2, 2), scale=10**12)
