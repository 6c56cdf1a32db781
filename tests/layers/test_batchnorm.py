"""Tests of dlsip.layers.batchnorm: several training steps and eval mode against torch
in float64 (outputs, gradients, running statistics), finite differences, errors; folding
batch norm into a convolution and into a whole Sequential."""

import copy
from collections import OrderedDict

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlsip import layers as L
from dlsip.gradcheck import check_gradients, relative_error
from dlsip.models import LectureCNN
from tests.layers._oracle import TOL, assert_close, torch_grads

BN_SHAPES = [(2, 3), (7, 5), (2, 3, 1, 1), (2, 3, 5, 4), (4, 1, 3, 7)]


def torch_bn(x, gamma, beta, rm, rv, training, momentum=0.1, eps=1e-5):
    return F.batch_norm(
        x, rm, rv, gamma, beta, training=training, momentum=momentum, eps=eps
    )


@pytest.mark.parametrize("shape", BN_SHAPES)
@pytest.mark.parametrize("momentum, eps", [(0.1, 1e-5), (0.3, 1e-3)])
def test_batchnorm_training_steps_match_torch(shape, momentum, eps):
    """Several training steps: outputs, all gradients and the running statistics (with
    the
    unbiased m/(m-1) variance) equal torch's at every step."""
    rng = np.random.default_rng(17)
    c = shape[1]
    gamma, beta = rng.standard_normal(c), rng.standard_normal(c)
    rm, rv = rng.standard_normal(c), rng.uniform(0.5, 2, c)
    t_rm, t_rv = torch.tensor(rm), torch.tensor(rv)
    for step in range(4):
        x = rng.standard_normal(shape) * (step + 1) + step
        out, cache = L.batchnorm_forward(
            x,
            gamma,
            beta,
            running_mean=rm,
            running_var=rv,
            training=True,
            momentum=momentum,
            eps=eps,
        )
        assert isinstance(cache, L.BatchNormCache)
        dout = rng.standard_normal(shape)
        dx, dgamma, dbeta = L.batchnorm_backward(dout, cache)
        t_out, t_grads = torch_grads(
            lambda x, g, b: torch_bn(x, g, b, t_rm, t_rv, True, momentum, eps),
            [x, gamma, beta],
            dout,
        )
        assert_close(out, t_out)
        assert_close(dx, t_grads[0], 1e-9 if shape == (2, 3, 1, 1) else TOL)
        assert_close(dgamma, t_grads[1])
        assert_close(dbeta, t_grads[2])
        assert_close(rm, t_rm.numpy())
        assert_close(rv, t_rv.numpy())


@pytest.mark.parametrize("shape", BN_SHAPES)
def test_batchnorm_eval_matches_torch(shape):
    rng = np.random.default_rng(18)
    c = shape[1]
    gamma, beta = rng.standard_normal(c), rng.standard_normal(c)
    rm, rv = rng.standard_normal(c), rng.uniform(0.5, 2, c)
    rm0, rv0 = rm.copy(), rv.copy()
    x = rng.standard_normal(shape)
    out, cache = L.batchnorm_forward(
        x, gamma, beta, running_mean=rm, running_var=rv, training=False
    )
    dout = rng.standard_normal(shape)
    grads = L.batchnorm_backward(dout, cache)
    t_out, t_grads = torch_grads(
        lambda x, g, b: torch_bn(x, g, b, torch.tensor(rm), torch.tensor(rv), False),
        [x, gamma, beta],
        dout,
    )
    assert_close(out, t_out)
    for g, tg in zip(grads, t_grads):
        assert_close(g, tg)
    np.testing.assert_array_equal(rm, rm0)  # eval mode leaves the statistics alone
    np.testing.assert_array_equal(rv, rv0)


