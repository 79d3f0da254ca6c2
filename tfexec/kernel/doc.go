// Package kernel is the contract between tfexec's executor and the op
// implementations: the kernel table from op type to kernel factory, what
// a kernel sees at prepare and run time, and helpers every kernel family
// shares (axis normalisation, integer inputs, broadcasting, parallel loops,
// half-precision staging, activations).
//
// # The kernel table
//
// Each op's kernel is one row of a table, a [Def]: the op type, the
// element types the kernel implements for its type attribute, and the
// [Factory] that prepares it. Each kernel package lists its rows in one
// table, in its ops.go, and adds them with [Register] in a single init
// function. [Lookup] finds an op's factory for the executor; [Defs] lists
// the whole table, sorted, for tools such as a coverage report. Dtype
// lists are written with [FloatTypes], [RealTypes], [NumberTypes] and
// their relatives, named after TensorFlow's register_types.h; a factory
// that checks its type attribute when the node is prepared uses the same
// list as its row (see [CheckTypeAttr]). The tests of package
// tfexec/kernels hold every row to what its kernel accepts.
//
// # Kernels
//
// A [Factory] runs once per node when a graph is prepared: it reads and
// validates the node's attributes and returns a [Kernel] closure, so a bad
// attribute is reported before the first run and attribute parsing costs
// nothing per run. A Kernel takes the node's data inputs and returns its
// outputs. It must not modify its inputs (they may be shared with other
// consumers and with the caller) and must be safe to call from several
// goroutines at once: per-run state lives in local variables, never in the
// closure, and state that outlives a run (a lookup table) in the
// executor's [Resources], which the Context carries. Files are read only
// through [Resources.OpenModelFile] (files the model names, inside its
// directory) and [Resources.OpenFile] (paths a graph gives at run time,
// where the executor's [FileAccess] allows).
//
// Control flow (Switch, Merge, Enter, Exit, NextIteration, LoopCond) is
// not implemented by kernels: the executor handles deadness and frames
// itself.
//
// # Memory
//
// Every output allocated with tensor.New or tensor.MustNew is checked
// against the memory budget (tensor.MaxTensorBytes) before it is
// allocated. A kernel that allocates with make a size it computed from its
// inputs' values, its attributes or a product of input sizes (a broadcast,
// a matrix product with a small inner dimension, an index of one int per
// output element) calls tensor.CheckAlloc for it first and returns the
// error; [CheckOutputCount] does the same for a number of outputs.
// Allocations no larger than an input need no check.
//
// # Numerics
//
// Kernels follow TensorFlow's semantics exactly. Half and bfloat16 inputs
// are computed in float32 and rounded back, as TensorFlow's CPU kernels do
// for most ops; [Float32s] and [FromFloat32s] do the staging.
package kernel
