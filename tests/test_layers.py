"""Tests of dlsip.layers: every layer against torch autograd in float64 (forward and every
gradient, to 1e-10), against finite differences, against the naive loop versions, and on the
syllabus's worked examples; error messages; modules, optimisers and the lecture's CNN."""

from functools import partial

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlsip import layers as L
from dlsip.gradcheck import check_gradients, relative_error

TOL = 1e-10


def t64(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def torch_grads(fn, inputs, dout):
    """Output of fn(*inputs) in torch float64 and the gradients of <out, dout> w.r.t. inputs."""
    ts = [t64(a, grad=True) if a is not None else None for a in inputs]
    out = fn(*ts)
    grads = torch.autograd.grad(out, [t for t in ts if t is not None], t64(dout))
    return out.detach().numpy(), [g.numpy() for g in grads]


def assert_close(a, b, tol=TOL):
    assert np.shape(a) == np.shape(b)
    err = relative_error(a, b)
    assert err < tol, f"relative error {err:.3g} >= {tol}"


# --------------------------------------------------------------------------- convolution

CONV_CASES = [
    # (N, C, H, W, F, kH, kW, stride, padding, dilation, bias)
    (2, 3, 7, 7, 4, 3, 3, 1, 0, 1, True),
    (1, 1, 5, 5, 1, 2, 2, 1, 0, 1, True),                 # batch 1, the small case
    (2, 3, 9, 8, 5, 3, 3, 2, 1, 1, True),                 # stride 2, padding, odd/non-square
    (3, 2, 11, 10, 3, 3, 2, (2, 1), (1, 2), 2, False),    # non-square kernel, dilation, no bias
    (2, 4, 8, 9, 2, 1, 1, 1, 0, 1, True),                 # 1x1
    (1, 2, 6, 7, 3, 5, 3, (1, 3), 2, (1, 2), True),
    (2, 1, 4, 4, 2, 4, 4, 1, 0, 1, True),                 # kernel = input
]


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_matches_torch_forward_and_gradients(case):
    n, c, h, w_, f, kh, kw, s, p, d, bias = case
    rng = np.random.default_rng(hash(case) % 2**32)
    x, w = rng.standard_normal((n, c, h, w_)), rng.standard_normal((f, c, kh, kw))
    b = rng.standard_normal(f) if bias else None
    out, cache = L.conv2d_forward(x, w, b, stride=s, padding=p, dilation=d)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = L.conv2d_backward(dout, cache)
    t_out, t_grads = torch_grads(lambda x, w, b=None: F.conv2d(x, w, b, stride=s, padding=p, dilation=d),
                                 [x, w, b], dout)
    assert_close(out, t_out)
    assert_close(dx, t_grads[0])
    assert_close(dw, t_grads[1])
    if bias:
        assert_close(db, t_grads[2])
    else:
        assert db is None


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_naive_equals_fast(case):
    n, c, h, w_, f, kh, kw, s, p, d, bias = case
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((n, c, h, w_)), rng.standard_normal((f, c, kh, kw)), rng.standard_normal(f)
    fast, fcache = L.conv2d_forward(x, w, b, stride=s, padding=p, dilation=d)
    slow, scache = L.conv2d_forward_naive(x, w, b, stride=s, padding=p, dilation=d)
    assert_close(fast, slow)
    dout = rng.standard_normal(fast.shape)
    for a, b_ in zip(L.conv2d_backward(dout, fcache), L.conv2d_backward_naive(dout, scache)):
        assert_close(a, b_)


@pytest.mark.parametrize("case", CONV_CASES[:4])
def test_conv2d_finite_differences(case):
    n, c, h, w_, f, kh, kw, s, p, d, bias = case
    rng = np.random.default_rng(2)
    inputs = {"x": rng.standard_normal((n, c, h, w_)), "w": rng.standard_normal((f, c, kh, kw)),
              "b": rng.standard_normal(f)}
    errors = check_gradients(partial(L.conv2d_forward, stride=s, padding=p, dilation=d), L.conv2d_backward,
                             inputs, rng=rng)
    assert max(errors.values()) < 1e-6, errors


def test_conv2d_small_case_formulas():
    """The syllabus's small case: dL/dw is the correlation of the input with delta, dL/dx
    the full convolution of delta with the kernel (correlation with the rotated kernel)."""
    rng = np.random.default_rng(3)
    a, w, delta = rng.standard_normal((3, 3)), rng.standard_normal((2, 2)), rng.standard_normal((2, 2))
    _, cache = L.conv2d_forward(a[None, None], w[None, None])
    dx, dw, _ = L.conv2d_backward(delta[None, None], cache)
    expected_dw = np.array([[np.sum(a[m:m + 2, n:n + 2] * delta) for n in range(2)] for m in range(2)])
    padded = np.pad(delta, 1)
    rot = w[::-1, ::-1]
    expected_dx = np.array([[np.sum(padded[i:i + 2, j:j + 2] * rot) for j in range(3)] for i in range(3)])
    assert_close(dw[0, 0], expected_dw)
    assert_close(dx[0, 0], expected_dx)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_keeps_dtype(dtype):
    rng = np.random.default_rng(4)
    x, w, b = (rng.standard_normal(s).astype(dtype) for s in [(2, 3, 6, 6), (4, 3, 3, 3), (4,)])
    out, cache = L.conv2d_forward(x, w, b, padding=1)
    grads = L.conv2d_backward(np.ones_like(out), cache)
    assert out.dtype == dtype and all(g.dtype == dtype for g in grads)
    ref = F.conv2d(torch.from_numpy(x.astype(np.float64)), torch.from_numpy(w.astype(np.float64)),
                   torch.from_numpy(b.astype(np.float64)), padding=1).numpy()
    assert relative_error(out, ref) < (1e-6 if dtype == np.float32 else TOL)


# ------------------------------------------------------------------- transposed convolution

CONVT_CASES = [
    # (N, Cin, H, W, Cout, kH, kW, stride, padding, output_padding, dilation, bias)
    (2, 3, 4, 5, 2, 3, 3, 1, 0, 0, 1, True),
    (1, 1, 2, 2, 1, 2, 2, 2, 0, 0, 1, False),
    (2, 2, 5, 4, 3, 3, 2, 2, 1, 1, 1, True),
    (1, 3, 3, 6, 2, 4, 3, (3, 2), (1, 2), (2, 1), 1, True),
    (2, 2, 4, 4, 2, 3, 3, 1, 1, 1, 2, True),            # output_padding < dilation
]


@pytest.mark.parametrize("case", CONVT_CASES)
def test_conv_transpose2d_matches_torch(case):
    n, ci, h, w_, co, kh, kw, s, p, op, d, bias = case
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((n, ci, h, w_)), rng.standard_normal((ci, co, kh, kw))
    b = rng.standard_normal(co) if bias else None
    out, cache = L.conv_transpose2d_forward(x, w, b, stride=s, padding=p, output_padding=op, dilation=d)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = L.conv_transpose2d_backward(dout, cache)
    t_out, t_grads = torch_grads(
        lambda x, w, b=None: F.conv_transpose2d(x, w, b, stride=s, padding=p, output_padding=op, dilation=d),
        [x, w, b], dout)
    assert_close(out, t_out)
    assert_close(dx, t_grads[0])
    assert_close(dw, t_grads[1])
    if bias:
        assert_close(db, t_grads[2])


@pytest.mark.parametrize("case", CONVT_CASES[:3])
def test_conv_transpose2d_finite_differences(case):
    n, ci, h, w_, co, kh, kw, s, p, op, d, bias = case
    rng = np.random.default_rng(6)
    inputs = {"x": rng.standard_normal((n, ci, h, w_)), "w": rng.standard_normal((ci, co, kh, kw)),
              "b": rng.standard_normal(co)}
    fwd = partial(L.conv_transpose2d_forward, stride=s, padding=p, output_padding=op, dilation=d)
    errors = check_gradients(fwd, L.conv_transpose2d_backward, inputs, rng=rng)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("stride, expected", [
    (1, [[0, 0, 1], [0, 4, 6], [4, 12, 9]]),
    (2, [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]]),
])
def test_conv_transpose2d_syllabus_example(stride, expected):
    x = np.array([[0.0, 1.0], [2.0, 3.0]])[None, None]
    out, _ = L.conv_transpose2d_forward(x, x, stride=stride)
    np.testing.assert_array_equal(out[0, 0], expected)


