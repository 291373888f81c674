#!/usr/bin/env python3
"""Checks the NumPy side of the NumPy/Keras-dfdx sheet with NumPy itself.

usage: check_numpy_sheet.py PAGE.md OUTPUTS.json

OUTPUTS.json is what `cargo run -- outputs PAGE.md` writes: every Rust
snippet of the page with its location, its rules and its stored output.

A row of the sheet is a ```python block followed by the ```rust snippet
that translates it. The Python blocks run in order in one namespace (with
`import numpy as np` done), like the page's Rust session. The value of every
expression statement (a line the Python shell would echo; `a, b` is two
values) is compared, in order, with what the dfdx snippet printed:

- dfdx's output is read as items: each top-level `[...]` (nested lists of
  numbers, whose nesting is the shape) or bare number, skipping words; a
  dtype word (`f32`, `f64`, `usize`...) gives its dtype to the items before
  it on its line that have none.
- shape: NumPy's `np.shape(value)` must be the item's nesting;
- dtype: where dfdx printed one, the NumPy value must be an array or NumPy
  scalar of that dtype (`f32` is `float32`);
- values: NumPy's number, rounded to as many decimals as dfdx printed, must
  be dfdx's number (within half a unit of its last digit), or within the
  snippet's `tolerance` (relative, absolute below 1, as the engine compares).
  A block that uses `np.random` is compared on shape and dtype only.

Rust snippets without a Python block before them are listed as not checked.
A row whose two sides disagree is reported at the Python block's
`PAGE.md:LINE`, and the script exits with status 1.
"""

import ast
import json
import math
import re
import sys
import time
from pathlib import Path

import numpy as np

DTYPES = {
    "f16": "float16",
    "f32": "float32",
    "f64": "float64",
    "i8": "int8",
    "i16": "int16",
    "i32": "int32",
    "i64": "int64",
    "isize": "int64",
    "u8": "uint8",
    "u16": "uint16",
    "u32": "uint32",
    "u64": "uint64",
    "usize": "uint64",
    "bool": "bool",
}

TOKEN = re.compile(
    r"(?P<open>\[)|(?P<close>\])"
    r"|(?P<dtype>(?<![\w.])(?:" + "|".join(DTYPES) + r")(?![\w.]))"
    r"|(?P<num>(?<![\w.])[-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|NaN|inf)(?![\w.]))"
)

FENCE = re.compile(r"^(`{3,}|~{3,})\s*([^`\s,]*)")


class Row:
    """A Python block and the Rust snippet after it."""

    def __init__(self, line, code):
        self.line = line  # the ```python fence
        self.code = code
        self.rust_line = None  # the ```rust fence after it
        self.rust_code = ""


def parse_page(text):
    """The page's rows, and the fence lines of Rust snippets with no Python block."""
    rows, unpaired, pending = [], [], None
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang, start = m.group(1), m.group(2), i + 1
        body = []
        i += 1
        while i < len(lines) and not (
            lines[i].startswith(fence[0] * len(fence)) and not lines[i].strip(fence[0]).strip()
        ):
            body.append(lines[i])
            i += 1
        i += 1
        if lang == "python":
            if pending is not None:
                raise SystemExit(f"error: {start}: a second ```python block before the row's ```rust snippet")
            pending = Row(start, "\n".join(body) + "\n")
        elif lang.startswith("rust"):
            if pending is not None:
                pending.rust_line = start
                pending.rust_code = "\n".join(body)
                rows.append(pending)
                pending = None
            else:
                unpaired.append(start)
    if pending is not None:
        raise SystemExit(f"error: {pending.line}: a ```python block with no ```rust snippet after it")
    return rows, unpaired


def run_block(row, namespace):
    """The block's expression values: (source text, block line, value)."""
    tree = ast.parse(row.code)
    values = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Expr):
            parts = stmt.value.elts if isinstance(stmt.value, ast.Tuple) else [stmt.value]
            for part in parts:
                code = compile(ast.Expression(part), "<sheet>", "eval")
                values.append((ast.unparse(part), stmt.lineno, eval(code, namespace)))
        else:
            exec(compile(ast.Module([stmt], []), "<sheet>", "exec"), namespace)
    return values


class Item:
    """One value dfdx printed."""

    def __init__(self, numbers, shape, out_line):
        self.numbers, self.shape, self.out_line, self.dtype = numbers, shape, out_line, None


def nested_shape(value, out_line):
    """The shape of a nested list of number strings (must be rectangular)."""
    if not isinstance(value, list):
        return ()
    shapes = {nested_shape(v, out_line) for v in value}
    if len(shapes) > 1:
        raise ValueError(f"dfdx output line {out_line}: ragged list")
    return (len(value),) + (shapes.pop() if shapes else ())


def flatten(value):
    if isinstance(value, list):
        return [n for v in value for n in flatten(v)]
    return [value]


def parse_output(text):
    """dfdx's printed values as items, in order."""
    items = []
    for out_line, line in enumerate(text.split("\n"), 1):
        stack, since_dtype = [], len(items)
        for m in TOKEN.finditer(line):
            kind, tok = m.lastgroup, m.group()
            if kind == "open":
                stack.append([])
            elif kind == "close":
                if not stack:
                    raise ValueError(f"dfdx output line {out_line}: unbalanced `]`")
                done = stack.pop()
                if stack:
                    stack[-1].append(done)
                else:
                    items.append(Item(flatten(done), nested_shape(done, out_line), out_line))
            elif kind == "num" and stack:
                stack[-1].append(tok)
            elif kind == "num":
                items.append(Item([tok], (), out_line))
            elif kind == "dtype" and not stack:
                for item in items[since_dtype:]:
                    item.dtype = item.dtype or tok
                since_dtype = len(items)
        if stack:
            raise ValueError(f"dfdx output line {out_line}: unbalanced `[`")
    return items