@pytest.mark.parametrize("shape", [(3, 2), (2, 2, 3, 3)])
@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_finite_differences(shape, training):
    rng = np.random.default_rng(19)
    c = shape[1]
    rm, rv = rng.standard_normal(c), rng.uniform(0.5, 2, c)

    def fwd(x, gamma, beta):
        # fresh copies: the running statistics must not drift during the check
        return L.batchnorm_forward(
            x,
            gamma,
            beta,
            running_mean=rm.copy(),
            running_var=rv.copy(),
            training=training,
        )

    inputs = {
        "x": rng.standard_normal(shape),
        "gamma": rng.standard_normal(c),
        "beta": rng.standard_normal(c),
    }
    errors = check_gradients(fwd, L.batchnorm_backward, inputs, rng=rng)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"x": np.zeros((2, 3, 4))}, ValueError, r"x must be 2D or 4D"),
        ({"gamma": np.ones(4)}, ValueError, r"gamma must have shape \(3,\)"),
        (
            {"running_var": np.ones((3, 1))},
            ValueError,
            r"running_var must have shape \(3,\)",
        ),
        (
            {"x": np.zeros((1, 3))},
            ValueError,
            r"x must have more than one value per feature in training mode",
        ),
        ({"x": np.zeros((1, 3, 1, 1))}, ValueError, r"more than one value per feature"),
        ({"eps": -1e-5}, ValueError, r"eps must be >= 0.0, got eps=-1e-05"),
        ({"momentum": 1.5}, ValueError, r"momentum must be in \[0, 1\]"),
        (
            {"training": False, "running_mean": None},
            ValueError,
            r"running_mean and running_var are required",
        ),
        (
            {"running_mean": [0.0, 0.0, 0.0]},
            TypeError,
            r"running_mean must be a NumPy array to be updated",
        ),
        ({"beta": None}, ValueError, r"gamma and beta must be arrays"),
    ],
)
def test_batchnorm_errors(kwargs, error, match):
    args = {
        "x": np.zeros((4, 3)),
        "gamma": np.ones(3),
        "beta": np.zeros(3),
        "running_mean": np.zeros(3),
        "running_var": np.ones(3),
    }
    args.update(kwargs)
    x, gamma, beta = args.pop("x"), args.pop("gamma"), args.pop("beta")
    with pytest.raises(error, match=match):
        L.batchnorm_forward(x, gamma, beta, **args)


def test_batchnorm_backward_checks_dout_and_cache():
    out, cache = L.batchnorm_forward(
        np.random.default_rng(0).standard_normal((4, 3)), np.ones(3), np.zeros(3)
    )
    with pytest.raises(ValueError, match=r"dout must have the output's shape \(4, 3\)"):
        L.batchnorm_backward(np.zeros((3, 4)), cache)
    with pytest.raises(TypeError, match="cache must be the BatchNormCache"):
        L.batchnorm_backward(out, tuple(cache))


# ---------------------------------------------------------------------- folding


def _trained_bn(conv, seed=0):
    """A batch norm after ``conv``, with non-trivial parameters and statistics."""
    bn = torch.nn.BatchNorm2d(conv.out_channels).double()
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        bn.weight.uniform_(0.5, 2, generator=gen)
        bn.bias.normal_(generator=gen)
        for _ in range(3):
            x = torch.randn(
                8, conv.in_channels, 9, 9, dtype=torch.float64, generator=gen
            )
            bn(conv(x * 3 + 1))
    return bn.eval()


@pytest.mark.parametrize("seed", [0, 1])
def test_fold_batchnorm(seed):
    torch.manual_seed(seed)
    conv = torch.nn.Conv2d(3, 4, 3, stride=2, padding=1, bias=bool(seed)).double()
    bn = _trained_bn(conv, seed)
    w0 = conv.weight.detach().clone()
    folded = L.fold_batchnorm(conv, bn)
    x = torch.randn(2, 3, 9, 9, dtype=torch.float64)
    with torch.no_grad():
        assert relative_error(folded(x).numpy(), bn(conv(x)).numpy()) < TOL
    assert torch.equal(conv.weight, w0) and folded is not conv