@pytest.mark.parametrize("s, p, d", [(1, 0, 1), (2, 1, 1), (2, 0, 2)])
def test_conv_transpose_is_the_adjoint_of_conv(s, p, d):
    """<conv(x), y> = <x, conv_transpose(y)>: the transposed convolution multiplies by the
    transpose of the convolution's matrix."""
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((2, 3, 9, 9)), rng.standard_normal((4, 3, 3, 3))
    y_shape = L.conv2d_forward(x, w, stride=s, padding=p, dilation=d)[0].shape
    y = rng.standard_normal(y_shape)
    op = (9 + 2 * p - d * 2 - 1) % s         # recovers the input size exactly
    ct, _ = L.conv_transpose2d_forward(y, w, stride=s, padding=p, dilation=d, output_padding=op)
    assert ct.shape == x.shape
    lhs = np.sum(L.conv2d_forward(x, w, stride=s, padding=p, dilation=d)[0] * y)
    assert abs(lhs - np.sum(x * ct)) < 1e-10 * abs(lhs) + 1e-12
    # and it is the input gradient of the convolution
    _, cache = L.conv2d_forward(x, w, stride=s, padding=p, dilation=d)
    assert_close(L.conv2d_backward(y, cache)[0], ct)


# ------------------------------------------------------------------------------- pooling

