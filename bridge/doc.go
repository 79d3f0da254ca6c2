// Package bridge is tfoffload's public API: load a TensorFlow model, and
// run it with the parts ONNX Runtime can execute offloaded to it and the
// rest on tfoffload's Go executor, with the same results.
//
//	bridge.SetBackend("CPU")                        // optional: CPU is the default
//	sess, err := bridge.LoadSession("model_dir")    // SavedModel, frozen .pb, .pbtxt or TF.js
//	if err != nil { ... }
//	defer sess.Close()
//	outs, err := sess.Run(ctx, map[string]*tensor.Tensor{"input:0": x}, []string{"output:0"})
//
// # How a session runs
//
// A session partitions the graph (package partition) into clusters of ops
// the translator table supports, rewrites the graph so each cluster is one
// node (package clusters), and runs the rewritten graph on tfexec. Each
// cluster node's kernel is an offload runtime (package offload): it compiles its cluster for ONNX Runtime on first use, once per
// input signature (shapes and the values of inputs that must be static),
// caching the compiled sessions; when translation, compilation or a run
// fails, the cluster falls back to running its original nodes on tfexec,
// logged once (TFOFFLOAD_DYNAMIC_FALLBACK=0 makes that an error).
//
// # Freezing
//
// A SavedModel that still holds variables, or whose signatures call
// functions (every TF2 and Keras export), is frozen when the session is
// created (package freeze): each variable takes its value from the
// model's checkpoint, calls are inlined, training flags take their
// defaults and constants fold, so a Keras model offloads as one cluster.
// Signatures that change state (assignments, training steps) are left out
// of the session's model and logged at info level; the time freezing took
// is in Stats.FreezeTime. A model that cannot be frozen is an error
// wrapping ErrNeedsFreeze and the cause.
//
// # Quantized models
//
// WithPrecision quantizes each cluster as it compiles, by a
// quantize.Plan: INT8 with calibrated ranges (from package quantize/ptq
// or `tfoffload quantize`), dynamic INT8, or float16 weights.
// LoadSession (and OpenModel, for NewSession) recognise the folder
// `tfoffload quantize` writes and run its original model with its plan;
// an explicit WithPrecision overrides the folder's.
//
// # Settings
//
// Explicit options on a session beat package-level settings (SetBackend,
// Disable, SetDisabledOps), which beat TFOFFLOAD_* environment variables,
// which beat defaults. The environment variables are documented in
// internal/envconfig and the README.
//
// # Files
//
// A model's ReadFile nodes read the path their graph holds or is fed at
// run time. A model is untrusted input, so a session lets them read only
// inside the model's folder (graph.Model.Dir; nothing for a model built in
// code), under graph.OpenModelFile's rules: a path with a ".." element is
// refused, and after its symbolic links are followed the file must still
// lie inside. WithFileAccess adds directories; WithAnyFileAccess allows
// every file, as TensorFlow does, for graphs the program built (package
// compat/tf passes it). A refused read fails the run with ErrFileAccess,
// naming the node, the path and these options.
//
// # Concurrency
//
// Session.Run is safe for concurrent use. Session.RunAsync starts an
// inference and returns a Request to Wait on, so a server keeps several
// in flight: at most Requests() run at once, the rest wait their turn.
// WithRequests(n) sets n and splits the cores between the requests (each
// ONNX Runtime session gets NumCPU/n intra-op threads); an explicit
// IntraOpThreads in WithEngineOptions overrides the split.
//
//	sess, err := bridge.LoadSession("model.json", bridge.WithRequests(0)) // 0: AutoRequests()
//	reqs := make([]*bridge.Request, len(images))
//	for i, img := range images {
//		reqs[i] = sess.RunAsync(ctx, map[string]*tensor.Tensor{"input:0": img}, fetches)
//	}
//	for _, r := range reqs {
//		outs, err := r.Wait()
//		...
//	}
//
// The package-level settings are guarded by a mutex; a session reads them
// once, when it is created.
package bridge
