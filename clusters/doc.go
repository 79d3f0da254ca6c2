// Package clusters turns groups of TensorFlow nodes into ONNX models that
// ONNX Runtime can run, and rewrites graphs so each group becomes one node.
//
// # The translator table
//
// One table maps each TensorFlow op type to an [Entry]: a support
// predicate (dtypes, attributes) and a translator that emits ONNX nodes.
// The table is the only definition of "supported": the partitioner asks
// [Supported], and nothing else decides. Which inputs a translation needs
// as constants (a Transpose permutation, a Concat axis, ...) is an op fact
// in package opdefs, beside the other facts the partitioner and the
// offload runtime read.
//
// The package translates and encapsulates; it runs nothing. The offload
// runtime (package offload) runs a cluster on the executor to learn its
// tensors ([Recorder]), calls [Translate], and compiles the result.
//
// # Translation
//
// A [Cluster] is the one description of a group of nodes offloaded
// together: the partitioner forms it, [Translate] turns it into an ONNX
// model and [Encapsulate] replaces it by one node.
//
// [Translate] builds one ONNX model (opset [Opset]) from a cluster — its
// nodes in topological order, the tensors entering it (graph inputs) and
// leaving it (graph outputs) — and a [TensorInfo] for every tensor it
// touches: dtype, shape and, for static tensors, the value. Weights become
// initializers.
//
// TensorFlow's convolutions and pools are NHWC; ONNX's are NCHW. Rather
// than wrapping every such op in a pair of transposes and cancelling them
// afterwards, the translator tracks a layout per value: an ONNX value is the
// TensorFlow tensor permuted by a known permutation. A convolution leaves
// its output in NCHW and says so; layout-agnostic ops (elementwise math,
// activations, reductions and concatenations with remapped axes) work on
// the permuted value directly; a transpose is emitted only where an op needs
// TensorFlow's order, or at the cluster's outputs. A CNN therefore has no
// transpose between its convolutions.
//
// # Encapsulation
//
// [Encapsulate] rewrites a GraphDef so each cluster is one node of op type
// [ClusterOp], whose kernel the offload runtime provides; outside consumers and
// control edges are re-pointed to it.
package clusters
