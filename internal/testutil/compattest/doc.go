// Package compattest holds the rule the compat packages' tests share for
// ONNX Runtime: the TensorFlow Go API is checked whether or not ONNX
// Runtime can be loaded, offloaded where it can and on the Go executor
// alone where it cannot, except where testutil.Required says the run must
// have it (CI), which fails instead.
package compattest
