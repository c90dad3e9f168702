"""The graded tasks of the course: which functions each task covers and where it is taught.

A task id is ``"<assignment>.<n>"``. ``course check 5.2`` (or ``check("5.2")`` in a notebook)
runs the public checks of one task; the hidden suite of the grader scores the same tasks.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Task:
    """One graded task.

    Attributes
    ----------
    id : str
        ``"5.2"``: assignment number, then task number.
    title : str
        Short human title.
    module : str
        Module of ``course_lib`` that holds the graded code.
    names : tuple of str
        The graded functions or classes of the task, in that module.
    assignment : str
        Assignment folder, e.g. ``"05_batchnorm"`` (``notebooks/05_batchnorm``).
    """

    id: str
    title: str
    module: str
    names: tuple[str, ...]
    assignment: str

    @property
    def marker(self) -> str:
        """The pytest marker that selects this task's public checks, e.g. ``task_5_2``."""
        return "task_" + self.id.replace(".", "_")


ASSIGNMENTS = {
    "01_foundations": "A feedforward network from scratch",
    "02_overfitting": "Overfitting, model assessment and early stopping",
    "03_initialization": "Weight initialization",
    "04_normalization": "Input normalization",
    "05_batchnorm": "Batch normalization",
    "06_dropout": "Dropout",
    "07_penalties": "Weight penalties: L1, L2 and elastic net",
    "08_babysitting": "Babysitting a training run and searching hyperparameters",
}

TASKS: tuple[Task, ...] = (
    Task("1.1", "Affine layer", "layers", ("affine_forward", "affine_backward"), "01_foundations"),
    Task("1.2", "Activations", "layers",
         ("sigmoid_forward", "sigmoid_backward", "tanh_forward", "tanh_backward",
          "relu_forward", "relu_backward", "leaky_relu_forward", "leaky_relu_backward",
          "elu_forward", "elu_backward"), "01_foundations"),
    Task("1.3", "Softmax and cross-entropy", "losses", ("softmax", "softmax_cross_entropy"),
         "01_foundations"),
    Task("1.4", "Regression losses and 0-1 error", "losses",
         ("mse_loss", "mae_loss", "zero_one_error"), "01_foundations"),
    Task("1.5", "Classification metrics", "metrics",
         ("confusion_matrix", "accuracy", "precision", "recall", "specificity"), "01_foundations"),
    Task("1.6", "The perceptron", "perceptron", ("perceptron_fit",), "01_foundations"),
    Task("2.1", "Stratified train/validation/test split", "assessment", ("stratified_split",),
         "02_overfitting"),
    Task("2.2", "Bias/variance diagnosis", "assessment", ("diagnose_bias_variance",),
         "02_overfitting"),
    Task("2.3", "Early stopping", "early_stopping", ("EarlyStopping",), "02_overfitting"),
    Task("3.1", "Simple initializers", "init", ("zeros", "constant", "normal"), "03_initialization"),
    Task("3.2", "Xavier (Glorot) initialization", "init", ("xavier_normal", "xavier_uniform"),
         "03_initialization"),
    Task("3.3", "He and LeCun initialization, a whole network", "init",
         ("he_normal", "he_uniform", "lecun_normal", "init_params"), "03_initialization"),
    Task("4.1", "Standardization", "preprocessing", ("Standardizer",), "04_normalization"),
    Task("4.2", "Min-max scaling", "preprocessing", ("MinMaxScaler",), "04_normalization"),
    Task("5.1", "Batch norm forward", "batchnorm", ("batchnorm_forward",), "05_batchnorm"),
    Task("5.2", "Batch norm backward, staged", "batchnorm", ("batchnorm_backward",), "05_batchnorm"),
    Task("5.3", "Batch norm backward, closed form", "batchnorm", ("batchnorm_backward_fast",),
         "05_batchnorm"),
    Task("5.4", "Folding batch norm", "batchnorm", ("fold_batchnorm",), "05_batchnorm"),
    Task("5.5", "Layer norm", "batchnorm", ("layernorm_forward", "layernorm_backward"),
         "05_batchnorm"),
    Task("6.1", "Dropout forward", "dropout", ("dropout_forward",), "06_dropout"),
    Task("6.2", "Dropout backward", "dropout", ("dropout_backward",), "06_dropout"),
    Task("7.1", "L2 penalty", "penalties", ("l2_penalty",), "07_penalties"),
    Task("7.2", "L1 penalty", "penalties", ("l1_penalty",), "07_penalties"),
    Task("7.3", "Elastic net", "penalties", ("elastic_net_penalty",), "07_penalties"),
    Task("7.4", "Adding a penalty to the loss and gradients", "penalties", ("add_penalty",),
         "07_penalties"),
    Task("8.1", "Sanity checks: the initial loss and a whole-model gradient check", "monitor",
         ("expected_initial_loss", "gradient_check_model"), "08_babysitting"),
    Task("8.2", "Diagnosing a training history", "monitor", ("diagnose_history",), "08_babysitting"),
    Task("8.3", "Update-to-weight ratios", "monitor", ("update_to_weight_ratios",), "08_babysitting"),
    Task("8.4", "Learning-rate schedules", "schedules",
         ("step_decay", "exponential_decay", "cosine_annealing", "linear_warmup"), "08_babysitting"),
    Task("8.5", "The learning-rate range test", "schedules", ("lr_range_test", "suggest_lr"),
         "08_babysitting"),
    Task("8.6", "Sampling hyperparameters: log scale, grid, random, coarse to fine", "search",
         ("log_uniform", "grid_configs", "random_configs", "coarse_to_fine"), "08_babysitting"),
    Task("8.7", "Successive halving", "search", ("successive_halving",), "08_babysitting"),
)

TASKS_BY_ID = {t.id: t for t in TASKS}

# The tasks of EARLIER assignments whose code each notebook's experiments run (an MLP of
# notebook 06 is built from the affine layers, activations and softmax of 01). ``course status``
# and the notebooks' setup cells report them; tests/test_status.py traces the solution notebooks
# and fails when this table misses a task they call.
EXPERIMENTS_NEED: dict[str, tuple[str, ...]] = {
    "01_foundations": (),
    "02_overfitting": ("1.1", "1.2", "1.3", "1.5"),
    "03_initialization": ("1.1", "1.2", "1.3"),
    "04_normalization": ("1.1", "1.2", "1.3", "2.1", "3.3"),
    "05_batchnorm": ("1.1", "1.2", "1.3"),
    "06_dropout": ("1.1", "1.2", "1.3"),
    "07_penalties": ("1.1", "1.2", "1.3", "5.1", "5.3"),
    "08_babysitting": ("1.1", "1.2", "1.3", "3.3", "6.1", "6.2"),
}


def get_task(task_id: str) -> Task:
    """Return the task with id ``task_id`` (``"5.2"``), or raise a ``KeyError`` listing the ids."""
    try:
        return TASKS_BY_ID[str(task_id)]
    except KeyError:
        raise KeyError(f"unknown task {task_id!r}; known tasks: {', '.join(TASKS_BY_ID)}") from None


def task_of(module: str, name: str) -> Task:
    """Return the task that grades ``module.name``; ``KeyError`` if it is not graded."""
    for t in TASKS:
        if t.module == module and name in t.names:
            return t
    raise KeyError(f"{module}.{name} is not a graded function")


def tasks_of_assignment(assignment: str) -> tuple[Task, ...]:
    """The tasks of one assignment folder, in order."""
    return tuple(t for t in TASKS if t.assignment == assignment)
