// Package offload is the runtime of offloaded clusters: it compiles a
// cluster for ONNX Runtime once per input signature, caches the compiled
// sessions, runs them, and falls back to the cluster's original nodes on
// the Go executor when the engine cannot.
//
// # Compiling
//
// A cluster compiles on first use for each input signature: the shapes
// and dtypes of its inputs, and the values of the inputs its translation
// needs as constants ([clusters.Cluster.StaticInputs]). Compiling runs the
// cluster's nodes once on the executor ([Runner.Infer]) to learn every
// tensor's dtype, shape and, for static tensors, value, then translates
// the cluster ([clusters.Translate]) and builds an engine session. The
// compile is shared by concurrent callers with the same signature.
//
// # Falling back
//
// When translation or compilation fails, that signature runs on the
// executor from then on; when one engine run fails (an index out of range,
// say), that call runs on the executor. Either is logged once per cluster.
// With fallback off, both are errors wrapping [ErrOffload].
//
// # Hooks
//
// [Options.Rewrite] changes each translated model before its session is
// built (package quantize rewrites it into integer form this way), and
// [Options.Tap] sees every output of the rewritten model after each run,
// so calibration can read activations the rewrite exposed; the cluster
// still returns only its own outputs.
//
// Package bridge builds a [Runtime] per cluster of a session and makes it
// the kernel of the cluster's node; `tfoffload convert` compiles a whole
// model through the same [Runner] and [Compile].
package offload
