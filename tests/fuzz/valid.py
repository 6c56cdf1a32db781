"""The registry: one valid call (or a few) for every public callable of dlsip, and the
short allow-list of perturbations that are genuinely valid input."""

from __future__ import annotations

from tests.fuzz.kinds import Spec
from tests.fuzz.valid_layers import LAYERS, LAYERS_CH6
from tests.fuzz.valid_numpy import ARITHMETIC, CHECK, FILTERS, GRADCHECK, SIGNALS
from tests.fuzz.valid_torch import DATA, MODELS, PLOTTING, TRAIN

VALID: dict[str, Spec | tuple[Spec, ...]] = {
    **ARITHMETIC,
    **CHECK,
    **DATA,
    **FILTERS,
    **GRADCHECK,
    **LAYERS,
    **MODELS,
    **PLOTTING,
    **TRAIN,
    **LAYERS_CH6,
    **SIGNALS,
}


def specs(key: str) -> tuple[Spec, ...]:
    entry = VALID[key]
    return entry if isinstance(entry, tuple) else (entry,)


#: ``"module.name-argument-kind:label" -> why this invalid-looking input is valid``.
#: Keys are fnmatch patterns; each must match at least one case.
ALLOWED: dict[str, str] = {
    "layers.*relu_forward-x-array:ndim[+-]1": "elementwise: any shape",
    "layers.sigmoid_forward-x-array:ndim[+-]1": "elementwise: any shape",
    "layers.tanh_forward-x-array:ndim[+-]1": "elementwise: any shape",
    "layers.identity_forward-x-array:ndim[+-]1": "elementwise: any shape",
    "layers.softmax_forward-x-array:ndim[+]1": "any shape that has the axis: one more "
    "axis keeps axis=1 valid",
    "plotting.show_input_gradient-position-pair_too_small": "a position counts from 0",
    "plotting.show_weight_gradient-weight-pair_too_small": "a kernel entry counts "
    "from 0",
    "layers.pixel_*shuffle-x-array:ndim[+-]1": "(*, C, H, W) as in torch",
    "layers.Conv2d-[pd]*absurd": "stored by the constructor; forward rejects it",
    "layers.*Pool2d-kernel_size-*absurd": "a constructor stores the geometry; forward "
    "rejects it",
    "filters.gabor_kernel#1-frequency-float:absurd": "with sigma_x and sigma_y given, "
    "frequency sets the wave only, not the size",
    "models.*MLP-hidden-int_seq:seq_empty": "no hidden layer: a linear classifier",
    "models.feature_maps-x-array:ndim-1": "unbatched (C, H, W), as torch takes",
    "train.TensorBatches-x-array:[nd]*": "batches any (N, ...) tensors",
    "train.TensorBatches-y-array:ndim+1": "batches any (N, ...) tensors",
    "train.TensorBatches-y-array:dtype": "batches any (N, ...) tensors",
    "train.predict-x-array:ndim+1": "the model sets the input shape (Linear: (..., F))",
    "train.shift_images-x-array:dtype": "a shift is defined for any dtype",
    "metrics.correlations-[ab]-array:ndim+1": "items are flattened: a new axis of "
    "length 1 changes nothing",
    "plotting.annotated_grid-values-array:ndim-1": "a 1D array is drawn as one row",
    "plotting.show_conv_matrix-kernel-array:ndim+1": "conv_matrix takes 2D kernels too",
    "plotting.annotated_grid-fontsize-int:float": "a font size is a real number of "
    "points (matplotlib takes 7.5); sizes below 1 are still refused",
    "plotting.show_images-images-array:ndim+1": "an (N, H, W, 3) array is N colour "
    "images; other 4D shapes are still refused naming images[i]",
}
