"""The recorded trajectory of a run: one numpy array per quantity."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterable, Mapping, Optional, Tuple, TypeVar, Union, overload

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas  # type: ignore[import-untyped, unused-ignore]

    #: A history column: float64 values (int64 for "iteration" and "numerical_rank").
    Column = npt.NDArray[Any]
    _Base = Dict[str, Column]
else:
    _Base = dict

_T = TypeVar("_T")


class History(_Base):
    """The history of a run: a ``dict`` of one numpy array per scalar column, one entry per
    recorded iterate, and the matrix-valued column ``"singular_values"`` (iterations × c).

    Iterating, ``len``, ``keys()``, ``dict(history)`` and ``pandas.DataFrame(history)`` see the
    scalar columns; ``history["singular_values"]`` and ``"singular_values" in history`` reach the
    matrix-valued one too, and :meth:`to_frame` gives one frame with everything.

    Columns (see docs/mathematics.md): ``iteration``, ``time`` (η·t), ``loss``, ``test_error``,
    ``residual``, and the diagnostics the run recorded: ``singular_values``, ``effective_rank``,
    ``numerical_rank``, ``imbalance``, ``alignment_left``, ``alignment_right``,
    ``spectral_alignment_left``, ``spectral_alignment_right``, ``signal``, ``noise``,
    ``perturbation``, ``perturbation_frobenius``. ``iteration`` and ``numerical_rank`` are int64
    (``numerical_rank`` stays float64, with NaN, when a row's singular values were not finite).
    """

    #: The matrix-valued columns by name (``"singular_values"``: iterations × c).
    matrices: Dict[str, Column]

    def __init__(self, scalars: Union[Mapping[str, Column], Iterable[Tuple[str, Column]]] = (),
                 matrices: Optional[Mapping[str, Column]] = None) -> None:
        super().__init__(scalars)
        self.matrices = dict(matrices or {})

    def __getitem__(self, name: str) -> Column:
        if name in self.matrices:
            return self.matrices[name]
        return super().__getitem__(name)

    def __contains__(self, name: object) -> bool:
        return name in self.matrices or super().__contains__(name)

    @overload
    def get(self, name: str, default: None = None) -> Optional[Column]: ...

    @overload
    def get(self, name: str, default: Union[Column, _T]) -> Union[Column, _T]: ...

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default

    def __reduce__(self) -> Tuple[Any, ...]:
        return (History, (dict(self), self.matrices))

    def to_frame(self) -> pandas.DataFrame:
        """A ``pandas.DataFrame`` of every column, one row per recorded iterate; the matrix-valued
        column becomes ``singular_value_1`` … ``singular_value_c``."""
        from ._optional import require
        pd = require("pandas", "notebook", "History.to_frame")
        frame = pd.DataFrame(dict(self))
        for name, values in self.matrices.items():
            stem = name[:-1] if name.endswith("s") else name
            for j in range(values.shape[1]):
                frame[f"{stem}_{j + 1}"] = values[:, j]
        return frame
