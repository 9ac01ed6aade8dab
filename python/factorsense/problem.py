"""Sensing problems: an operator 𝒜, measurements y = 𝒜(X⋆) + ξ and, when known, the truth X⋆."""
from __future__ import annotations

import copy
import functools
import pickle
from ctypes import byref, c_char_p, c_double, c_int, c_int32, c_int64, sizeof
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple, TypeVar, Union, cast, overload

import numpy as np

from . import _arrays, _scalars
from ._handle import Handle, new_handle
from ._lib import as_doubles, as_floats, as_int64s, fs_problem_spec, lib
from .errors import InvalidArgumentError, NotFiniteError, SizeMismatchError, WrongStateError, check
from .progress import call_interruptibly, raise_interrupt

if TYPE_CHECKING:
    import numpy.typing as npt

    from ._types import Flag, FloatArray, Integer, Real, Shape, Target
    from .predictions import Predictions

_F = TypeVar("_F", bound=Callable[..., Any])

_SPECTRA = {"geometric": 0, "linear": 1}  # the fs_spectrum values FS_SPECTRUM_GEOMETRIC, FS_SPECTRUM_LINEAR
_PRECISIONS = {"float64": 0, "float32": 1}  # the fs_precision values FS_PRECISION_FLOAT64, FS_PRECISION_FLOAT32


def _precision(dtype):
    """The storage dtype name ("float64" or "float32") of ``dtype``: a name, a numpy dtype or
    scalar type; anything else is an InvalidArgumentError."""
    try:
        name = np.dtype(dtype).name if not isinstance(dtype, bool) else None
    except TypeError:
        name = None
    if name not in _PRECISIONS:
        raise InvalidArgumentError(f"dtype must be float64 or float32 (the storage of a dense operator), "
                                   f"got {_scalars.shown(dtype)}")
    return name


def _is_single(array):
    """Whether ``array`` holds 4-byte floats, in either byte order (np.dtype('>f4') is not
    np.float32, so an equality test would store a big-endian float32 operator as float64)."""
    kind = getattr(array, "dtype", None)
    return kind is not None and np.dtype(kind).kind == "f" and np.dtype(kind).itemsize == 4


def _remembered(generator: _F) -> _F:
    """Makes a generator record its own call on the problem it returns, so that the problem
    pickles as that call (arguments copied now: later changes to your arrays do not change it)."""
    @functools.wraps(generator)
    def remembering(cls, *args, **kwargs):
        recipe = ("generate", generator.__name__, copy.deepcopy(args), copy.deepcopy(kwargs))
        problem = generator(cls, *args, **kwargs)
        problem._recipe = recipe
        return problem
    return cast(_F, remembering)