PRECISION = re.compile(r"\{[^{}]*:[^{}]*\.\d+[^{}]*\}")


def allowed(printed, tolerance, exact=False, dtype=None):
    """How far a NumPy number may be from dfdx's printed one.

    `exact`: the snippet printed with no precision (`{:?}`, `{}`), so Rust
    wrote the shortest digits that give back the number: NumPy's must then
    be the same number, to a few units in the last place of the dtype, not
    merely round to the printed digits ("2.0" is not 2.04).
    """
    if exact:
        limit = 0.0  # integers and booleans print every digit
        if dtype in (None, "f16", "f32", "f64"):
            float_type = np.dtype(DTYPES.get(dtype, "float64")).type
            limit = 4 * float(np.spacing(float_type(abs(float(printed)))))
        if tolerance is None:
            return limit
        return max(limit, tolerance * max(abs(float(printed)), 1.0))
    mantissa, _, exponent = printed.lower().partition("e")
    decimals = len(mantissa.partition(".")[2]) - (int(exponent) if exponent else 0)
    half_unit = 0.5 * 10.0 ** (-decimals) * (1 + 1e-9)
    if tolerance is None:
        return half_unit
    return max(half_unit, tolerance * max(abs(float(printed)), 1.0))


def compare(value, item, tolerance, values_too, exact=False):
    """What differs between a NumPy value and a dfdx item, or []."""
    problems = []
    shape = np.shape(value)
    if shape != item.shape:
        problems.append(f"shape: NumPy {shape}, dfdx {item.shape}")
    if item.dtype is None and isinstance(value, (np.ndarray, np.generic)):
        problems.append(f"dtype: NumPy {value.dtype.name}, but dfdx printed no dtype to compare it with")
    if item.dtype is not None:
        want = DTYPES[item.dtype]
        if not isinstance(value, (np.ndarray, np.generic)):
            problems.append(f"dtype: NumPy gives a Python {type(value).__name__}, dfdx {item.dtype} ({want})")
        elif value.dtype.name != want:
            problems.append(f"dtype: NumPy {value.dtype.name}, dfdx {item.dtype} ({want})")
    if values_too and not problems:
        numbers = np.asarray(value, dtype="float64").ravel()
        for index, (ours, printed) in enumerate(zip(numbers, item.numbers)):
            theirs = float(printed)
            if math.isnan(ours) and math.isnan(theirs):
                continue
            limit = allowed(printed, tolerance, exact, item.dtype)
            if not abs(ours - theirs) <= limit:
                at = np.unravel_index(index, shape) if shape else ()
                problems.append(
                    f"value at {list(map(int, at))}: NumPy {float(ours)!r}, dfdx {printed} "
                    f"(allowed difference {limit:.2g})"
                )
                break
    return problems


def check_row(page, row, snippet, namespace):
    """The row's problems (empty when both sides agree) and whether values were compared."""
    where = f"{page}:{row.line}"
    values = run_block(row, namespace)
    if snippet is None:
        return [f"{where}: no dfdx snippet at line {row.rust_line} in the outputs JSON"], False
    if snippet["output"] is None:
        return [
            f"{where}: the dfdx snippet at line {row.rust_line} has no stored output: "
            f"build and bless the page first (cargo run -- bless {page})"
        ], False
    rules = snippet["rules"]
    # Random draws are compared on shape and dtype only (a comment that
    # mentions np.random does not count).
    code = "\n".join(line.split("#", 1)[0] for line in row.code.splitlines())
    values_too = "np.random" not in code and not rules.get("timing")
    items = parse_output(snippet["output"])
    problems = []
    exact = not PRECISION.search(row.rust_code)
    if not values:
        problems.append("the Python block has no expression: nothing is compared")
    if len(values) != len(items):
        problems.append(
            f"NumPy gives {len(values)} value(s) ({', '.join(v[0] for v in values)}), "
            f"dfdx printed {len(items)}"
        )
    for n, ((source, line, value), item) in enumerate(zip(values, items), 1):
        for p in compare(value, item, rules.get("tolerance"), values_too, exact):
            problems.append(
                f"value {n}, `{source}` ({page}:{row.line + line}) against dfdx's output "
                f"line {item.out_line}: {p}"
            )
    if problems:
        head = f"{where}: NumPy and dfdx disagree (dfdx snippet {page}:{row.rust_line})"
        return [head + "".join(f"\n    {p}" for p in problems)], values_too
    return [], values_too


def main(argv):
    if len(argv) != 3:
        raise SystemExit(__doc__.split("\n\n")[1])
    start = time.monotonic()
    page, outputs = argv[1], json.loads(Path(argv[2]).read_text())
    rows, unpaired = parse_page(Path(page).read_text())
    name = Path(page).name
    by_line = {s["location"]["line"]: s for s in outputs if Path(s["location"]["file"]).name == name}
    namespace = {"np": np}
    failures, shape_only = [], 0
    for row in rows:
        try:
            problems, values_too = check_row(page, row, by_line.get(row.rust_line), namespace)
        except Exception as e:  # a NumPy error is the row's failure
            problems, values_too = [f"{page}:{row.line}: the NumPy side fails: {type(e).__name__}: {e}"], True
        failures += problems
        shape_only += not values_too
    for problem in failures:
        print(problem)
    for line in unpaired:
        print(f"{page}:{line}: not checked (no ```python block before this dfdx snippet)")
    print(
        f"numpy sheet: {len(rows)} row(s) checked with NumPy {np.__version__} "
        f"({shape_only} on shape and dtype only), {len(unpaired)} not checked, "
        f"{len(failures)} disagree; {time.monotonic() - start:.2f} s"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