POOL_CASES = [
    # (shape, kernel_size, stride, padding)
    ((2, 3, 8, 8), 2, None, 0),
    ((1, 2, 7, 9), 3, 2, 1),            # overlapping windows, padding, odd sizes
    ((2, 1, 6, 5), (3, 2), (1, 2), (1, 0)),
    ((1, 1, 5, 5), 3, 1, 0),            # stride 1: heavy overlap
    ((3, 2, 9, 7), 2, 2, 0),            # odd size: last row/column dropped
]


@pytest.mark.parametrize("shape, k, s, p", POOL_CASES)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_matches_torch(shape, k, s, p, kind):
    rng = np.random.default_rng(8)
    x = rng.standard_normal(shape)
    fwd, bwd = (L.maxpool2d_forward, L.maxpool2d_backward) if kind == "max" else (L.avgpool2d_forward, L.avgpool2d_backward)
    tfn = F.max_pool2d if kind == "max" else F.avg_pool2d
    out, cache = fwd(x, kernel_size=k, stride=s, padding=p)
    dout = rng.standard_normal(out.shape)
    t_out, (t_dx,) = torch_grads(lambda x: tfn(x, k, s, p), [x], dout)
    assert_close(out, t_out)
    assert_close(bwd(dout, cache), t_dx)


@pytest.mark.parametrize("shape, k, s, p", POOL_CASES)
def test_maxpool_ties_follow_torch(shape, k, s, p):
    """With many ties (values in {0, 1, 2}), the whole gradient of a window goes to one
    arg-max, the same one as in torch: the first in row-major order."""
    rng = np.random.default_rng(9)
    x = rng.integers(0, 3, size=shape).astype(np.float64)
    out, cache = L.maxpool2d_forward(x, kernel_size=k, stride=s, padding=p)
    dout = rng.standard_normal(out.shape)
    _, (t_dx,) = torch_grads(lambda x: F.max_pool2d(x, k, s, p), [x], dout)
    np.testing.assert_array_equal(L.maxpool2d_backward(dout, cache), t_dx)


@pytest.mark.parametrize("shape, k, s, p", POOL_CASES)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_naive_equals_fast(shape, k, s, p, kind):
    rng = np.random.default_rng(10)
    x = rng.standard_normal(shape)
    mod = "maxpool2d" if kind == "max" else "avgpool2d"
    fast, fcache = getattr(L, f"{mod}_forward")(x, kernel_size=k, stride=s, padding=p)
    slow, scache = getattr(L, f"{mod}_forward_naive")(x, kernel_size=k, stride=s, padding=p)
    assert_close(fast, slow)
    dout = rng.standard_normal(fast.shape)
    assert_close(getattr(L, f"{mod}_backward")(dout, fcache), getattr(L, f"{mod}_backward_naive")(dout, scache))


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_finite_differences(kind):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 2, 7, 6))    # distinct values: max is differentiable here
    fwd = L.maxpool2d_forward if kind == "max" else L.avgpool2d_forward
    bwd = L.maxpool2d_backward if kind == "max" else L.avgpool2d_backward
    errors = check_gradients(partial(fwd, kernel_size=3, stride=2, padding=1), bwd, {"x": x}, rng=rng)
    assert errors["x"] < 1e-6


def test_syllabus_average_pooling_example():
    x = np.array([[1, 3, 2, 1], [5, 4, 9, 7], [11, 12, 15, 7], [1, 9, 6, 8]], float)[None, None]
    out, cache = L.avgpool2d_forward(x, kernel_size=2, stride=2)
    np.testing.assert_allclose(out[0, 0], [[3.25, 4.75], [8.25, 9.0]], rtol=0, atol=1e-15)
    # backward spreads each output's gradient evenly: 1/4 to each of its four inputs
    dx = L.avgpool2d_backward(np.ones_like(out), cache)
    np.testing.assert_array_equal(dx, np.full_like(x, 0.25))


