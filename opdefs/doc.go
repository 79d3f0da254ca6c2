// Package opdefs is tfoffload's one table of facts about TensorFlow ops.
//
// Every layer that needs to know something about an op type asks here
// rather than keeping its own list: the partitioner (is the op trivial,
// which inputs must be constants when it is offloaded), the offload
// runtime (which tensors are compile-time constants of a cluster), the
// translators and kernels (which inputs' values shape the outputs), the
// freezer and the Go-API wrapper generator (signatures with attribute
// defaults).
//
// # Facts
//
// [Lookup] returns an op's [Facts]:
//
//   - Trivial ops (Const, Identity, NoOp, …) do no computation and do not
//     count towards a cluster's size.
//   - ShapeOnly ops (Shape, ShapeN, Size, Rank) compute from their inputs'
//     shapes alone, never their values.
//   - DataShape ops (Where) have outputs whose shape depends on the data.
//   - ShapeInputs are the inputs whose values, not only shapes, fix the
//     shape of the outputs (a Reshape's shape, a reduction's axes), as
//     TensorFlow's shape functions read them with input_tensor.
//   - Static are the inputs the ONNX translation needs as constants (a
//     Transpose's permutation, a Concat's axis): a cluster compiles them
//     into its model, so their values become part of its compile key.
//
// An op without a row has none of these properties: it is non-trivial,
// and its output shapes follow from its input shapes and attributes.
//
// # Signatures
//
// [SignatureOf] returns an op's registered [Signature] — inputs, outputs
// and attributes with their defaults — parsed from ops.txt, which keeps
// TensorFlow's REGISTER_OP grammar so each entry can be checked against
// TensorFlow's source line by line. The freezer fills stripped attributes
// with [Signature.FillDefaults] and resolves FunctionDef `node:arg:i`
// references with [Signature.OutputRange]; [Signature.Check] validates a
// node against its op.
//
// # Consistency
//
// Tests hold the table to the code: every kernel's op and every
// translator's op has a signature; every translator has a kernel; every
// input TensorFlow names as shaping an output (shape, axis, size, …) is a
// declared ShapeInput; static facts exist only for translated ops.
//
// # Static analysis
//
// [Analyze] is the one answer to "which tensors of a region are known at
// compile time": the partitioner asks it over the candidate nodes of a
// graph, the offload runtime over the nodes of one cluster.
package opdefs