class SensingProblem(Handle):
    """A low-rank matrix sensing problem (docs/mathematics.md, "Measurements and operators").

    Build one with a generator — :meth:`gaussian`, :meth:`symmetric_gaussian`,
    :meth:`factorization`, :meth:`completion`, :meth:`rank_one`, each of which draws a target
    or measures yours (``target=``, a matrix or factors; docs/targets.md) — or from your own
    operator and data with :meth:`from_dense` and :meth:`from_entries`. Every random draw comes
    from ``seed``: the same seed gives the same bits. ``psd=True`` makes the target PSD,
    X⋆ = L diag(s) Lᵀ, and the parameterization symmetric: X = UUᵀ with loss
    f(U) = ¼‖𝒜(UUᵀ) − y‖². ``psd`` is a bool (or numpy bool): ``"False"``, 1 or None are
    refused with InvalidArgumentError rather than read as true or false.

    Examples
    --------
    >>> import factorsense as fs
    >>> p = fs.SensingProblem.gaussian(n1=40, n2=30, rank=3, measurements=900, seed=0)
    >>> p.A.shape, p.y.shape, p.truth.shape
    ((900, 1200), (900,), (40, 30))
    """

    def __init__(self) -> None:
        super().__init__(new_handle(lib.fs_problem_create), lib.fs_problem_free)
        self._recipe = None  # how to make this problem again (see __reduce__); None: from its arrays

    # ------------------------------------------------------------------ generators

    @classmethod
    def _generate(cls, kind, n1, n2, rank, measurements, drawn, psd, noise, seed, target=None, dtype="float64"):
        """The problem of operator ``kind``: of a drawn target described by ``drawn`` (scale,
        condition_number, spectrum; None for their defaults), or of the caller's ``target``;
        a dense operator stored as ``dtype``."""
        spec = fs_problem_spec()
        check(lib.fs_problem_spec_init(byref(spec), sizeof(spec)), None)
        spec.precision = _PRECISIONS[_precision(dtype)]
        spec.psd = int(_scalars.flag(psd, "psd"))
        spec.noise_level, spec.seed = _scalars.real(noise, "noise"), _scalars.seed(seed)
        spec.measurements = 1 if kind == "identity" else _needed(measurements, "measurements", kind)
        problem = cls()
        if target is not None:
            given = [name for name, value in drawn.items() if value is not None]
            if given:
                raise InvalidArgumentError(f"{' and '.join(given)} describe a drawn target; with target= the target is "
                                           f"yours: leave {' and '.join(given)} out")
            args = _target_arguments(target, kind, n1, n2, rank, spec)
            call = lib.fs_problem_generate_for_target if len(args) == 2 else lib.fs_problem_generate_for_factors
            n1, n2, m = spec.n1, spec.n2, spec.measurements  # filled by _target_arguments
            work = {"identity": n1 * n2, "completion": m, "rank_one": m * (n1 + n2)}.get(kind, m * n1 * n2)
            problem._fill(lambda: call(problem.handle, _scalars.text(kind, "operator_kind"), byref(spec), *args), work)
            return problem
        spectrum = "geometric" if drawn["spectrum"] is None else drawn["spectrum"]
        if not isinstance(spectrum, str) or spectrum not in _SPECTRA:
            raise InvalidArgumentError(f"spectrum must be one of {sorted(_SPECTRA)}, got {_scalars.shown(spectrum)}")
        spec.n1, spec.n2 = _needed(n1, "n1", kind), _needed(n2, "n2", kind)
        spec.rank = _needed(rank, "rank", kind)
        spec.scale = _scalars.real(1.0 if drawn["scale"] is None else drawn["scale"], "scale")
        condition_number = 1.0 if drawn["condition_number"] is None else drawn["condition_number"]
        spec.condition_number = _scalars.real(condition_number, "condition_number")
        spec.spectrum = _SPECTRA[spectrum]
        n1, n2, m = spec.n1, spec.n2, spec.measurements  # Python ints: no overflow below
        work = {"identity": n1 * n2, "completion": m, "rank_one": m * (n1 + n2)}.get(kind, m * n1 * n2)
        problem._fill(lambda: lib.fs_problem_generate(problem.handle, _scalars.text(kind, "operator_kind"), byref(spec)), work)
        return problem

    @classmethod
    @_remembered
    def gaussian(cls, n1: Optional[Integer] = None, n2: Optional[Integer] = None, rank: Optional[Integer] = None,
                 measurements: Optional[Integer] = None, *, target: Optional[Target] = None,
                 scale: Optional[Real] = None, condition_number: Optional[Real] = None, spectrum: Optional[str] = None,
                 psd: Flag = False, noise: Real = 0.0, seed: Integer = 0,
                 dtype: npt.DTypeLike = "float64") -> SensingProblem:
        """Gaussian sensing: (𝒜X)_i = ⟨G_i, X⟩/√m with G_i iid N(0, 1), so E‖𝒜X‖² = ‖X‖²_F.

        The target X⋆ = L diag(s) Rᵀ has Haar-random orthonormal L, R and singular values from
        ``scale`` (1) down to ``scale / condition_number`` (κ = 1), spaced by ``spectrum``
        ("geometric" or "linear"); y = 𝒜(X⋆) + ξ with ξ ~ N(0, noise² I_m). Costs O(m·n1·n2)
        memory and time per gradient.

        ``target=`` measures your own X⋆ instead (docs/targets.md): a matrix, or factors
        ``(L, s, R)`` meaning L diag(s) Rᵀ, or ``(L, s)`` meaning L diag(s) Lᵀ (s ≥ 0). n1, n2
        and rank then come from the target (passing a different one is an error; rank is
        checked against the numerical rank), and 𝒜 and ξ are drawn from ``seed`` exactly as
        for a drawn target of the same sizes.

        ``dtype="float32"`` stores 𝒜 in single precision (docs/performance.md): the same draw
        with each entry rounded to the nearest float, and y measured by the rounded operator.
        Half the memory and half the bytes read per gradient; every product is still computed
        in double precision, so the problem is exactly that of its stored operator.

        >>> import numpy as np, factorsense as fs
        >>> X = np.outer([1.0, 2.0, 3.0], [1.0, -1.0])
        >>> p = fs.SensingProblem.gaussian(target=X, measurements=20, seed=1)
        >>> p.shape, bool(np.allclose(p.y, p.A @ X.ravel()))
        ((3, 2), True)
        >>> q = fs.SensingProblem.gaussian(3, 2, 1, 20, seed=1)   # a drawn target, the same 𝒜
        >>> bool((q.A == p.A).all())
        True
        """
        return cls._generate("gaussian", n1, n2, rank, measurements, _drawn(scale, condition_number, spectrum), psd,
                             noise, seed, target, dtype)

    @classmethod
    @_remembered
    def symmetric_gaussian(cls, n: Optional[Integer] = None, rank: Optional[Integer] = None,
                           measurements: Optional[Integer] = None, *, target: Optional[Target] = None,
                           psd: Flag = True, scale: Optional[Real] = None, condition_number: Optional[Real] = None, spectrum: Optional[str] = None,
                           noise: Real = 0.0, seed: Integer = 0, dtype: npt.DTypeLike = "float64") -> SensingProblem:
        """Symmetric Gaussian sensing of an n × n target: (𝒜X)_i = ⟨(G_i + G_iᵀ)/2, X⟩/√m.

        The operator sees only the symmetric part (X + Xᵀ)/2 of X, so the target is always
        symmetric: a ``target=`` that is not, ‖X⋆ − X⋆ᵀ‖_F > 1e-10 ‖X⋆‖_F (matrix or factors
        ``(L, s, R)``), raises :class:`InvalidArgumentError`. With ``psd=True`` (the default) the
        setting of Stöger & Soltanolkotabi: X = UUᵀ; then a ``target=`` must be symmetric
        positive semidefinite (a matrix, checked to a relative 1e-10, or factors ``(L, s)``,
        L diag(s) Lᵀ with s ≥ 0). ``psd=False`` fits with X = UVᵀ a symmetric target that need
        not be PSD: a drawn one is X⋆ = L diag(s₁, −s₂, s₃, −s₄, …) Lᵀ, the L of the PSD target
        of the same seed with alternating signs on s (indefinite for rank ≥ 2; its singular
        values are still s). ``dtype="float32"`` stores 𝒜 in single precision, as for
        :meth:`gaussian`.

        >>> import numpy as np, factorsense as fs
        >>> L = np.linalg.qr(np.random.default_rng(0).standard_normal((6, 2)))[0]
        >>> p = fs.SensingProblem.symmetric_gaussian(target=(L, [2.0, 1.0]), measurements=60, seed=3)
        >>> p.psd, bool(np.allclose(p.truth, L @ np.diag([2.0, 1.0]) @ L.T))
        (True, True)
        """
        return cls._generate("symmetric_gaussian", n, n, rank, measurements,
                             _drawn(scale, condition_number, spectrum), psd, noise, seed, target, dtype)

    @classmethod
    @_remembered
    def factorization(cls, n1: Union[Integer, npt.ArrayLike, None] = None, n2: Optional[Integer] = None,
                      rank: Optional[Integer] = None, *, target: Optional[Target] = None, psd: Flag = False,
                      scale: Optional[Real] = None, condition_number: Optional[Real] = None, spectrum: Optional[str] = None,
                      noise: Real = 0.0, seed: Integer = 0) -> SensingProblem:
        """Plain matrix factorization, 𝒜 = identity: f(U, V) = ½‖UVᵀ − Σ‖²_F (Ye & Du), m = n1·n2.

        Give your own matrix Σ as the first argument (or ``target=``, also as factors) to
        factor it; otherwise a target is drawn as in :meth:`gaussian`.

        >>> import numpy as np, factorsense as fs
        >>> S = np.arange(12.0).reshape(4, 3)           # rank 2
        >>> p = fs.SensingProblem.factorization(S)
        >>> p.measurements, bool((p.y == S.ravel()).all()), bool((p.truth == S).all())
        (12, True, True)
        """
        if target is None and n1 is not None and not _is_scalar(n1):
            if n2 is not None:
                raise InvalidArgumentError("factorization(S) takes the matrix alone: its shape gives n1 and n2")
            n1, target = None, n1
        return cls._generate("identity", n1, n2, rank, None, _drawn(scale, condition_number, spectrum), psd, noise,
                             seed, target)

    @classmethod
    @_remembered
    def completion(cls, n1: Optional[Integer] = None, n2: Optional[Integer] = None, rank: Optional[Integer] = None,
                   measurements: Optional[Integer] = None, *, target: Optional[Target] = None, psd: Flag = False,
                   scale: Optional[Real] = None, condition_number: Optional[Real] = None, spectrum: Optional[str] = None,
                   noise: Real = 0.0, seed: Integer = 0) -> SensingProblem:
        """Matrix completion: (𝒜X)_i = √(n1·n2/m) · X_{a_i b_i} at m distinct uniform positions.

        Costs O(m·k) per gradient and never forms an n1 × n2 matrix (the generated target is
        kept as its factors, and so is a ``target=(L, s, R)`` of yours), so large problems fit
        in a laptop's memory.

        >>> import numpy as np, factorsense as fs
        >>> rng = np.random.default_rng(0)
        >>> L, R = rng.standard_normal((30, 2)), rng.standard_normal((20, 2))
        >>> p = fs.SensingProblem.completion(target=(L, [1.0, 0.5], R), measurements=200, seed=4)
        >>> rows, columns, c = p.entries
        >>> bool(np.allclose(p.y, c * (L @ np.diag([1.0, 0.5]) @ R.T)[rows, columns]))
        True
        """
        return cls._generate("completion", n1, n2, rank, measurements, _drawn(scale, condition_number, spectrum), psd,
                             noise, seed, target)

    @classmethod
    @_remembered
    def rank_one(cls, n1: Optional[Integer] = None, n2: Optional[Integer] = None, rank: Optional[Integer] = None,
                 measurements: Optional[Integer] = None, *, target: Optional[Target] = None, psd: Flag = False,
                 scale: Optional[Real] = None, condition_number: Optional[Real] = None, spectrum: Optional[str] = None,
                 noise: Real = 0.0, seed: Integer = 0) -> SensingProblem:
        """Rank-one projections: (𝒜X)_i = a_iᵀ X b_i/√m, a_i, b_i ~ N(0, I) drawn independently.

        With ``psd=True`` the operator is symmetric, A_i = (a_i b_iᵀ + b_i a_iᵀ)/(2√m), so
        (𝒜X)_i = a_iᵀ sym(X) b_i/√m (b_i still drawn apart from a_i: with b_i = a_i the operator
        would not be normalized); either way E‖𝒜X‖² = ‖X‖²_F (for symmetric X when psd) and
        𝒜*(y) is close to X⋆ for large m. A ``target=`` must then be symmetric PSD.

        Costs O(m·(n1 + n2)·k) per gradient (twice that when psd); never forms A_i. ``target=``
        as in :meth:`gaussian`.

        >>> import numpy as np, factorsense as fs
        >>> X = np.outer([1.0, 0.0, -1.0], [2.0, 1.0])
        >>> p = fs.SensingProblem.rank_one(target=X, measurements=30, noise=0.01, seed=5)
        >>> p.shape, p.measurements
        ((3, 2), 30)
        """
        return cls._generate("rank_one", n1, n2, rank, measurements, _drawn(scale, condition_number, spectrum), psd,
                             noise, seed, target)

    # ------------------------------------------------------------------ the user's data

    @classmethod
    def from_dense(cls, A: npt.ArrayLike, y: npt.ArrayLike, shape: Shape, truth: Optional[npt.ArrayLike] = None, *,
                   psd: Flag = False, dtype: npt.DTypeLike = None) -> SensingProblem:
        """The problem of your own operator: ``A`` is m × (n1·n2), row i = vec(A_i) (rows of A_i
        stacked), or m × n1 × n2; ``y`` has m entries; ``truth`` is n1 × n2 or None. The
        operator is dense: a scipy.sparse ``A`` is accepted and converted to a dense array
        (for sampled entries use :meth:`from_entries`).

        ``A`` is stored as ``dtype``: by default float32 when A is a float32 array and float64
        otherwise; ``dtype="float32"`` rounds a float64 A to nearest. A float32 operator holds
        half the memory and is read twice as fast; the products are computed in float64 from
        its entries (docs/performance.md). y and truth are always float64.

        >>> import numpy as np, factorsense as fs
        >>> A = np.random.default_rng(0).standard_normal((30, 12)).astype(np.float32)
        >>> p = fs.SensingProblem.from_dense(A, A.astype(float) @ np.ones(12), (3, 4))
        >>> p.dtype, p.A.dtype, bool((p.A == A).all())
        (dtype('float32'), dtype('float32'), True)
        """
        n1, n2 = _shape(shape)
        dtype = _precision(np.float32 if dtype is None and _is_single(A) else np.float64 if dtype is None else dtype)
        A = _arrays.doubles(A, "A", dtype=dtype)
        if A.ndim == 3:
            A = _arrays.doubles(A, "A", (None, n1, n2), dtype=dtype).reshape(A.shape[0], n1 * n2)
        A = _arrays.doubles(A, "A", (None, n1 * n2), dtype=dtype)
        m = A.shape[0]
        y = _arrays.doubles(y, "y", (m,))
        truth = _optional_matrix(truth, "truth", (n1, n2))
        problem = cls()
        if dtype == "float32":
            call = lambda: lib.fs_problem_set_dense_f32(problem.handle, n1, n2, m, as_floats(A), A.size,  # noqa: E731
                                                        as_doubles(y), y.size, *_pointer(truth))
        else:
            call = lambda: lib.fs_problem_set_dense(problem.handle, n1, n2, m, as_doubles(A), A.size,  # noqa: E731
                                                    as_doubles(y), y.size, *_pointer(truth))
        problem._fill(call, A.size)
        return problem._with_psd(psd)

    @classmethod
    def from_entries(cls, rows: npt.ArrayLike, columns: Optional[npt.ArrayLike] = None,
                     values: Optional[npt.ArrayLike] = None, shape: Optional[Shape] = None, *, scale: Real = 1.0,
                     truth: Optional[npt.ArrayLike] = None, psd: Flag = False) -> SensingProblem:
        """Matrix completion from your own observed entries.

        Either index arrays ``rows``, ``columns`` and ``values`` with ``shape=(n1, n2)``, or a
        scipy.sparse matrix (COO, CSR, …) as the first argument, whose stored entries are the
        observations and whose shape is the matrix's. Measurement i is ``scale · X[rows[i],
        columns[i]]``; positions must be distinct and inside the matrix. Every stored entry of
        a sparse matrix is an observation, explicitly stored zeros included, whatever its
        format (for DIA: every position of a stored diagonal inside the matrix).
        """
        if columns is None and values is None and _arrays.is_sparse(rows):
            shape = rows.shape if shape is None else shape
            rows, columns, values = _stored_entries(rows)
        if columns is None or values is None or shape is None:
            raise InvalidArgumentError("from_entries needs rows, columns, values and shape, or one scipy.sparse matrix")
        n1, n2 = _shape(shape)
        rows, columns = _arrays.indices(rows, "rows", n1), _arrays.indices(columns, "columns", n2)
        values = _arrays.doubles(values, "values", (None,))
        if not rows.size == columns.size == values.size:
            raise SizeMismatchError(f"rows, columns and values must have the same length, got "
                                    f"{rows.size}, {columns.size} and {values.size}")
        truth = _optional_matrix(truth, "truth", (n1, n2))
        problem = cls()
        scale = _scalars.real(scale, "scale")
        problem._fill(lambda: lib.fs_problem_set_entries(problem.handle, n1, n2, values.size, as_int64s(rows),
                                                         as_int64s(columns), as_doubles(values), values.size, scale,
                                                         *_pointer(truth)), 3 * values.size)
        return problem._with_psd(psd)

    @classmethod
    def from_dense_masked(cls, M: npt.ArrayLike, *, truth: Optional[npt.ArrayLike] = None,
                          psd: Flag = False) -> SensingProblem:
        """Matrix completion from a dense matrix with its missing entries marked.

        ``M`` is an n1 × n2 array whose NaN entries are missing (fancyimpute's convention), or a
        ``numpy.ma.MaskedArray`` whose masked entries are missing (NaN under the mask is missing
        too). The observed entries, in row-major order, become the completion problem with scale
        1: the same problem as ``from_entries(rows, columns, M[rows, columns], M.shape)`` with
        ``rows, columns = np.nonzero(observed)`` (docs/completion.md, "Masked input").

        Raises InvalidArgumentError when no entry is observed, NotFiniteError for ±∞ in an
        observed entry, SizeMismatchError when M is not two-dimensional.
        """
        mask = np.ma.getmaskarray(M) if isinstance(M, np.ma.MaskedArray) else None
        data = np.ma.getdata(M) if mask is not None else M
        if np.iscomplexobj(data):
            raise InvalidArgumentError("M must be real; complex input would lose its imaginary part")
        try:
            data = np.asarray(data, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise InvalidArgumentError(f"M must be a real matrix: {error}") from None
        if data.ndim != 2:
            raise SizeMismatchError(f"M must be a two-dimensional matrix, got shape {data.shape}")
        observed = ~np.isnan(data)
        if mask is not None:
            observed &= ~mask
        if not observed.any():
            raise InvalidArgumentError(f"M ({data.shape[0]} × {data.shape[1]}) has no observed entry: "
                                       "every entry is NaN or masked")
        rows, columns = np.nonzero(observed)
        values = data[rows, columns]
        if not np.isfinite(values).all():
            bad = int(np.flatnonzero(~np.isfinite(values))[0])
            raise NotFiniteError(f"M has an infinite observed entry {values[bad]} at ({rows[bad]}, {columns[bad]}); "
                                 "mark missing entries with NaN or a mask")
        return cls.from_entries(rows, columns, values, data.shape, truth=truth, psd=psd)

    def split_holdout(self, fraction: Real, seed: Integer = 0) -> Tuple[SensingProblem, SensingProblem]:
        """``(training, validation)``: the measurements split in two (docs/completion.md,
        "Holdout split"). round(fraction · m) of them (halves away from zero) are held out —
        those whose keys splitmix64(s + (i + 1)·γ), s = splitmix64(seed) ⊕ 8γ,
        γ = 0x9E3779B97F4A7C15, are smallest — and the rest train; both keep the operator
        kind, the truth and the parameterization. Same seed, same split, on every platform.
        """
        fraction = _scalars.real(fraction, "holdout")
        seed = _scalars.seed(seed)
        training, validation = SensingProblem(), SensingProblem()
        check(lib.fs_problem_split_holdout(self.handle, fraction, seed, training.handle, validation.handle), self.handle)
        if self._recipe is not None:  # a split of a regenerable problem is regenerable too
            training._recipe = ("split", self._recipe, fraction, seed, 0)
            validation._recipe = ("split", self._recipe, fraction, seed, 1)
        return training, validation

    # ------------------------------------------------------------------ copies and pickling

    def __reduce__(self) -> Tuple[Callable[..., SensingProblem], Tuple[Any, ...]]:
        """Pickles by value, never by handle: a problem made by a generator (or split from one)
        as the call that made it — a few bytes, regenerated bit for bit from its seed — and any
        other as its arrays, read back from the library (operator, y, truth)."""
        if self._recipe is not None:
            return _rebuild, (self._recipe,)
        n1, n2 = self.shape
        truth, psd = self.truth, self.psd
        if self.operator_kind == "dense":
            return _rebuild, (("dense", self.A, self.y, (n1, n2), truth, psd),)
        if self.operator_kind == "entries":
            rows, columns, scale = self.entries
            return _rebuild, (("entries", rows, columns, self.y, (n1, n2), scale, truth, psd),)
        raise pickle.PicklingError(f"a {self.operator_kind!r} problem not made by a generator cannot be pickled")

    def __copy__(self) -> SensingProblem:
        """An independent problem with the same bits (a copy never shares the C handle)."""
        return pickle.loads(pickle.dumps(self))

    def __deepcopy__(self, memo: Dict[int, Any]) -> SensingProblem:
        return self.__copy__()

    def spectrum(self, count: Integer, *, spectral_method: str = "auto", seed: Integer = 0) -> FloatArray:
        """The top ``count`` singular values of 𝒜*(y) (a PSD problem: eigenvalues), largest first;
        kept on the problem once computed. The same as :func:`factorsense.spectrum`."""
        from .predictions import spectrum

        return spectrum(self, count, spectral_method=spectral_method, seed=seed)

    def predict(self, init_scale: Real, step: Optional[Real] = None, **settings: Any) -> Predictions:
        """The theory's predictions for gradient descent on this problem from the small random
        start of scale ``init_scale`` with ``step``: :func:`factorsense.predict`."""
        from .predictions import predict

        return predict(self, init_scale, step, **settings)

    def _fill(self, call: Callable[[], int], work: int) -> None:
        """Runs ``call``, a C call that fills this problem with about ``work`` values, so that
        Ctrl-C stops it (KeyboardInterrupt); raises the exception of any other failure."""
        status, interrupt = call_interruptibly(call, self.handle, work)
        if interrupt is not None:
            raise_interrupt(interrupt, status, self.handle)
        check(status, self.handle)

    def _with_psd(self, psd: object) -> SensingProblem:
        if _scalars.flag(psd, "psd"):
            check(lib.fs_problem_set_symmetric(self.handle, 1), self.handle)
        return self

    # ------------------------------------------------------------------ what it holds

    @property
    def shape(self) -> Tuple[int, int]:
        """(n1, n2), the shape of X."""
        n1, n2, _ = self._sizes()
        return n1, n2

    @property
    def measurements(self) -> int:
        """m, the number of measurements."""
        return self._sizes()[2]

    @property
    def psd(self) -> bool:
        """Whether the parameterization is symmetric, X = UUᵀ."""
        flag = c_int()
        check(lib.fs_problem_is_symmetric(self.handle, byref(flag)), self.handle)
        return bool(flag.value)

    @property
    def symmetric_operator(self) -> bool:
        """Whether every A_i of the operator is symmetric — ``symmetric_gaussian``, ``rank_one``
        with ``psd=True``, and :meth:`from_dense` with every row an exactly symmetric n × n
        matrix. Such an operator sees only (X + Xᵀ)/2, so its problems take only a symmetric truth.
        Not the parameterization (that is :attr:`psd`)."""
        flag = c_int()
        check(lib.fs_problem_operator_is_symmetric(self.handle, byref(flag)), self.handle)
        return bool(flag.value)

    @property
    def operator_kind(self) -> str:
        """"dense" (Gaussian, symmetric Gaussian, your matrix), "identity", "entries" (completion
        and :meth:`from_entries`) or "rank_one".

        The kind names the operator — how it is stored and applied — not the generator that drew
        it: two generators ("gaussian", "symmetric_gaussian") and your own matrix make a
        "dense" operator, and "entries" holds sampled entries whether ``completion`` drew them
        or you gave them."""
        kind = c_char_p()
        check(lib.fs_problem_get_operator_kind(self.handle, byref(kind)), self.handle)
        return kind.value.decode()

    @property
    def has_truth(self) -> bool:
        """Whether the problem knows X⋆ (then the history has a test error)."""
        flag = c_int()
        check(lib.fs_problem_has_truth(self.handle, byref(flag)), self.handle)
        return bool(flag.value)

    @property
    def A(self) -> npt.NDArray[np.floating[Any]]:
        """The dense operator, m × (n1·n2), row i = vec(A_i) (dense operators only), in its
        storage :attr:`dtype`."""
        n1, n2, m = self._sizes()
        if self.operator_kind != "dense":
            raise WrongStateError(f"a {self.operator_kind!r} operator has no dense matrix; use apply and adjoint")
        out = np.empty((m, n1 * n2))
        check(lib.fs_problem_copy_operator(self.handle, as_doubles(out), out.size), self.handle)
        return out.astype(np.float32) if self.dtype == np.float32 else out  # exact: the entries are floats

    @property
    def dtype(self) -> np.dtype[np.floating[Any]]:
        """The storage dtype of a dense operator (float64 or float32); float64 for operators
        without a dense matrix."""
        precision = c_int32()
        check(lib.fs_problem_get_precision(self.handle, byref(precision)), self.handle)
        return np.dtype(np.float32 if precision.value == _PRECISIONS["float32"] else np.float64)

    @property
    def y(self) -> FloatArray:
        """The measurements y (m values)."""
        out = np.empty(self.measurements)
        check(lib.fs_problem_copy_measurements(self.handle, as_doubles(out), out.size), self.handle)
        return out

    @property
    def truth(self) -> Optional[FloatArray]:
        """X⋆ as an n1 × n2 array, or None when the problem has no ground truth."""
        if not self.has_truth:
            return None
        out = np.empty(self.shape)
        check(lib.fs_problem_copy_truth(self.handle, as_doubles(out), out.size), self.handle)
        return out

    @property
    def entries(self) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], float]:
        """(rows, columns, scale) of a completion problem: measurement i is scale · X[rows[i], columns[i]]."""
        m = self.measurements
        rows, columns, scale = np.empty(m, dtype=np.int64), np.empty(m, dtype=np.int64), c_double()
        check(lib.fs_problem_copy_entries(self.handle, as_int64s(rows), as_int64s(columns), m, byref(scale)),
              self.handle)
        return rows, columns, scale.value

    @property
    def rank_one_vectors(self) -> Tuple[FloatArray, FloatArray, float]:
        """(a, b, c) of a rank-one problem: a is m × n1, b is m × n2, (𝒜X)_i = c · a_iᵀ X b_i; for a
        PSD problem the operator is symmetric, (𝒜X)_i = c · a_iᵀ sym(X) b_i with sym(X) = (X + Xᵀ)/2
        (b_i is drawn independently of a_i in both cases)."""
        n1, n2, m = self._sizes()
        left, right, scale = np.empty((m, n1)), np.empty((m, n2)), c_double()
        check(lib.fs_problem_copy_rank_one(self.handle, as_doubles(left), left.size, as_doubles(right), right.size,
                                           byref(scale)), self.handle)
        return left, right, scale.value

    def _sizes(self) -> Tuple[int, int, int]:
        n1, n2, m = c_int64(), c_int64(), c_int64()
        check(lib.fs_problem_get_shape(self.handle, byref(n1), byref(n2), byref(m)), self.handle)
        return n1.value, n2.value, m.value

    def __repr__(self) -> str:
        n1, n2, m = self._sizes()
        return (f"SensingProblem({n1}×{n2}, m={m}, operator={self.operator_kind!r}, psd={self.psd}, "
                f"truth={'yes' if self.has_truth else 'no'})")

    # ------------------------------------------------------------------ low-level calls

    def apply(self, X: npt.ArrayLike) -> FloatArray:
        """𝒜(X): the m measurements of an n1 × n2 matrix."""
        n1, n2, m = self._sizes()
        X = _arrays.finite(_arrays.doubles(X, "X", (n1, n2)), "X")
        out = np.empty(m)
        check(lib.fs_problem_apply(self.handle, as_doubles(X), X.size, as_doubles(out), m), self.handle)
        return out

    def adjoint(self, residual: npt.ArrayLike) -> FloatArray:
        """𝒜*(ρ) = Σ_i ρ_i A_i, an n1 × n2 matrix."""
        n1, n2, m = self._sizes()
        residual = _arrays.finite(_arrays.doubles(residual, "residual", (m,)), "residual")
        out = np.empty((n1, n2))
        check(lib.fs_problem_adjoint(self.handle, as_doubles(residual), m, as_doubles(out), out.size), self.handle)
        return out

    @overload
    def loss_and_grad(self, U: npt.ArrayLike, V: None = None) -> Tuple[float, FloatArray]: ...

    @overload
    def loss_and_grad(self, U: npt.ArrayLike, V: npt.ArrayLike) -> Tuple[float, Tuple[FloatArray, FloatArray]]: ...

    def loss_and_grad(self, U: npt.ArrayLike,
                      V: Optional[npt.ArrayLike] = None) -> Tuple[float, Union[FloatArray, Tuple[FloatArray, FloatArray]]]:
        """The loss and its gradients at the factors.

        Asymmetric: f = ½‖𝒜(UVᵀ) − y‖², returns ``(f, (∇_U f, ∇_V f))`` with ∇_U f = 𝒜*(ρ)V,
        ∇_V f = 𝒜*(ρ)ᵀU. PSD (``psd``): f = ¼‖𝒜(UUᵀ) − y‖², pass U alone, returns
        ``(f, ∇f)`` with ∇f = ½(G + Gᵀ)U.
        """
        n1, n2, _ = self._sizes()
        U = _arrays.finite(_arrays.doubles(U, "U", (n1, None)), "U")
        k = U.shape[1]
        grad_U = np.empty_like(U)
        loss = c_double()
        if self.psd:
            if V is not None:
                raise InvalidArgumentError("a PSD problem has one factor (X = UUᵀ): call loss_and_grad(U)")
            check(lib.fs_problem_loss_and_gradient(self.handle, k, as_doubles(U), U.size, None, 0, byref(loss),
                                                   as_doubles(grad_U), grad_U.size, None, 0), self.handle)
            return loss.value, grad_U
        if V is None:
            raise InvalidArgumentError("an asymmetric problem needs both factors: loss_and_grad(U, V)")
        V = _arrays.finite(_arrays.doubles(V, "V", (n2, k)), "V")
        grad_V = np.empty_like(V)
        check(lib.fs_problem_loss_and_gradient(self.handle, k, as_doubles(U), U.size, as_doubles(V), V.size,
                                               byref(loss), as_doubles(grad_U), grad_U.size, as_doubles(grad_V),
                                               grad_V.size), self.handle)
        return loss.value, (grad_U, grad_V)

    def flat_loss_and_grad(self, width: int) -> Callable[[npt.ArrayLike], Tuple[float, FloatArray]]:
        """``f(x) -> (loss, gradient)`` over the flattened factors x = [vec(U), vec(V)] (U alone
        when PSD), ready for ``scipy.optimize.minimize(f, x0, jac=True)``."""
        n1, n2 = self.shape
        psd = self.psd

        def function(x):
            x = _arrays.doubles(x, "x")
            U = x[: n1 * width].reshape(n1, width)
            if psd:
                loss, grad = self.loss_and_grad(U)
                return loss, grad.ravel()
            loss, (grad_U, grad_V) = self.loss_and_grad(U, x[n1 * width:].reshape(n2, width))
            return loss, np.concatenate([grad_U.ravel(), grad_V.ravel()])

        return function