def test_syllabus_max_pooling_example():
    x = np.array([[12, 20, 30, 0], [8, 12, 2, 0], [34, 70, 37, 4], [112, 100, 25, 12]], float)[None, None]
    out, cache = L.maxpool2d_forward(x, kernel_size=2, stride=2)
    np.testing.assert_array_equal(out[0, 0], [[20, 30], [112, 37]])
    dout = np.array([[1.0, 2.0], [3.0, 4.0]])[None, None]
    dx = L.maxpool2d_backward(dout, cache)
    expected = np.zeros((4, 4))
    expected[0, 1], expected[0, 2], expected[3, 0], expected[2, 2] = 1, 2, 3, 4   # the arg-maxes
    np.testing.assert_array_equal(dx[0, 0], expected)


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_float32(kind):
    x = np.random.default_rng(12).standard_normal((2, 3, 8, 8)).astype(np.float32)
    fwd = L.maxpool2d_forward if kind == "max" else L.avgpool2d_forward
    bwd = L.maxpool2d_backward if kind == "max" else L.avgpool2d_backward
    out, cache = fwd(x, kernel_size=2)
    assert out.dtype == np.float32 and bwd(np.ones_like(out), cache).dtype == np.float32


# ------------------------------------------------------------- activations, linear, loss

ACTIVATIONS = [
    ("relu", lambda x: torch.relu(x), {}),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2), {"negative_slope": 0.2}),
    ("sigmoid", torch.sigmoid, {}),
    ("tanh", torch.tanh, {}),
]


@pytest.mark.parametrize("name, tfn, kwargs", ACTIVATIONS)
@pytest.mark.parametrize("shape", [(5,), (2, 3, 4, 5)])
def test_activations_match_torch(name, tfn, kwargs, shape):
    rng = np.random.default_rng(13)
    x = rng.standard_normal(shape) * 3
    out, cache = getattr(L, f"{name}_forward")(x, **kwargs)
    dout = rng.standard_normal(shape)
    t_out, (t_dx,) = torch_grads(tfn, [x], dout)
    assert_close(out, t_out)
    assert_close(getattr(L, f"{name}_backward")(dout, cache), t_dx)


