"""Tests of dlsip.layers.training: a NumPy CNN learns separable blobs; logits."""

import numpy as np
import pytest

from dlsip import layers as L


def _blobs(rng, n=200):
    y = rng.integers(0, 2, n)
    x = rng.standard_normal((n, 1, 6, 6)) + 2.0 * (2 * y - 1)[:, None, None, None]
    return x.astype(np.float32), y


def test_train_epoch_learns_separable_blobs():
    rng = np.random.default_rng(23)
    x, y = _blobs(rng)
    net = L.Sequential(
        L.Conv2d(1, 2, 3, rng=rng),
        L.ReLU(),
        L.MaxPool2d(2),
        L.Flatten(),
        L.Linear(8, 2, rng=rng),
    )
    opt = L.Adam(net, lr=0.01)
    steps = []
    for _ in range(3):
        losses, acc = L.train_epoch(
            net,
            opt,
            x,
            y,
            batch_size=32,
            rng=rng,
            callback=lambda step, loss: steps.append(step),
        )
    assert len(losses) == 7 and steps == list(range(7)) * 3  # 200 = 6 * 32 + 8
    assert acc > 0.95
    assert (L.predict_logits(net, x).argmax(1) == y).mean() > 0.95
    assert not net.training  # predict_logits leaves the model in eval mode


def test_predict_logits_batches_agree_with_one_pass():
    rng = np.random.default_rng(24)
    net = L.Sequential(L.Linear(3, 4, rng=rng, dtype=np.float64))
    x = rng.standard_normal((10, 3))
    np.testing.assert_allclose(
        L.predict_logits(net, x, batch_size=3), net(x), rtol=1e-15
    )


def test_training_errors():
    net = L.Sequential(L.Linear(2, 2, rng=np.random.default_rng(0)))
    opt = L.SGD(net, lr=0.1)
    with pytest.raises(
        ValueError,
        match=r"images and labels must have the same length .*, got images with shape "
        r"\(3, 2\) and labels with shape \(2,\)",
    ):
        L.train_epoch(net, opt, np.zeros((3, 2)), np.zeros(2, int))
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        L.train_epoch(net, opt, np.zeros((3, 2)), np.zeros(3, int), batch_size=0)
    with pytest.raises(TypeError, match="model must be a dlsip.layers.Module"):
        L.predict_logits(object(), np.zeros((3, 2)))
    assert not hasattr(L, "predict")  # renamed: dlsip.train.predict returns labels


@pytest.mark.parametrize(
    "images",
    [np.zeros((8, 2, 1), np.float32), np.zeros((8, 2, 2), np.float32)],
)
def test_images_that_do_not_fit_the_model_are_named(images):
    net = L.Sequential(L.Linear(2, 2, rng=np.random.default_rng(0)))
    match = rf"images with shape \(8, 2, {images.shape[2]}\) do not fit model: x must"
    with pytest.raises(ValueError, match=match):
        L.predict_logits(net, images)
    with pytest.raises(ValueError, match=match):
        L.train_epoch(net, L.SGD(net), images, np.zeros(8, int))


def test_training_flag_and_callable_errors():
    net = L.Sequential(L.Linear(2, 2, rng=np.random.default_rng(0)))
    x, y = np.zeros((3, 2), np.float32), np.zeros(3, int)
    with pytest.raises(
        TypeError, match="progress must be True or False, got progress=0"
    ):
        L.train_epoch(net, L.SGD(net), x, y, progress=0)
    with pytest.raises(TypeError, match=r"callback must be callable \(a function\)"):
        L.train_epoch(net, L.SGD(net), x, y, callback="print")


def test_training_type_errors():
    net = L.Sequential(L.Linear(2, 2, rng=np.random.default_rng(0)))
    x, y = np.zeros((3, 2), np.float32), np.zeros(3, int)
    with pytest.raises(TypeError, match="optimizer must be a dlsip.layers.SGD or Adam"):
        L.train_epoch(net, "adam", x, y)
    with pytest.raises(TypeError, match="callback must be callable"):
        L.train_epoch(net, L.SGD(net), x, y, callback=3)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        L.train_epoch(net, L.SGD(net), x, y, rng="seed")
    with pytest.raises(TypeError, match="labels must be integers"):
        L.train_epoch(net, L.SGD(net), x, y.astype(float))
