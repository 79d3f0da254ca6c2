// Package nn implements tfexec's kernels for neural-network layers that
// are not convolutions: pooling, bias addition, batch normalisation, local
// response normalisation, softmax, and the space/batch/depth
// rearrangements that dilated convolutions and pixel shuffles use. Each
// kernel follows TensorFlow's CPU kernel for the op: shapes, dtypes, the
// order of floating-point operations where it matters, and the
// InvalidArgument checks. Importing the package registers its kernel table
// (ops.go), one row an op with the dtypes its kernel implements.
//
// # Ops
//
//   - AvgPool, MaxPool, MaxPoolV2 (ksize and strides as inputs): NHWC and
//     NCHW; SAME, VALID and, for MaxPool, EXPLICIT padding. AvgPool
//     divides each window by the number of its elements inside the input;
//     MaxPool starts each window from the dtype's lowest finite value and
//     skips NaN, like TensorFlow's CPU kernel. MaxPool also pools across
//     the depth when ksize has a depth window (with a stride equal to it).
//     AvgPool takes half, bfloat16, float32 and float64; MaxPool those
//     plus int8, int16, int32, int64, uint8 and uint16.
//   - AvgPool3D (half, bfloat16, float32, float64) and MaxPool3D (half,
//     bfloat16, float32): NDHWC and NCDHW, SAME and VALID, with the 2-D
//     pools' rules for the padding and NaN.
//   - MaxPoolWithArgmax (real number types, NHWC): the maxima and their
//     flat indices, the first maximum in row-major order winning.
//   - Dilation2D (real number types but the 64-bit integers): the
//     maximum of input + filter over each dilated window.
//   - BiasAdd (NHWC or NCHW up to rank 5) and BiasAddV1: every number
//     type, complex included.
//   - FusedBatchNorm (float32), FusedBatchNormV2, FusedBatchNormV3 and
//     _FusedBatchNormEx (x in half, bfloat16 or float32; statistics in
//     float32), for 4-D and (V3, Ex) 5-D inputs. With is_training the
//     statistics are taken over every dimension but the channels; outputs
//     1 and 2 are the running mean and the Bessel-corrected running
//     variance after exponential_avg_factor, outputs 3 and 4 the batch
//     mean and biased batch variance, as the CPU kernel saves them. In
//     inference outputs 1 and 2 are the mean and variance inputs and 3
//     and 4 are zeros. V3's reserve_space_3 is a float32 scalar zero. An
//     empty input gives NaN statistics. _FusedBatchNormEx adds its side
//     input before the activation (Identity, Relu, Relu6, Elu or
//     LeakyRelu with leakyrelu_alpha), through kernel.Activation.
//   - LRN: x / (bias + alpha·Σ x²)^beta over the depth window [d − r,
//     d + r], in half, bfloat16 and float32.
//   - Softmax, LogSoftmax: over the last axis of any rank ≥ 1, with the row
//     maximum subtracted first; SoftmaxCrossEntropyWithLogits: logits and
//     labels broadcast to a matrix, outputs the loss per row and the
//     backprop softmax − labels. Half, bfloat16, float32 and float64.
//   - SpaceToBatchND, BatchToSpaceND (any number of block dimensions),
//     DepthToSpace and SpaceToDepth (NHWC and NCHW): pure data movement,
//     so every dtype with a Go element type works.
//
// # Numerics
//
// Where TensorFlow's CPU kernel computes with plain float32 arithmetic,
// these kernels repeat its order of operations and roundings (and spell
// out float32 conversions so that no multiply-add is fused), so results
// are bit-identical: AvgPool sums each window in TensorFlow's order, and
// batch normalisation sums its statistics in float32 channel by channel
// and takes rsqrt as 1/sqrtf, which reproduces the op corpus exactly.
// Where TensorFlow uses Eigen's vectorised exp, log or rsqrt (softmax,
// LRN), results are correctly rounded instead and agree to an ulp or two;
// softmax denominators are summed in float64. Half and bfloat16 inputs
// are computed in float32 and rounded once at the end (TensorFlow rounds
// some intermediate half results too); float64 is computed in float64.
//
// # Beyond TensorFlow's CPU kernels
//
// TensorFlow's CPU kernels reject NCHW for pooling and DepthToSpace /
// SpaceToDepth, side inputs and activations in _FusedBatchNormEx, and
// more than four non-trivial block dimensions in SpaceToBatchND and
// BatchToSpaceND; graphs meant for other devices carry them, so these
// kernels accept them and compute what the GPU kernels do.
package nn
