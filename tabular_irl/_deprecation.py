"""Old spellings of the public API, kept working for one release with a ``DeprecationWarning``.

The package speaks one vocabulary (README, "Conventions"): ``demos``, ``n``,
``initial``, ``horizon`` then ``discount``, ``(mdp, features, theta, demos)``,
``hessp(theta, v)``. Calls written in an older spelling still run for one
release; the warning names the new spelling so that the fix is a search and
replace. Three shapes of change, one helper each:

* :func:`renamed_arguments` -- a keyword argument got a new name;
* :func:`reordered_arguments` -- positional arguments moved (the old order is
  recognised from the types of the values passed);
* :class:`DeprecatedUnpacking` -- a tuple became a named result object; the
  object still unpacks like the old tuple, with a warning.

All three warn through :func:`warn_deprecated`, so the message has one form.
"""

from __future__ import annotations

import functools
import inspect
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["warn_deprecated", "renamed_arguments", "reordered_arguments", "DeprecatedUnpacking", "past_wrappers"]

_REMOVAL = "it keeps working until the next release"


_WRAPPERS: set = set()  # code objects of the wrappers made below: frames a warning's stacklevel must skip


def past_wrappers(stacklevel: int) -> int:
    """``stacklevel`` for a ``warnings.warn`` in the caller, moved past the frames of the wrappers made here.

    A decorated public function runs one frame deeper than its body was
    written for; a warning it issues (``ConvergenceWarning``, say) would
    otherwise point at this module instead of the user's line.
    """
    try:
        frame = sys._getframe(stacklevel)  # the frame the caller's stacklevel points at (this call adds one)
    except ValueError:  # a stack shallower than that: warnings.warn copes, so let it
        return stacklevel
    while frame is not None and frame.f_code in _WRAPPERS:
        frame, stacklevel = frame.f_back, stacklevel + 1
    return stacklevel


def warn_deprecated(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn that ``old`` is deprecated in favour of ``new`` (``stacklevel`` points at the user's call)."""
    warnings.warn(f"{old} is deprecated, use {new} instead ({_REMOVAL})", DeprecationWarning, stacklevel=stacklevel)


def renamed_arguments(**renames: str) -> Callable:
    """Decorator: accept each ``old=...`` keyword as the argument now called ``renames[old]``.

    ``@renamed_arguments(n_demos="n")`` lets ``f(..., n_demos=5)`` run as
    ``f(..., n=5)`` with a ``DeprecationWarning`` naming ``n``; passing both
    spellings is a ``TypeError``, as Python reports two values for one argument.
    """

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{func.__name__}() got both {old!r} (its deprecated name) and {new!r}")
                    warn_deprecated(f"{func.__name__}({old}=...)", f"{func.__name__}({new}=...)")
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        _WRAPPERS.add(wrapper.__code__)
        return wrapper

    return decorate


def reordered_arguments(old_order: tuple[str, ...], is_old: Callable[[tuple], bool],
                        old_defaults: dict[str, Any] | None = None) -> Callable:
    """Decorator: accept the positional arguments in ``old_order`` when ``is_old(args)`` says they are.

    The old order is recognised from the values (an ``MDP`` where ``theta``
    now comes first, say), so every call in the new order is untouched. An
    old call is rebound by name to the old order (``old_defaults`` fills
    what the old signature let one omit) and passed on as keywords, with a
    ``DeprecationWarning`` that shows the new order.
    """
    old_defaults = dict(old_defaults or {})

    def decorate(func: Callable) -> Callable:
        new_order = [p.name for p in inspect.signature(func).parameters.values()
                     if p.kind is p.POSITIONAL_OR_KEYWORD]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not is_old(args):
                return func(*args, **kwargs)
            if len(args) > len(old_order):
                raise TypeError(f"{func.__name__}() takes at most {len(old_order)} positional arguments "
                                f"in its old order, got {len(args)}")
            named = dict(zip(old_order, args))
            for name in named:
                if name in kwargs:
                    raise TypeError(f"{func.__name__}() got multiple values for argument {name!r}")
            warn_deprecated(f"{func.__name__}({', '.join(old_order[:len(args)])}, ...)",
                            f"{func.__name__}({', '.join(new_order)}, ...)")
            return func(**(old_defaults | named | kwargs))

        _WRAPPERS.add(wrapper.__code__)
        return wrapper

    return decorate


class DeprecatedUnpacking:
    """Mixin for a result object that used to be a tuple: unpacking it still works, with a warning.

    The class sets ``_unpacking = ("field", ...)``, the old tuple's order;
    ``a, b = result`` then yields those attributes and warns that the fields
    should be read by name.
    """

    _unpacking: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Any]:
        name = next(c.__name__ for c in type(self).__mro__ if not c.__name__.startswith("_")
                    and c is not DeprecatedUnpacking)
        fields = ", ".join(self._unpacking)
        warn_deprecated(f"unpacking the {name} into ({fields})",
                        f"its attributes ({', '.join('.' + f for f in self._unpacking)})", stacklevel=3)
        return iter([getattr(self, f) for f in self._unpacking])