@pytest.mark.parametrize("name, tfn, kwargs", ACTIVATIONS)
def test_activations_finite_differences(name, tfn, kwargs):
    rng = np.random.default_rng(14)
    x = rng.standard_normal((3, 4)) + 0.05   # keep away from the kink at 0 by chance
    x[np.abs(x) < 1e-3] = 0.5
    errors = check_gradients(partial(getattr(L, f"{name}_forward"), **kwargs), getattr(L, f"{name}_backward"),
                             {"x": x}, rng=rng)
    assert errors["x"] < 1e-6


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise"):
        out, _ = L.sigmoid_forward(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(out, [0.0, 1.0])


@pytest.mark.parametrize("n, d_in, d_out, bias", [(4, 5, 3, True), (1, 7, 2, False), (3, 1, 1, True)])
def test_linear_matches_torch(n, d_in, d_out, bias):
    rng = np.random.default_rng(15)
    x, w = rng.standard_normal((n, d_in)), rng.standard_normal((d_out, d_in))
    b = rng.standard_normal(d_out) if bias else None
    out, cache = L.linear_forward(x, w, b)
    dout = rng.standard_normal(out.shape)
    grads = L.linear_backward(dout, cache)
    t_out, t_grads = torch_grads(lambda x, w, b=None: F.linear(x, w, b), [x, w, b], dout)
    assert_close(out, t_out)
    for g, tg in zip(grads, t_grads):
        assert_close(g, tg)
    assert (grads[2] is None) == (not bias)
    errors = check_gradients(L.linear_forward, L.linear_backward, {"x": x, "w": w}, rng=rng)
    assert max(errors.values()) < 1e-6


@pytest.mark.parametrize("scale", [1.0, 1000.0])
@pytest.mark.parametrize("n, k", [(1, 2), (8, 10)])
def test_softmax_cross_entropy_matches_torch(scale, n, k):
    rng = np.random.default_rng(16)
    logits = rng.standard_normal((n, k)) * scale
    labels = rng.integers(0, k, n)
    loss, dlogits = L.softmax_cross_entropy(logits, labels)
    t = t64(logits, grad=True)
    t_loss = F.cross_entropy(t, torch.from_numpy(labels))
    t_loss.backward()
    assert np.isfinite(loss)
    assert abs(loss - t_loss.item()) <= TOL * max(1.0, abs(loss))
    assert_close(dlogits, t.grad.numpy())


# ---------------------------------------------------------------------- batch normalization

BN_SHAPES = [(2, 3), (7, 5), (2, 3, 1, 1), (2, 3, 5, 4), (4, 1, 3, 7)]


def torch_bn(x, gamma, beta, rm, rv, training, momentum=0.1, eps=1e-5):
    return F.batch_norm(x, rm, rv, gamma, beta, training=training, momentum=momentum, eps=eps)


@pytest.mark.parametrize("shape", BN_SHAPES)
@pytest.mark.parametrize("momentum, eps", [(0.1, 1e-5), (0.3, 1e-3)])
def test_batchnorm_training_steps_match_torch(shape, momentum, eps):
    """Several training steps: outputs, all gradients and the running statistics (with the
    unbiased m/(m-1) variance) equal torch's at every step."""
    rng = np.random.default_rng(17)
    c = shape[1]
    gamma, beta = rng.standard_normal(c), rng.standard_normal(c)
    rm, rv = rng.standard_normal(c), rng.uniform(0.5, 2, c)
    t_rm, t_rv = torch.tensor(rm), torch.tensor(rv)
    for step in range(4):
        x = rng.standard_normal(shape) * (step + 1) + step
        out, cache = L.batchnorm_forward(x, gamma, beta, running_mean=rm, running_var=rv, training=True,
                                         momentum=momentum, eps=eps)
        dout = rng.standard_normal(shape)
        dx, dgamma, dbeta = L.batchnorm_backward(dout, cache)
        t_out, t_grads = torch_grads(
            lambda x, g, b: torch_bn(x, g, b, t_rm, t_rv, True, momentum, eps), [x, gamma, beta], dout)
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
    gamma, beta, rm, rv = rng.standard_normal(c), rng.standard_normal(c), rng.standard_normal(c), rng.uniform(0.5, 2, c)
    rm0, rv0 = rm.copy(), rv.copy()
    x = rng.standard_normal(shape)
    out, cache = L.batchnorm_forward(x, gamma, beta, running_mean=rm, running_var=rv, training=False)
    dout = rng.standard_normal(shape)
    grads = L.batchnorm_backward(dout, cache)
    t_out, t_grads = torch_grads(lambda x, g, b: torch_bn(x, g, b, torch.tensor(rm), torch.tensor(rv), False),
                                 [x, gamma, beta], dout)
    assert_close(out, t_out)
    for g, tg in zip(grads, t_grads):
        assert_close(g, tg)
    np.testing.assert_array_equal(rm, rm0)      # eval mode leaves the statistics alone
    np.testing.assert_array_equal(rv, rv0)


@pytest.mark.parametrize("shape", [(3, 2), (2, 2, 3, 3)])
@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_finite_differences(shape, training):
    rng = np.random.default_rng(19)
    c = shape[1]
    rm, rv = rng.standard_normal(c), rng.uniform(0.5, 2, c)

    def fwd(x, gamma, beta):
        # fresh copies: the running statistics must not drift during the check
        return L.batchnorm_forward(x, gamma, beta, running_mean=rm.copy(), running_var=rv.copy(), training=training)

    inputs = {"x": rng.standard_normal(shape), "gamma": rng.standard_normal(c), "beta": rng.standard_normal(c)}
    errors = check_gradients(fwd, L.batchnorm_backward, inputs, rng=rng)
    assert max(errors.values()) < 1e-6, errors


def test_batchnorm_module_matches_torch_module():
    rng = np.random.default_rng(20)
    bn = L.BatchNorm2d(3, dtype=np.float64, momentum=0.2)
    tbn = torch.nn.BatchNorm2d(3, momentum=0.2).double()
    for _ in range(3):
        x = rng.standard_normal((4, 3, 5, 5)) * 2 + 1
        assert_close(bn(x), tbn(torch.from_numpy(x)).detach().numpy())
    assert_close(bn.running_mean, tbn.running_mean.numpy())
    assert_close(bn.running_var, tbn.running_var.numpy())
    bn.eval(), tbn.eval()
    x = rng.standard_normal((1, 3, 4, 4))     # batch 1 is fine in eval mode
    assert_close(bn(x), tbn(torch.from_numpy(x)).detach().numpy())


@pytest.mark.parametrize("seed", [0, 1])
def test_fold_batchnorm(seed):
    torch.manual_seed(seed)
    conv = torch.nn.Conv2d(3, 4, 3, stride=2, padding=1, bias=bool(seed)).double()
    bn = torch.nn.BatchNorm2d(4).double()
    with torch.no_grad():
        bn.weight.uniform_(0.5, 2)
        bn.bias.normal_()
        for _ in range(3):
            bn(conv(torch.randn(8, 3, 9, 9, dtype=torch.float64) * 3 + 1))
    bn.eval()
    w0 = conv.weight.detach().clone()
    folded = L.fold_batchnorm(conv, bn)
    x = torch.randn(2, 3, 9, 9, dtype=torch.float64)
    with torch.no_grad():
        assert relative_error(folded(x).numpy(), bn(conv(x)).numpy()) < TOL
    assert torch.equal(conv.weight, w0) and folded is not conv


@pytest.mark.parametrize("kwargs, error, match", [
    ({"x": np.zeros((2, 3, 4))}, ValueError, r"x must be 2D \(N, D\) or 4D"),
    ({"gamma": np.ones(4)}, ValueError, r"gamma must have shape \(3,\)"),
    ({"running_var": np.ones((3, 1))}, ValueError, r"running_var must have shape \(3,\)"),
    ({"x": np.zeros((1, 3))}, ValueError, r"x must have more than one value per feature in training mode"),
    ({"x": np.zeros((1, 3, 1, 1))}, ValueError, r"more than one value per feature"),
    ({"eps": -1e-5}, ValueError, r"eps must be >= 0.0, got eps=-1e-05"),
    ({"momentum": 1.5}, ValueError, r"momentum must be in \[0, 1\]"),
    ({"training": False, "running_mean": None}, ValueError, r"running_mean and running_var are required"),
])
def test_batchnorm_errors(kwargs, error, match):
    args = {"x": np.zeros((4, 3)), "gamma": np.ones(3), "beta": np.zeros(3), "running_mean": np.zeros(3),
            "running_var": np.ones(3)}
    args.update(kwargs)
    x, gamma, beta = args.pop("x"), args.pop("gamma"), args.pop("beta")
    with pytest.raises(error, match=match):
        L.batchnorm_forward(x, gamma, beta, **args)


def test_batchnorm_torch_also_rejects_one_value_per_channel():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        torch.nn.BatchNorm1d(3)(torch.zeros(1, 3))


def test_fold_batchnorm_errors():
    with pytest.raises(ValueError, match=r"bn must have num_features == conv.out_channels \(4\)"):
        L.fold_batchnorm(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(5))
    with pytest.raises(TypeError, match="conv must be a torch.nn.Conv2d"):
        L.fold_batchnorm(torch.nn.Linear(3, 4), torch.nn.BatchNorm2d(4))


# ------------------------------------------------------------------------------- errors

@pytest.mark.parametrize("fn, args, kwargs, match", [
    (L.conv2d_forward, ((2, 3, 5, 5), (4, 2, 3, 3)), {}, r"w must have as many input channels as x \(x.shape\[1\]=3\)"),
    (L.conv2d_forward, ((3, 5, 5), (4, 3, 3, 3)), {}, r"x must be 4D \(N, C, H, W\), got x with shape \(3, 5, 5\)"),
    (L.conv2d_forward, ((2, 3, 5, 5), (4, 3, 3)), {}, r"w must be 4D"),
    (L.conv2d_forward, ((1, 1, 4, 4), (1, 1, 6, 6)), {"padding": 0}, r"kernel of w .* larger than the padded input x of size \(4, 4\)"),
    (L.conv2d_forward, ((1, 1, 5, 5), (1, 1, 3, 3)), {"dilation": 3}, r"spans \(7, 7\) pixels, larger than the padded input x"),
    (L.conv2d_forward, ((1, 1, 5, 5), (1, 1, 3, 3)), {"stride": 0}, r"stride must be a positive integer, got stride=0"),
    (L.conv2d_forward, ((1, 1, 5, 5), (1, 1, 3, 3)), {"padding": -1}, r"padding must be integers >= 0"),
    (L.conv_transpose2d_forward, ((1, 2, 3, 3), (3, 2, 3, 3)), {}, r"w must have shape \(C_in, C_out, kH, kW\) with C_in = x.shape\[1\] = 2"),
    (L.conv_transpose2d_forward, ((1, 1, 3, 3), (1, 1, 3, 3)), {"stride": 2, "output_padding": 2}, r"output_padding must be smaller than stride or dilation"),
    (L.maxpool2d_forward, ((1, 1, 3, 3),), {"kernel_size": 4}, r"kernel_size=\(4, 4\) is larger than the padded input x"),
    (L.maxpool2d_forward, ((1, 1, 6, 6),), {"kernel_size": 2, "padding": 2}, r"padding must be at most half of kernel_size"),
    (L.avgpool2d_forward, ((6, 6),), {"kernel_size": 2}, r"x must be 4D"),
    (L.linear_forward, ((2, 3), (4, 5)), {}, r"w must have shape \(out_features, 3\) to match x"),
])
def test_bad_input_raises_naming_the_argument(fn, args, kwargs, match):
    arrays = [np.zeros(s) for s in args]
    with pytest.raises(ValueError, match=match):
        fn(*arrays, **kwargs)


def test_bias_and_dout_shapes_are_checked():
    x, w = np.zeros((1, 2, 4, 4)), np.zeros((3, 2, 3, 3))
    with pytest.raises(ValueError, match=r"b must have one entry per output channel of w \(3\)"):
        L.conv2d_forward(x, w, np.zeros(2))
    out, cache = L.conv2d_forward(x, w)
    with pytest.raises(ValueError, match=r"dout must have the output's shape \(1, 3, 2, 2\)"):
        L.conv2d_backward(np.zeros((1, 3, 3, 3)), cache)
    _, cache = L.maxpool2d_forward(x, kernel_size=2)
    with pytest.raises(ValueError, match=r"dout must have the output's shape"):
        L.maxpool2d_backward(np.zeros((1, 2, 3, 3)), cache)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        L.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))


