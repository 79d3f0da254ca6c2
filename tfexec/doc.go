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
// TensorFlow 1 control flow runs natively. Switch forwards its input to one
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
// # Kernels
//
// Op implementations live in the kernels/... packages, each listing its
// kernels as rows of package kernel's table (the plumbing ops' rows are
// in plumbing.go); see package kernel for what a kernel must guarantee.
// The executor adds per-executor overrides ([WithKernel]), which is how
// the bridge puts its offloaded clusters into a graph.
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
