// Package linalg implements tfexec's kernels for linear algebra other than
// matrix products, which live in package conv beside the convolutions that
// share their GEMM. Each kernel follows TensorFlow's CPU kernel for the
// op: shapes, dtypes, the order of floating-point operations and the
// InvalidArgument checks. Importing the package registers its kernel table
// (ops.go), one row an op with the dtypes its kernel implements.
//
// # Ops
//
//   - Cross: the cross products of the 3-vectors in the last dimension of
//     two tensors of the same shape, for every real number type. Integers
//     wrap on overflow; half and bfloat16 round every product and
//     difference, as Eigen's half arithmetic does.
//   - Einsum: TensorFlow's einsum equations of one or two operands, with
//     an ellipsis broadcasting as numpy's does (summed when the output
//     has none) and repeated labels taking diagonals; every output element
//     is one sum in the order of the summed labels, half and bfloat16 in
//     float32 rounded once.
//   - MatrixBandPart and the MatrixDiag family (MatrixDiag,
//     MatrixDiagPart, MatrixSetDiag and their V2 and V3): bands of
//     diagonals of the innermost matrices, packed with V3's align (V2
//     packs LEFT_LEFT), for every fixed-size dtype. Pure data movement.
package linalg
