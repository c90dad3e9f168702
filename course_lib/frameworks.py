"""From ``course_lib`` to the frameworks: what you wrote, its PyTorch and Keras counterparts, and
the defaults in which they differ from ours.

Each notebook ends with ``frameworks.table("05_batchnorm")``. The PyTorch facts marked with a
``check`` are verified by ``tests/test_framework_facts.py`` wherever PyTorch is installed (the
``bench`` extra: ``pip install -e '.[bench]'``); PyTorch is never needed to take the course.
Keras facts follow the Keras 3 API reference (``keras.io/api``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Counterpart:
    """One row of a notebook's closing table.

    Attributes
    ----------
    ours : str
        What the course has (``course_lib`` function, its convention).
    pytorch, keras : str
        The closest counterpart in each framework.
    differs : str
        Defaults or conventions that differ from ours, stated so a translation stays right.
    check : str
        Name of the PyTorch check in ``tests/test_framework_facts.py`` ("" for none).
    """

    ours: str
    pytorch: str
    keras: str
    differs: str
    check: str = ""


COUNTERPARTS: dict[str, tuple[Counterpart, ...]] = {
    "01_foundations": (
        Counterpart("`layers.affine_forward`: `x @ W + b`, `W` of shape (fan_in, fan_out)",
                    "`nn.Linear(fan_in, fan_out)`", "`keras.layers.Dense(units)`",
                    "PyTorch stores the weight transposed, (fan_out, fan_in), and computes "
                    "`x @ W.T + b`; Keras stores (fan_in, fan_out) like us. Default weights: "
                    "PyTorch draws U(-1/sqrt(fan_in), 1/sqrt(fan_in)), Keras Glorot uniform.",
                    check="linear_layout"),
        Counterpart("`losses.softmax_cross_entropy(scores, y)`: scores in, mean over the batch",
                    "`nn.CrossEntropyLoss()` (takes scores, integer labels, mean)",
                    "`keras.losses.SparseCategoricalCrossentropy(from_logits=True)`",
                    "Keras expects probabilities unless `from_logits=True`; feeding it raw "
                    "scores with the default silently trains on the wrong loss.",
                    check="cross_entropy"),
        Counterpart("`losses.mse_loss`: per-example SUM of squares, mean over the batch",
                    "`nn.MSELoss()`", "`keras.losses.MeanSquaredError()`",
                    "Both frameworks average over every element, N·K of them: their loss and "
                    "gradient are ours divided by the number of outputs K.",
                    check="mse"),
    ),
    "02_overfitting": (
        Counterpart("`assessment.stratified_split`",
                    "no built-in (`torch.utils.data.random_split` is not stratified)",
                    "no built-in (scikit-learn's `train_test_split(stratify=y)`)",
                    "Stratification keeps each class's share equal across the splits; a plain "
                    "random split of a small data set does not."),
        Counterpart("`early_stopping.EarlyStopping(patience)`, restores the best weights",
                    "no built-in (Lightning: `EarlyStopping` callback)",
                    "`keras.callbacks.EarlyStopping(patience=0, restore_best_weights=False)`",
                    "Keras keeps the LAST weights unless `restore_best_weights=True`, and its "
                    "default patience is 0 epochs."),
    ),
    "03_initialization": (
        Counterpart("`init.he_normal(fan_in, fan_out, rng)`: N(0, 2/fan_in)",
                    "`nn.init.kaiming_normal_(w, nonlinearity='relu')`",
                    "`keras.initializers.HeNormal()`",
                    "PyTorch's default `nonlinearity='leaky_relu'` with `a=0` gives the same "
                    "gain sqrt(2); its fan_in is `w.shape[1]` of its transposed weight. Keras "
                    "draws from a normal truncated at two standard deviations.",
                    check="kaiming_normal"),
        Counterpart("`init.xavier_normal`: N(0, 2/(fan_in + fan_out))",
                    "`nn.init.xavier_normal_(w)`", "`keras.initializers.GlorotNormal()`",
                    "Keras truncates at two standard deviations; Keras' default for `Dense` is "
                    "`GlorotUniform`.",
                    check="xavier_normal"),
    ),
    "04_normalization": (
        Counterpart("`preprocessing.Standardizer`: fit on training data, population σ",
                    "no built-in (scikit-learn's `StandardScaler`)",
                    "`keras.layers.Normalization()` with `.adapt(x_train)`",
                    "Fit the statistics on the training split only, then apply them to "
                    "validation and test data; a constant feature keeps scale 1."),
        Counterpart("`preprocessing.MinMaxScaler`", "no built-in (scikit-learn's `MinMaxScaler`)",
                    "no built-in layer", "Test values may fall outside [0, 1]; that is correct."),
    ),
    "05_batchnorm": (
        Counterpart("`batchnorm.batchnorm_forward(..., momentum=0.9, eps=1e-5)`",
                    "`nn.BatchNorm1d(D)` (momentum=0.1, eps=1e-5)",
                    "`keras.layers.BatchNormalization()` (momentum=0.99, epsilon=1e-3)",
                    "PyTorch's momentum weighs the NEW batch: its 0.1 is our 0.9. PyTorch "
                    "accumulates the unbiased batch variance (times N/(N-1)) in `running_var`; "
                    "we and Keras accumulate the biased one that normalizes the batch. Keras' "
                    "momentum=0.99 is our convention with a slower average than our default.",
                    check="batchnorm"),
        Counterpart("`batchnorm.layernorm_forward(..., eps=1e-5)`: over the features of each row",
                    "`nn.LayerNorm(D)` (eps=1e-5)",
                    "`keras.layers.LayerNormalization()` (epsilon=1e-3)",
                    "Same statistics at training and test time; no running averages.",
                    check="layernorm"),
        Counterpart("`batchnorm.groupnorm_forward(x, ..., groups)` (provided), x of shape "
                    "(N, C, L); `groups=C` is instance norm",
                    "`nn.GroupNorm(groups, C)` (eps=1e-5); `nn.InstanceNorm1d(C)`",
                    "`keras.layers.GroupNormalization(groups=32)` (epsilon=1e-3); "
                    "`groups=-1` for instance norm",
                    "PyTorch puts the channels first, (N, C, L) like us; Keras puts them last, "
                    "(N, L, C). `InstanceNorm1d` has no gamma and beta (`affine=False`) unless "
                    "asked. Keras' default of 32 groups needs at least 32 channels.",
                    check="groupnorm"),
    ),
    "06_dropout": (
        Counterpart("`dropout.dropout_forward(x, p, rng)`: `p` = probability of DROPPING",
                    "`nn.Dropout(p=0.5)`: `p` = probability of dropping",
                    "`keras.layers.Dropout(rate)`: `rate` = probability of dropping",
                    "All three are inverted dropout (survivors divided by 1-p in training, "
                    "identity at test time). TensorFlow 1's `tf.nn.dropout(x, keep_prob)` took "
                    "the KEEP probability; TensorFlow 2 takes `rate`.",
                    check="dropout"),
        Counterpart("`dropout.max_norm(W, c)` (provided): each column of `W` (fan_in, fan_out), "
                    "the weights into one unit, projected onto the ball of radius c",
                    "no built-in constraint: after `optimizer.step()`, under `torch.no_grad()`, "
                    "`w.copy_(torch.renorm(w, 2, 0, c))` for each `nn.Linear` weight `w`",
                    "`keras.layers.Dense(units, kernel_constraint="
                    "keras.constraints.MaxNorm(max_value=2, axis=0))`",
                    "PyTorch stores the weight transposed, (fan_out, fan_in): a unit's incoming "
                    "weights are a row, hence `dim=0` of `renorm`. Keras' kernel is (fan_in, "
                    "fan_out) like ours, `axis=0`; it applies a constraint after every update of "
                    "`fit()`, and its default `max_value` is 2.",
                    check="renorm"),
    ),
    "07_penalties": (
        Counterpart("`penalties.l2_penalty(ws, lam)`: (lam/2)·ΣW², gradient lam·W, weights only",
                    "`torch.optim.SGD(params, lr, weight_decay=lam)`",
                    "`kernel_regularizer=keras.regularizers.L2(l2)`",
                    "PyTorch's `weight_decay` adds lam·w to the gradient of EVERY parameter it "
                    "is given, biases included, unless you pass the biases in a parameter group "
                    "with `weight_decay=0`; with `momentum` it is still our penalty's gradient, "
                    "added before the momentum. Keras' `L2(1e-4)` adds 1e-4·ΣW², without the "
                    "1/2: its l2 is our lam / 2 (our lam = 2e-4).",
                    check="sgd_weight_decay"),
        Counterpart("L2 penalty with Adam", "`torch.optim.Adam(weight_decay=lam)` vs "
                    "`torch.optim.AdamW(weight_decay=0.01)`", "`keras.optimizers.AdamW`",
                    "Adam's `weight_decay` is an L2 penalty: it goes through the adaptive "
                    "scaling, so large-gradient weights decay less. AdamW decays the weights "
                    "directly, `w -= lr·lam·w` (Loshchilov & Hutter); only then is lam a decay "
                    "rate.",
                    check="adam_vs_adamw"),
        Counterpart("`penalties.l1_penalty(ws, lam)`: lam·Σ|W|", "no built-in (add it to the loss)",
                    "`keras.regularizers.L1(l1)`", "The subgradient at 0 is 0 in both.",
                    check="l1_subgradient"),
        Counterpart("early stopping after τ steps ≈ L2 with α ≈ 1/(τε) (§5)",
                    "no built-in (Lightning: `EarlyStopping` callback)",
                    "`keras.callbacks.EarlyStopping(patience=0, restore_best_weights=False)`",
                    "Keras keeps the weights of the LAST epoch unless `restore_best_weights=True`: "
                    "the model you get is `patience` epochs past the best one. Both count epochs, "
                    "not steps: τ = epochs × batches per epoch."),
    ),
}


def markdown(assignment: str) -> str:
    """The closing table of a notebook, as Markdown text."""
    rows = COUNTERPARTS[assignment]
    head = "| in this course | PyTorch | Keras | what differs |\n|---|---|---|---|\n"
    return head + "".join(f"| {r.ours} | {r.pytorch} | {r.keras} | {r.differs} |\n" for r in rows)


def table(assignment: str):
    """The closing table of a notebook, rendered (an IPython ``Markdown`` object)."""
    from IPython.display import Markdown

    return Markdown(markdown(assignment))
