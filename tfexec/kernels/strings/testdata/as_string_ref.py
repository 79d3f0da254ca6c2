#!/usr/bin/env python3
"""Expected AsString outputs, computed as TensorFlow's own test computes them.

tensorflow/python/kernel_tests/strings_ops/as_string_op_test.py
(testFloat, testInt, testComplex) holds TensorFlow's AsString to Python's
%-formatting of the same values; this script writes those expectations
for as_string_ref.json (read by strings_test.go):

    python3 as_string_ref.py > as_string_ref.json
"""
import json

floats = [0, 1, -1, 0.5, 0.25, 0.125, float("inf"), float("nan"), float("-inf")]
ints = [0, -1, 1, -128, 127, -101, 101, -0]
uints = [0, 1, 127, 255, 101]

# (attrs, format) pairs of testFloat.
float_cases = [
    ({"shortest": True}, "%g"),
    ({"scientific": True}, "%e"),
    ({}, "%f"),
    ({"width": 3}, "%3f"),
    ({"width": 3, "fill": "0"}, "%03f"),
    ({"width": 3, "fill": "0", "shortest": True}, "%03g"),
    ({"precision": 10, "width": 3}, "%03.10f"),
    ({"precision": 10, "width": 3, "fill": "0", "shortest": True}, "%03.10g"),
]
int_cases = [({}, "%d"), ({"width": 3}, "%3d"), ({"width": 3, "fill": "0"}, "%03d")]


def fmt(f, x):
    return f % x


out = {"floats": [], "ints": [], "uints": [], "complex": []}
for attrs, f in float_cases:
    out["floats"].append({"attrs": attrs, "input": [str(x) for x in floats],
                          "output": [fmt(f, x) for x in floats]})
    comps = [complex(x, x + 1) for x in floats]
    out["complex"].append({"attrs": attrs,
                           "real": [str(c.real) for c in comps], "imag": [str(c.imag) for c in comps],
                           "output": ["(%s,%s)" % (fmt(f, c.real), fmt(f, c.imag)) for c in comps]})
for attrs, f in int_cases:
    out["ints"].append({"attrs": attrs, "input": ints, "output": [fmt(f, x) for x in ints]})
    out["uints"].append({"attrs": attrs, "input": uints, "output": [fmt(f, x) for x in uints]})
print(json.dumps(out, indent=1))