def test_fold_batchnorm_errors():
    with pytest.raises(
        ValueError, match=r"bn must have num_features == conv.out_channels \(4\)"
    ):
        L.fold_batchnorm(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(5))
    with pytest.raises(TypeError, match="conv must be a torch.nn.Conv2d"):
        L.fold_batchnorm(torch.nn.Linear(3, 4), torch.nn.BatchNorm2d(4))
    with pytest.raises(TypeError, match="bn must be a torch.nn.BatchNorm2d"):
        L.fold_batchnorm(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU())
    with pytest.raises(ValueError, match="bn must track running statistics"):
        L.fold_batchnorm(
            torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4, track_running_stats=False)
        )


def _trained_lecture_cnn():
    torch.manual_seed(0)
    model = LectureCNN().double()
    model.train()
    with torch.no_grad():
        for bn in (model.bn1, model.bn2):
            bn.weight.uniform_(0.5, 2)
            bn.bias.normal_()
        for _ in range(3):  # running statistics that differ from the initial 0 and 1
            model(torch.rand(16, 1, 28, 28, dtype=torch.float64) * 2 - 0.5)
    return model


def test_fold_batchnorm_sequential_equals_the_unfolded_model_in_eval_mode():
    model = _trained_lecture_cnn()
    before = copy.deepcopy(model.state_dict())
    folded = L.fold_batchnorm_sequential(model)
    names = [name for name, _ in folded.named_children()]
    assert names == [
        "conv1",
        "relu1",
        "pool1",
        "conv2",
        "relu2",
        "pool2",
        "flatten",
        "fc",
    ]
    assert not folded.training and model.training  # the model's mode is left alone
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    x = torch.randn(5, 1, 28, 28, dtype=torch.float64)
    with torch.no_grad():
        expected = model.eval()(x).numpy()
        assert relative_error(folded(x).numpy(), expected) < TOL
    # The folded model is a copy: training the original does not change it.
    with torch.no_grad():
        model.fc.weight.add_(1.0)
        assert relative_error(folded(x).numpy(), expected) < TOL


def test_fold_batchnorm_sequential_folds_only_conv_bn_pairs():
    torch.manual_seed(1)
    conv_a, conv_b = (
        torch.nn.Conv2d(2, 3, 3).double(),
        torch.nn.Conv2d(3, 3, 1).double(),
    )
    model = torch.nn.Sequential(
        OrderedDict(
            [
                (
                    "bn0",
                    _trained_bn(torch.nn.Conv2d(2, 2, 1).double()),
                ),  # no conv before it
                ("a", conv_a),
                ("bn_a", _trained_bn(conv_a, 1)),
                ("act", torch.nn.Tanh()),
                ("b", conv_b),  # no batch norm after it
            ]
        )
    ).eval()
    folded = L.fold_batchnorm_sequential(model)
    assert [name for name, _ in folded.named_children()] == ["bn0", "a", "act", "b"]
    assert isinstance(folded.bn0, torch.nn.BatchNorm2d)
    x = torch.randn(2, 2, 7, 7, dtype=torch.float64)
    with torch.no_grad():
        assert relative_error(folded(x).numpy(), model(x).numpy()) < TOL


def test_fold_batchnorm_sequential_rejects_other_models():
    with pytest.raises(
        TypeError, match="model must be a torch.nn.Sequential, got model=Conv2d"
    ):
        L.fold_batchnorm_sequential(torch.nn.Conv2d(1, 1, 1))


def test_batchnorm_training_flag_must_be_a_bool():
    with pytest.raises(
        TypeError, match="training must be True or False, got training='no'"
    ):
        L.batchnorm_forward(np.zeros((4, 3)), np.ones(3), np.zeros(3), training="no")


def test_fold_batchnorm_sequential_names_the_pair_that_cannot_be_folded():
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(3))
    with pytest.raises(
        ValueError, match=r"model's pair '0' -> '1' cannot be folded: bn"
    ):
        L.fold_batchnorm_sequential(model)
