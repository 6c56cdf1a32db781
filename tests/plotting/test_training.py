"""dlsip.plotting.training: loss curves, histories, confusion matrices (ch. 3-5)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlsip.plotting import plot_confusion_matrix, plot_history, plot_loss_curves


def test_plot_loss_curves_smooths_with_a_running_mean_and_scales_x():
    values = np.arange(10.0) ** 2
    ax = plot_loss_curves({"run": values}, window=3, x_scale=0.5, logy=True)
    line = ax.get_lines()[0]
    np.testing.assert_allclose(
        line.get_ydata(),
        [(values[i] + values[i + 1] + values[i + 2]) / 3 for i in range(8)],
    )
    np.testing.assert_allclose(line.get_xdata(), 0.5 * np.arange(2, 10))
    assert ax.get_yscale() == "log" and ax.get_legend() is not None


def test_plot_loss_curves_errors():
    with pytest.raises(ValueError, match="curves must contain at least one curve"):
        plot_loss_curves({})
    with pytest.raises(
        ValueError, match=r"curves\['a'\] must have at least window=5 values, got 3"
    ):
        plot_loss_curves({"a": [1.0, 2.0, 3.0]}, window=5)


@pytest.mark.parametrize("k", [1, 3, 10])
def test_confusion_matrix_plot_writes_every_count_and_labels_the_axes(k):
    cm = np.arange(k * k).reshape(k, k)
    ax = plot_confusion_matrix(cm, class_names=[f"c{i}" for i in range(k)])
    assert [t.get_text() for t in ax.texts] == [str(v) for v in cm.ravel()]
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"c{i}" for i in range(k)]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted class", "true class")


def test_confusion_matrix_plot_scales_colours_to_the_largest_error():
    cm = np.array([[1000, 3], [7, 900]])
    ax = plot_confusion_matrix(cm)
    errors = ax.images[-1]
    assert errors.get_clim() == (0, 7)


@pytest.mark.parametrize(
    "cm, kwargs, match",
    [
        (
            np.zeros((2, 3)),
            {},
            r"cm must be a square matrix, got cm with shape \(2, 3\)",
        ),
        (
            np.zeros((2, 2)),
            {"class_names": ["a"]},
            "class_names must have 2 names, got 1",
        ),
    ],
)
def test_confusion_matrix_plot_errors(cm, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_confusion_matrix(cm, **kwargs)


def test_history_plot_draws_the_values_per_epoch():
    history = {"train_accuracy": [0.9, 0.95, 0.97], "val_accuracy": [0.91, 0.94, 0.96]}
    ax = plot_history(history)
    train, val = ax.get_lines()
    assert train.get_xdata().tolist() == [1, 2, 3] and val.get_ydata().tolist() == [
        0.91,
        0.94,
        0.96,
    ]
    only_train = plot_history({"train_loss": [1.0]}, metric="loss")
    assert len(only_train.get_lines()) == 1


@pytest.mark.parametrize(
    "history, metric, match",
    [
        (
            {"train_loss": [1.0]},
            "acc",
            "metric must be one of 'accuracy', 'loss', got metric='acc'",
        ),
        (
            {"train_loss": [1.0]},
            "accuracy",
            "history must have a 'train_accuracy' entry",
        ),
    ],
)
def test_history_plot_errors(history, metric, match):
    with pytest.raises(ValueError, match=match):
        plot_history(history, metric=metric)


# ---- invalid arguments are refused before drawing, naming the argument ----


@pytest.mark.parametrize(
    "curves, kwargs, error, match",
    [
        ([1.0, 2.0], {}, TypeError, r"curves must be a mapping .*, got curves=\[1.0"),
        (3, {}, TypeError, "curves must be a mapping of label -> values, got curves=3"),
        ({"a": "abc"}, {}, TypeError, r"curves\['a'\] must be an array of numbers"),
        ({"a": []}, {}, ValueError, r"curves\['a'\] must not be empty"),
        ({"a": [[1.0, 2.0]]}, {}, ValueError, r"curves\['a'\] must be 1D"),
        (
            {"a": [1.0, 2.0], "b": [1.0, np.nan, 3.0]},
            {},
            ValueError,
            r"curves\['b'\] must hold finite numbers, got nan at index 1",
        ),
        ({"a": [1.0, 2.0]}, {"x_scale": np.nan}, ValueError, "x_scale must be finite"),
        ({"a": [1.0, 2.0]}, {"x_scale": ""}, TypeError, "x_scale must be a real"),
        ({"a": [1.0, 2.0]}, {"x_scale": 0.0}, ValueError, "x_scale must be > 0.0"),
        ({"a": [1.0, 2.0]}, {"logy": 0}, TypeError, "logy must be True or False"),
        ({"a": [1.0, 2.0]}, {"logy": "yes"}, TypeError, "logy must be True or False"),
    ],
)
def test_plot_loss_curves_rejects_bad_arguments(curves, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_loss_curves(curves, **kwargs)
    assert not plt.get_fignums()  # refused before any figure was made


@pytest.mark.parametrize(
    "history, error, match",
    [
        (3, TypeError, "history must be a mapping as fit returns it, got history=3"),
        ([0.5, 0.2], TypeError, "history must be a mapping"),
        ({"train_loss": []}, ValueError, r"history\['train_loss'\] must not be empty"),
        (
            {"train_loss": "abc"},
            TypeError,
            r"history\['train_loss'\] must be an array of numbers",
        ),
        (
            {"train_loss": [0.5], "val_loss": []},
            ValueError,
            r"history\['val_loss'\] must not be empty",
        ),
        (
            {"train_loss": [0.5, np.inf]},
            ValueError,
            r"history\['train_loss'\] must hold finite numbers, got inf at index 1",
        ),
    ],
)
def test_history_plot_rejects_bad_histories(history, error, match):
    with pytest.raises(error, match=match):
        plot_history(history, metric="loss")
    assert not plt.get_fignums()
