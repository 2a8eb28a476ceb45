"""The estimator contract of scikit-learn, without importing scikit-learn.

annotate's models follow scikit-learn's conventions (`__init__` stores its parameters unchanged,
`fit` validates and learns, learned state ends in `_`), so `sklearn.base.clone` and the model
selection tools work on them. They do not inherit from `sklearn.base.BaseEstimator` because
importing scikit-learn costs about a second, and pre-labelling with a saved model needs none of
it: only training does (it imports scikit-learn inside `fit`).
"""

from __future__ import annotations

import inspect

from annotate.errors import ModelError


class Estimator:
    """`get_params` / `set_params` from the `__init__` signature, as scikit-learn defines them."""

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return sorted(name for name, p in signature.parameters.items()
                      if name != "self" and p.kind is not p.VAR_KEYWORD)

    def get_params(self, deep: bool = True) -> dict:
        params = {}
        for name in self._param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                params.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            params[name] = value
        return params

    def set_params(self, **params) -> Estimator:
        valid = set(self._param_names())
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"{type(self).__name__} has no parameter {name!r}")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        signature = inspect.signature(type(self).__init__)
        changed = [f"{name}={getattr(self, name)!r}" for name in self._param_names()
                   if getattr(self, name) != signature.parameters[name].default]
        return f"{type(self).__name__}({', '.join(changed)})"

    def __getstate__(self) -> dict:
        return dict(self.__dict__)

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


class NotFittedError(ModelError, AttributeError):
    """An estimator used before `fit` (an AttributeError too, like scikit-learn's)."""


def check_fitted(estimator, attribute: str) -> None:
    """Raise NotFittedError when `estimator` has not been fitted (lacks `attribute`)."""
    if not hasattr(estimator, attribute):
        raise NotFittedError(f"this {type(estimator).__name__} is not fitted yet; call fit "
                             "first or load a trained model")
