// Package tfshape is TensorFlow's shape arithmetic, written once for the
// executor's kernels and the ONNX translators: the strided-slice spec
// (TensorFlow's ValidateStridedSliceOp), the 2-D convolution attributes
// (InitConv2DParameters, CheckValidPadding) and windowed output sizes with
// their padding (GetWindowedOutputSizeVerbose).
//
// TensorFlow keeps these beside its kernels, shape functions and XLA
// lowering so that all three agree; here a kernel and the translator of
// the same op call the same function, and differ only in what they do
// with the result. Errors for arguments TensorFlow rejects wrap
// [ErrInvalidArgument] and keep TensorFlow's wording.
package tfshape

import "errors"

// ErrInvalidArgument is wrapped by errors for arguments TensorFlow rejects
// with InvalidArgument.
var ErrInvalidArgument = errors.New("invalid argument")

// ErrUnsupported is wrapped by errors for arguments TensorFlow accepts in
// general but its CPU kernels (and so tfoffload) do not support.
var ErrUnsupported = errors.New("not supported")
