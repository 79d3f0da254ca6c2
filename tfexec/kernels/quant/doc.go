// Package quant implements tfexec's kernels for TensorFlow's fake
// quantization, the ops quantization-aware training leaves in a graph to
// simulate integer inference in float32, and for QuantizeV2 and
// Dequantize, which convert between float32 and the quantized dtypes,
// following TensorFlow's CPU kernels. Importing the package registers its kernel table (ops.go), one
// row an op with the dtypes its kernel implements.
//
// # Ops
//
//   - FakeQuantWithMinMaxArgs (min, max attributes, defaults −6 and 6),
//     FakeQuantWithMinMaxVars (scalar min and max inputs) and
//     FakeQuantWithMinMaxVarsPerChannel (min and max vectors over the last
//     dimension), float32 only, with num_bits in [2, 16] (default 8) and
//     narrow_range (integer range [1, 2^num_bits − 1] instead of
//     [0, 2^num_bits − 1]). The range is nudged as TensorFlow's Nudge
//     does: scale = (max − min)/(q_max − q_min), the zero point q_min −
//     min/scale is rounded half away from zero and clamped into the
//     integer range, and [min, max] is shifted so that 0 is exactly
//     representable. Each value is clamped to the nudged range and
//     rounded to the nearest step, halves up:
//     ⌊(x − nudged_min)/scale + ½⌋·scale + nudged_min. The Args op
//     multiplies by 1/scale where the others divide, as TensorFlow does.
//     FakeQuantWithMinMaxArgs rejects min ≥ max when the node is prepared.
//     A channel (or tensor) whose min and max are both 0 quantizes to 0.
//   - QuantizeAndDequantizeV2, V4 (num_bits, round_mode HALF_TO_EVEN or
//     HALF_UP) and V3 (num_bits an input, half to even): float32 and
//     float64 (TensorFlow's half and bfloat16 kernels are not
//     implemented). signed_input, narrow_range, range_given (else the
//     data's min and max) and axis (one range per slice) as in
//     TensorFlow's ComputeQuantizationRange: the largest scale that maps
//     [min, max] into the integer range keeping 0 exact, the other end of
//     the range moved to match; given ranges clamp first.
//   - QuantizeV2 (float32 to T) and Dequantize (T to float32, or bfloat16
//     in MIN_COMBINED), T one of qint8, quint8, qint16, quint16 and
//     qint32, in modes MIN_COMBINED, MIN_FIRST and SCALED (narrow_range),
//     one range or, with axis, one per slice (not MIN_FIRST, as in
//     TensorFlow). QuantizeV2 first widens [min_range, max_range] to
//     contain 0 and to be at least ensure_minimum_range·max(1, |min|,
//     |max|) wide, rounds half away from zero (or, in SCALED, half to
//     even with round_mode HALF_TO_EVEN) and gives the range it used as
//     output_min and output_max; SCALED picks the scale that fits both
//     ends into T and reports the range that scale covers. The arithmetic
//     is float32 in the order of TensorFlow's Eigen expressions
//     (quantization_utils.h for MIN_FIRST). Where TensorFlow's cast of a
//     qint32 result one step beyond the range is undefined, the result
//     saturates.
//
// # Numerics
//
// Fake quantization is float32 arithmetic in the order of TensorFlow's
// functors and reproduces the op corpus bit for bit. These are the
// formulas of TensorFlow 1.x and 2.x before 2.9; later releases compute
// the multiplier as (q_max − q_min)/(max − min) and round relative to the
// zero point, which can move a result by an ulp. The zero point is held
// in 16 bits, as in current TensorFlow (1.x truncated it to 8 bits, which
// broke num_bits above 8); the all-zero range giving zeros is also
// current behaviour (older releases produced NaN). NaN inputs stay NaN.
package quant