def _rebuild(recipe):
    """The problem a recipe of SensingProblem.__reduce__ describes."""
    kind = recipe[0]
    if kind == "generate":
        _, name, args, kwargs = recipe
        return getattr(SensingProblem, name)(*args, **kwargs)
    if kind == "split":
        _, parent, fraction, seed, part = recipe
        return _rebuild(parent).split_holdout(fraction, seed)[part]
    if kind == "dense":
        _, A, y, shape, truth, psd = recipe
        return SensingProblem.from_dense(A, y, shape, truth, psd=psd)
    if kind == "entries":
        _, rows, columns, y, shape, scale, truth, psd = recipe
        return SensingProblem.from_entries(rows, columns, y, shape, scale=scale, truth=truth, psd=psd)
    raise pickle.UnpicklingError(f"unknown SensingProblem recipe {kind!r}")


def _drawn(scale, condition_number, spectrum):
    """The arguments that describe a drawn target (None: not given)."""
    return {"scale": scale, "condition_number": condition_number, "spectrum": spectrum}


def _needed(value, name, kind):
    if value is None:
        raise TypeError(f"the {kind!r} generator needs {name} (or, for the sizes, a target=)")
    return _scalars.whole(value, name)


def _is_scalar(value):
    return not isinstance(value, (tuple, list)) and np.ndim(value) == 0


