"""Tests of dlsip.layers.convert: the lecture's CNN copied from torch computes torch's
forward and backward passes in float64; the NumPy lecture CNN has torch's shapes."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlsip import layers as L
from tests.layers._oracle import TOL, assert_close, t64


def torch_lecture_cnn():
    from dlsip.models import LectureCNN  # chapter 5's torch model, the notebooks' one

    return LectureCNN().double()


@pytest.mark.parametrize("training", [True, False])
def test_lecture_cnn_from_torch_matches_forward_and_backward(training):
    torch.manual_seed(0)
    tnet = torch_lecture_cnn()
    tnet.train(training)
    net = L.from_torch(tnet)
    assert net.training == training
    rng = np.random.default_rng(21)
    x = rng.standard_normal((5, 1, 28, 28))
    labels = rng.integers(0, 10, 5)
    logits = net.forward(x)
    loss, dlogits = L.softmax_cross_entropy(logits, labels)
    dx = net.backward(dlogits)
    tx = t64(x, grad=True)
    t_logits = tnet(tx)
    t_loss = F.cross_entropy(t_logits, torch.from_numpy(labels))
    t_loss.backward()
    assert_close(logits, t_logits.detach().numpy())
    assert abs(loss - t_loss.item()) < TOL
    assert_close(dx, tx.grad.numpy())
    t_params = list(tnet.parameters())
    assert len(net.grads()) == len(t_params) == 10
    for k, (g, p) in enumerate(zip(net.grads(), t_params)):
        if training and k in (1, 5):
            # A conv bias followed by batch norm in training mode has gradient exactly 0
            # in exact arithmetic (BN subtracts the batch mean): both are round-off.
            assert np.abs(g).max() < 1e-14 and np.abs(p.grad.numpy()).max() < 1e-14
        else:
            assert_close(g, p.grad.numpy())
    if training:
        t_bns = [m for m in tnet.modules() if isinstance(m, torch.nn.BatchNorm2d)]
        bns = [m for m in net.layers if isinstance(m, L.BatchNorm2d)]
        for bn, tbn in zip(bns, t_bns):
            assert_close(bn.running_mean, tbn.running_mean.numpy())
            assert_close(bn.running_var, tbn.running_var.numpy())


def test_lecture_cnn_numpy_has_the_lecture_shapes():
    net = L.lecture_cnn_numpy(rng=np.random.default_rng(0))
    t_params = [tuple(p.shape) for p in torch_lecture_cnn().parameters()]
    assert [p.shape for p in net.parameters()] == t_params
    assert all(p.dtype == np.float32 for p in net.parameters())


def test_from_torch_inserts_flatten_and_copies_other_layers():
    torch.manual_seed(2)

    class Net(torch.nn.Module):  # flattens in forward, as models written by hand do
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(1, 2, 3, stride=2, dilation=1)
            self.pool = torch.nn.AvgPool2d(2)
            self.act = torch.nn.LeakyReLU(0.2)
            self.skip = torch.nn.Identity()
            self.fc = torch.nn.Linear(2 * 2 * 2, 3)
            self.out = torch.nn.Sigmoid()

        def forward(self, x):
            h = self.skip(self.act(self.pool(self.conv(x))))
            return self.out(self.fc(h.view(len(x), -1)))

    tnet = Net().double()
    net = L.from_torch(tnet)
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Conv2d", "AvgPool2d", "LeakyReLU", "Flatten", "Linear", "Sigmoid"]
    x = np.random.default_rng(3).standard_normal((2, 1, 9, 9))
    assert_close(net(x), tnet(t64(x)).detach().numpy())
    assert net.layers[0].weight.dtype == np.float64
    assert L.from_torch(tnet, dtype=np.float32).layers[0].weight.dtype == np.float32


@pytest.mark.parametrize(
    "module, match",
    [
        (
            torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout()),
            "from_torch does not support Dropout",
        ),
        (torch.nn.Conv2d(2, 2, 3, groups=2), "groups=1"),
        (torch.nn.MaxPool2d(2, ceil_mode=True), "without dilation or ceil_mode"),
        (torch.nn.AvgPool2d(2, count_include_pad=False), "AvgPool2d with its defaults"),
        (torch.nn.Flatten(start_dim=2), r"Flatten\(start_dim=1\)"),
        (torch.nn.BatchNorm2d(2, affine=False), "BatchNorm with affine=True"),
        (np.zeros(3), "module must be a torch.nn.Module"),
    ],
)
def test_from_torch_rejects_unsupported_layers(module, match):
    with pytest.raises(TypeError, match=match):
        L.from_torch(module)
