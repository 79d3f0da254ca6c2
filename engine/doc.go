// Package engine runs ONNX models with ONNX Runtime: it finds and loads the
// ONNX Runtime shared library, compiles model bytes into sessions, runs
// them on tensor.Tensor values, and caches compiled sessions by input
// signature for the offload step.
//
// # Loading ONNX Runtime
//
// ONNX Runtime is a shared library loaded at run time (dlopen), once per
// process. [Init] finds it, in order: the [WithLibraryPath] option,
// $ONNXRUNTIME_SHARED_LIBRARY_PATH, the per-user cache that
// scripts/install-onnxruntime.sh fills
// (${XDG_CACHE_HOME:-$HOME/.cache}/tfoffload/onnxruntime/1.30.0/libonnxruntime.so.1),
// and finally libonnxruntime.so through the system loader. A path given
// explicitly (option or variable) is used alone; a relative one is taken
// relative to the working directory. [NewSession] and [AvailableProviders]
// call Init themselves; ONNX Runtime's own logging is limited to fatal
// errors.
//
// A library file is checked before dlopen sees it, because dlopen of a
// damaged file can kill the process (a truncated library gives SIGBUS): it
// must be a regular file and, on ELF systems, an ELF shared object for the
// running architecture whose size covers its header tables and every
// segment and section; the cached copy must also have the SHA-256 that
// scripts/install-onnxruntime.sh pins. When no library loads, the error is
// a [*LibraryError]: it wraps [ErrLibraryNotFound] (and [ErrLibraryUnusable]
// when a file was there but failed), says for every place tried what was
// wrong ("not found", "not a regular file", "not an ELF shared object",
// "truncated: N bytes, needs M", "checksum mismatch", "dlopen failed: …")
// and how to install a library.
//
// Engine needs ONNX Runtime 1.24 or newer (C API version 24). It calls the
// C API directly through a small cgo layer (ort.c) rather than through
// github.com/yalue/onnxruntime_go, whose v1.27.0 cannot create rank-0
// float16, bfloat16 or string tensors, mishandles float16, bfloat16 and
// rank-0 outputs that ONNX Runtime allocates, and drops ONNX Runtime's
// status codes; ort.go says more.
//
// # Sessions
//
// [NewSession] compiles a serialized ONNX ModelProto with [SessionOptions]:
// thread pools, graph optimization level, execution providers (see package
// backends for named ones) and spinning. [Session.Run] takes inputs in
// [Session.Inputs] order and returns outputs in [Session.Outputs] order:
//
//	sess, err := engine.NewSession(model, engine.SessionOptions{IntraOpThreads: 4})
//	if err != nil { ... }
//	defer sess.Close()
//	outs, err := sess.Run(ctx, []*tensor.Tensor{x})
//
// Inputs of fixed-size dtypes are handed to ONNX Runtime without copying
// (the Go memory is pinned for the run and only read); string tensors are
// copied. Output shapes need not be known in advance. The first run with
// given input shapes lets ONNX Runtime allocate each output, copies it into
// a new Go-owned tensor and frees ONNX Runtime's copy; the session then
// remembers the output shapes, and later runs with the same input shapes
// have ONNX Runtime write into new Go tensors directly, with no copy. An
// output whose shape depends on input values makes such a run fail inside
// ONNX Runtime; Run then reruns the first way and stops predicting for
// those input shapes. Every tensor.DType with an ONNX counterpart is
// carried, rank-0 and empty tensors included (ONNX Runtime 1.30 itself has
// no complex types); resource and variant tensors, and models with
// non-tensor inputs or outputs (sequences, maps, optionals), are refused
// with [ErrUnsupported].
//
// Run is safe for concurrent use on one Session. Cancelling its context
// sets ONNX Runtime's terminate flag for that run, which stops it at the
// next op boundary; the error then wraps the context's error.
//
// # Errors
//
// Failures inside ONNX Runtime are [*Error] values carrying ONNX Runtime's
// status code ([ErrorCode], for example [CodeInvalidArgument]) read from the
// status itself. Inputs that do not match the model are caught before ONNX
// Runtime sees them and wrap [ErrInvalidInput], naming the input. Use after
// Close wraps [ErrClosed].
//
// # Compile cache
//
// The offload step compiles one session per cluster and input signature.
// [Cache] keeps the most recently used ones (LRU, bounded), compiles each
// key once however many goroutines miss it at the same time, and never
// closes a session that a caller still holds. [Signature] builds keys from
// input dtypes and shapes plus the values of inputs folded into the model.
//
// # Ownership
//
// Every ONNX Runtime object belongs to a Go value with an idempotent Close
// (Session, Cache) or lives only inside one call (tensors, run options,
// session options). The library and ONNX Runtime's environment stay loaded
// for the life of the process.
package engine