def _factor_form(target):
    """Whether ``target`` is factors (L, s) or (L, s, R) — a tuple whose first item is 2-D and
    whose second is 1-D — rather than a matrix (whose rows are never 2-D)."""
    if not isinstance(target, tuple) or len(target) not in (2, 3):
        return False
    try:
        return np.ndim(target[0]) == 2 and np.ndim(target[1]) == 1
    except ValueError:
        return False


def _target_arguments(target, kind, n1, n2, rank, spec):
    """Checks the caller's target against n1, n2 and rank (each None or a value that must agree),
    fills spec.n1, spec.n2 and spec.rank, and returns the arrays' (pointer, length) arguments of
    fs_problem_generate_for_target (one array) or fs_problem_generate_for_factors (L, s, R)."""
    if _factor_form(target):
        L = _arrays.doubles(target[0], "L", (None, None))
        s = _arrays.doubles(target[1], "s", (None,))
        R = None if len(target) == 2 or target[2] is None else _arrays.doubles(target[2], "R", (None, None))
        r = s.size
        if r == 0:
            raise InvalidArgumentError("s is empty: the factors (L, s, R) need at least one column")
        if L.shape[1] != r:
            raise SizeMismatchError(f"L must be n1 × r with r = len(s) = {r}, got shape {L.shape}")
        if R is not None and R.shape[1] != r:
            raise SizeMismatchError(f"R must be n2 × r with r = len(s) = {r}, got shape {R.shape}")
        shape = (L.shape[0], L.shape[0] if R is None else R.shape[0])
        arrays = [L, s, R]
    else:
        X = _arrays.doubles(target, "target")
        if X.ndim != 2:
            raise SizeMismatchError(f"target must be a matrix (2-D) or factors (L, s, R), "
                                    f"got an array of shape {X.shape}")
        shape = X.shape
        arrays = [X]
    if 0 in shape:
        raise InvalidArgumentError(f"the target is empty: its shape is {shape[0]} × {shape[1]}")
    if kind == "symmetric_gaussian" and shape[0] != shape[1]:
        raise SizeMismatchError(f"symmetric_gaussian needs a square target, got {shape[0]} × {shape[1]}")
    for name, given, actual in (("n1", n1, shape[0]), ("n2", n2, shape[1])):
        if given is not None and _scalars.whole(given, name) != actual:
            raise SizeMismatchError(f"{name}={given} but the target is {shape[0]} × {shape[1]}: "
                                    f"leave {name} out, it is taken from the target")
    if len(arrays) == 3 and arrays[1].size > min(shape):
        raise InvalidArgumentError(f"the factors have r = len(s) = {arrays[1].size} columns, more than "
                                   f"min(n1, n2) = {min(shape)}")
    if rank is not None:
        rank = _scalars.whole(rank, "rank")
        if rank < 1:
            raise InvalidArgumentError(f"rank must be ≥ 1 (it is checked against the target's rank), got {rank}")
    spec.n1, spec.n2, spec.rank = shape[0], shape[1], 0 if rank is None else rank
    if len(arrays) == 1:
        return as_doubles(arrays[0]), arrays[0].size
    return [argument for array in arrays for argument in _pointer(array)]


