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
//
// # Files
//
// The translators are grouped as the executor's kernels are
// (tfexec/kernels/<family>): a file per family, split by topic where the
// family is large, each registering its ops in its own init.
//
//   - array_shape.go, array_transpose.go, array_concat.go, array_split.go,
//     array_slice.go, array_pad.go, array_fill.go, array_range.go: shapes
//     and data movement. array_common.go holds arr, the context these
//     translators (and the gather, space-batch and Cumsum ones) are
//     methods of, and the fold of static outputs into constants.
//   - conv.go: Conv2D, the depthwise and fused convolutions,
//     Conv2DBackpropInput; conv_matmul.go: MatMul, BatchMatMul,
//     _FusedMatMul.
//   - elementwise.go: unary and binary math, comparisons, logic, Select,
//     ClipByValue, AddN, activations, Cast; elementwise_divide.go: Div,
//     TruncateDiv, FloorDiv, FloorMod, Mod, TruncateMod.
//   - gather.go: Gather, GatherNd, ScatterNd, OneHot, Where.
//   - image.go: ResizeBilinear, ResizeNearestNeighbor.
//   - nn.go: BiasAdd, the fused batch norms, LRN, Softmax, LogSoftmax;
//     nn_pool.go: the pools; nn_spacebatch.go: SpaceToBatchND,
//     BatchToSpaceND, DepthToSpace, SpaceToDepth.
//   - reduce.go: the reductions, ArgMax, ArgMin, TopK, Cumsum.
//   - plumbing.go: Const, the identities and NoOp, whose kernels are the
//     executor's own.
//
// Shared by the families: dtypes.go (dtype sets, kernelTypes),
// formula.go (ops written as expressions) and attrs.go. The rest is the
// machinery: table.go (the table), builder.go ([Ctx], the ONNX graph),
// layout.go (layouts, elementwise emission), translate.go, whole.go,
// cluster.go, recorder.go and encapsulate.go. Tests take the names of the
// files they test (nn_test.go, gather_test.go, ...); array_test.go also
// holds the cross-op tests of the arr translators, and helpers_test.go and
// check_test.go what the tests share.
package clusters
