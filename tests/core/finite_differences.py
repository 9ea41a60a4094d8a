"""Central finite differences: the reference every analytic gradient is tested against."""
import numpy as np


def central(f, array: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """d f / d array by central differences, perturbing ``array`` in place (in float64 the
    error is O(h²) from the formula plus O(ε/h) from rounding)."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + h
        up = f()
        array[index] = saved - h
        down = f()
        array[index] = saved
        grad[index] = (up - down) / (2 * h)
    return grad