def _stored_entries(sparse):
    """(rows, columns, values) of every stored entry of a scipy.sparse matrix, explicit zeros
    included. ``tocoo`` keeps them for every format but DIA, whose stored entries are the
    positions of its diagonals inside the matrix (data[d, j] is entry (j − offsets[d], j))."""
    if sparse.format == "dia":
        n1, n2 = sparse.shape
        data, offsets = np.asarray(sparse.data), np.asarray(sparse.offsets)
        rows, columns, values = [], [], []
        for d, offset in enumerate(offsets):
            j = np.arange(min(n2, data.shape[1]))
            i = j - int(offset)
            inside = (i >= 0) & (i < n1)
            rows.append(i[inside]), columns.append(j[inside]), values.append(data[d, j[inside]])
        if not rows:
            return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
        return np.concatenate(rows), np.concatenate(columns), np.concatenate(values)
    coo = sparse.tocoo()
    return coo.row, coo.col, coo.data


def _shape(shape):
    try:
        n1, n2 = shape
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"shape must be a pair (n1, n2), got {shape!r}") from None
    return _scalars.whole(n1, "n1"), _scalars.whole(n2, "n2")


def _optional_matrix(value, name, shape):
    """An optional n1 × n2 argument as a float64 array, or None."""
    return None if value is None else _arrays.doubles(value, name, shape)


def _pointer(array):
    """(double pointer, length) of an optional array, (NULL, 0) for None."""
    return (None, 0) if array is None else (as_doubles(array), array.size)