# ---------------------------------------------------------------- modules and optimisers

def torch_lecture_cnn(c=4):
    if c == 4:
        from dlsip.models import LectureCNN   # chapter 5's torch model, the one the notebooks train

        return LectureCNN().double()
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, c, 3, 1, 1), torch.nn.BatchNorm2d(c), torch.nn.ReLU(), torch.nn.MaxPool2d(2, 2),
        torch.nn.Conv2d(c, c, 3, 1, 1), torch.nn.BatchNorm2d(c), torch.nn.ReLU(), torch.nn.MaxPool2d(2, 2),
        torch.nn.Flatten(), torch.nn.Linear(c * 7 * 7, 10)).double()


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
    t_params = [p for p in tnet.parameters()]
    assert len(net.grads()) == len(t_params) == 10
    for k, (g, p) in enumerate(zip(net.grads(), t_params)):
        if training and k in (1, 5):
            # A conv bias followed by batch norm in training mode has gradient exactly 0 in
            # exact arithmetic (BN subtracts the batch mean); both sides are round-off.
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


def test_init_follows_torch_bounds():
    """torch's default init draws U(-1/sqrt(fan_in), 1/sqrt(fan_in)); check the bounds are
    respected and nearly reached."""
    conv = L.Conv2d(8, 64, 3, rng=np.random.default_rng(0))
    bound = 1 / np.sqrt(8 * 9)
    assert np.abs(conv.weight).max() <= bound and np.abs(conv.weight).max() > 0.99 * bound


