// Package tfexec is tfoffload's TensorFlow-semantics executor, written in
// Go. It runs whatever the offload engine cannot (control flow, strings,
// untranslatable ops), it is the oracle every offloaded result is tested
// against, and it folds constants when models are frozen.
//
// # Execution
//
// An [Executor] runs a GraphDef the way TensorFlow's own executor does:
// in dataflow order, several independent nodes at once, with multiple
// outputs per node and control inputs. For each set of feeds and fetches
// it prepares a plan once: the graph pruned to what the fetches need
// (stopping at fed tensors), with every kernel set up, so a missing kernel
// (all of them, listed in one *UnsupportedOpsError), an unfed placeholder
// or a bad attribute is reported before the first run.
//
// TensorFlow 1 control flow runs natively (TensorFlow 2's functional
// control flow is under Functions below). Switch forwards its input to one
// output and makes the other dead; a node with a dead input is dead too and
// runs nothing; Merge takes its live input. Loops run in frames:
// Enter moves values into a loop frame (every iteration for loop
// invariants), NextIteration into the next iteration, Exit back out, and
// nested loops nest frames. So graphs built by tf.cond and tf.while_loop
// run unchanged. As in TensorFlow, at most parallel_iterations iterations
// of a loop (the Enter attribute, 10 by default) are alive at once, and an
// iteration's state is freed as soon as it is done, so a loop's memory is
// bounded by its live iterations, not by how many it ran.
//
// # Functions
//
// TensorFlow 2 graphs call functions of their library (FunctionDefs), and
// the executor runs them with TensorFlow's semantics: PartitionedCall and
// StatefulPartitionedCall (and a node whose op is a function's name) call
// f; If and StatelessIf call then_branch when the condition holds, else
// else_branch; Case and StatelessCase call branches[branch_index], the
// last branch when the index is out of range; While and StatelessWhile
// call cond on the loop variables and, while it holds, replace them by
// what body returns. A condition is TensorFlow's truth value: a scalar is
// true when it is not zero (a string when not empty), any other tensor
// when it has elements. Each func attribute's own attribute map binds the
// function's attribute placeholders ($T).
//
// Each function, with one set of attribute values, is instantiated once
// per executor (package function) into a nested plan prepared once, when
// the calling node is prepared, so a body's missing kernels or bad
// attributes are reported by Prepare naming the node, op and function;
// every call, from any run and goroutine, reuses that plan. A function
// that calls itself is prepared when it first runs. The results are
// checked against the node's Tout (While: T) and the function's
// signature; output_shapes, a shape-inference hint, is not checked, as in
// TensorFlow. A While's iterations run one after another
// (parallel_iterations is a hint), drop each iteration's tensors as the
// next begins and stop when the context is cancelled. Calls nest at most
// [MaxCallDepth] deep; deeper is an error wrapping [ErrCallDepth] naming
// the innermost calls. Each call's run is bounded by the run budget on
// its own; the node timer and observer see the calling node, not the
// function's nodes.
//
// # Kernels
//
// Op implementations live in the kernels/... packages, each listing its
// kernels as rows of package kernel's table (the plumbing ops' rows are
// in plumbing.go); see package kernel for what a kernel must guarantee.
// The executor adds per-executor overrides ([WithKernel]), which is how
// the bridge puts its offloaded clusters into a graph.
//
// # Resources
//
// What outlives a run lives in the executor's resources
// (kernel.Resources), as in a TensorFlow session's resource manager:
// lookup tables, created by the first run that executes their node and
// kept until the executor goes, seen by every run and by every function
// the executor calls. So an init op run once initialises the tables that
// later runs read. Kernels read files only through the resources: the
// files a model's own nodes name (a table's vocabulary) only under the
// model directory given with [WithModelFiles], and the paths a graph gives
// at run time (ReadFile) only where [WithFileAccess] allows; an executor
// without them reads no files.
//
// # Memory
//
// Sizes that come from tensor values (Fill's dims, Range's limit, a
// broadcast, TensorListReserve's count, a Resize's size, ...) are checked
// against tensor.MaxTensorBytes before anything is allocated, so a model
// cannot make the process run out of memory with one huge tensor; the
// tensors one run holds at once are bounded by [WithMaxRunBytes]
// (tensor.MaxRunBytes by default). Going over either is a [*NodeError]
// wrapping a *tensor.TooLargeError that names the node, op, dtype and
// shape; the run stops and the executor keeps working. A kernel that
// panics (a bug) is reported as a [*PanicError], one line, with the stack
// kept in the error rather than in its message.
//
// # Nil values
//
// Run refuses a nil context with [ErrNilContext], as net/http does, and a
// nil or zero Executor with [ErrNoGraph]; nil options are ignored. The
// engine package follows the same rule.
//
// # Concurrency
//
// An Executor is safe for concurrent use. Each Run has its own state;
// plans and kernels are shared and kernels never modify their inputs.
package tfexec