@pytest.mark.parametrize("opt_name, kwargs", [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 1e-3}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.003, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 1e-2}),
])
def test_optimisers_match_torch(opt_name, kwargs):
    torch.manual_seed(1)
    tnet = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.ReLU(), torch.nn.Flatten(),
                               torch.nn.Linear(3 * 4 * 4, 4)).double()
    net = L.from_torch(tnet)
    opt = getattr(L, opt_name)(net, **kwargs)
    t_opt = getattr(torch.optim, opt_name)(tnet.parameters(), **kwargs)
    rng = np.random.default_rng(22)
    for _ in range(5):
        x, y = rng.standard_normal((6, 2, 6, 6)), rng.integers(0, 4, 6)
        _, d = L.softmax_cross_entropy(net.forward(x), y)
        net.backward(d)
        opt.step()
        t_opt.zero_grad()
        F.cross_entropy(tnet(t64(x)), torch.from_numpy(y)).backward()
        t_opt.step()
    for p, tp in zip(net.parameters(), tnet.parameters()):
        assert_close(p, tp.detach().numpy())


def test_train_and_eval_switch_batchnorm():
    net = L.Sequential(L.Conv2d(1, 2, 3, rng=np.random.default_rng(0), dtype=np.float64), L.BatchNorm2d(2, dtype=np.float64))
    x = np.random.default_rng(1).standard_normal((4, 1, 5, 5))
    net.train()
    out = net(x)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)     # batch statistics
    net.eval()
    assert net[1].training is False
    assert np.abs(net(x).mean(axis=(0, 2, 3))).max() > 1e-3                  # running statistics


def test_from_torch_rejects_unsupported_layers():
    with pytest.raises(TypeError, match="from_torch does not support Dropout"):
        L.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout()))


def test_train_epoch_learns_separable_blobs():
    rng = np.random.default_rng(23)
    y = rng.integers(0, 2, 200)
    x = (rng.standard_normal((200, 1, 6, 6)) + 2.0 * (2 * y - 1)[:, None, None, None]).astype(np.float32)
    net = L.Sequential(L.Conv2d(1, 2, 3, rng=rng), L.ReLU(), L.MaxPool2d(2), L.Flatten(), L.Linear(8, 2, rng=rng))
    opt = L.Adam(net, lr=0.01)
    for _ in range(3):
        losses, acc = L.train_epoch(net, opt, x, y, batch_size=32, rng=rng)
    assert acc > 0.95
    assert (L.predict(net, x).argmax(1) == y).mean() > 0.95


# ------------------------------------------------------------ self-checks (dlsip.check)

from dlsip import check  # noqa: E402


def naive_conv_backward(dout, x, w, *, stride=1, padding=0):
    _, cache = L.conv2d_forward_naive(x, w, np.zeros(w.shape[0]), stride=stride, padding=padding)
    return L.conv2d_backward_naive(dout, cache)


def test_conv_selfcheck_accepts_the_loop_version_and_rejects_typical_bugs():
    assert check.check_conv2d_backward(naive_conv_backward).passed

    def no_bias_grad(dout, x, w, *, stride=1, padding=0):
        dx, dw, db = naive_conv_backward(dout, x, w, stride=stride, padding=padding)
        return dx, dw, db / x.shape[0]                      # averaged instead of summed

    def dx_with_flipped_kernel_twice(dout, x, w, *, stride=1, padding=0):
        return naive_conv_backward(dout, x, w[:, :, ::-1, ::-1], stride=stride, padding=padding)

    report = check.check_conv2d_backward(no_bias_grad)
    assert not report.passed and "result 2" in str(report)
    assert not check.check_conv2d_backward(dx_with_flipped_kernel_twice).passed


def test_maxpool_selfcheck_catches_ties_and_overlaps():
    def naive(dout, x, *, kernel_size, stride=None):
        _, cache = L.maxpool2d_forward_naive(x, kernel_size=kernel_size, stride=stride)
        return L.maxpool2d_backward_naive(dout, cache)

    def all_maxima(dout, x, *, kernel_size, stride=None):      # sends the gradient to every tied max
        out, _ = L.maxpool2d_forward(x, kernel_size=kernel_size, stride=stride)
        s = kernel_size if stride is None else stride
        dx = np.zeros_like(x)
        for i in range(out.shape[2]):
            for j in range(out.shape[3]):
                win = x[:, :, i * s:i * s + kernel_size, j * s:j * s + kernel_size]
                mask = win == out[:, :, i:i + 1, j:j + 1]
                dx[:, :, i * s:i * s + kernel_size, j * s:j * s + kernel_size] += mask * dout[:, :, i:i + 1, j:j + 1]
        return dx

    def overwrite(dout, x, *, kernel_size, stride=None):      # '=' instead of '+=' on overlaps
        _, cache = L.maxpool2d_forward_naive(x, kernel_size=kernel_size, stride=stride)
        _, padding, where = cache
        dx = np.zeros_like(x)
        for idx in np.ndindex(*dout.shape):
            u, v = where[idx]
            dx[idx[0], idx[1], u, v] = dout[idx]
        return dx

    assert check.check_maxpool2d_backward(naive).passed
    report = check.check_maxpool2d_backward(all_maxima)
    assert not report.passed and "ties" in str(report)
    report = check.check_maxpool2d_backward(overwrite)
    assert not report.passed and "overlapping" in str(report)


def test_batchnorm_selfcheck_accepts_autograd_and_rejects_the_population_variance():
    def via_torch(dout, x, gamma, *, eps=1e-5):
        tx, tg, tb = t64(x, True), t64(gamma, True), t64(np.zeros_like(gamma), True)
        out = F.batch_norm(tx, None, None, tg, tb, training=True, eps=eps)
        return tuple(g.numpy() for g in torch.autograd.grad(out, (tx, tg, tb), t64(dout)))

    def unbiased(dout, x, gamma, *, eps=1e-5):                # normalises with var * m/(m-1)
        m = x.shape[0]
        var = x.var(axis=0, ddof=1)
        s = 1 / np.sqrt(var + eps)
        xhat = (x - x.mean(0)) * s
        dx = gamma * s / m * (m * dout - dout.sum(0) - xhat * (dout * xhat).sum(0) * (m - 1) / m)
        return dx, (dout * xhat).sum(0), dout.sum(0)

    assert check.check_batchnorm_backward(via_torch).passed
    assert not check.check_batchnorm_backward(unbiased).passed
