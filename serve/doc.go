// Package serve is a TensorFlow Serving–compatible model server over
// tfoffload sessions: the same REST and gRPC APIs, the same versioned
// model directories, dynamic batching, metrics. `tfoffload serve` runs it;
// a Go service embeds it.
//
//	srv, err := serve.New(serve.Config{Models: []serve.ModelConfig{{Name: "half_plus_two", BasePath: "/models/half_plus_two"}}})
//	if err != nil { ... }
//	go srv.Serve(grpcListener, restListener)   // or mount srv.Handler() and srv.RegisterGRPC(g)
//	...
//	err = srv.Shutdown(ctx)                    // finishes requests in flight, closes every session
//
// # APIs
//
// REST (Handler): POST /v1/models/NAME[/versions/N|/labels/L]:predict with
// the row ("instances") or columnar ("inputs") format, "signature_name"
// and {"b64": ...} binary strings, answered with "predictions" or
// "outputs" as TensorFlow Serving does (a single output unwrapped);
// :classify and :regress on tf.Example signatures ("examples", "context");
// GET /v1/models/NAME[/versions/N] (version status) and .../metadata
// (signatures with dtypes and shapes). Errors are {"error": "..."} with
// TensorFlow Serving's HTTP codes: 400 invalid argument, 404 not found,
// 413 body over the size limit, 503 unavailable or queue full, 504 time
// limit exceeded, 500 internal.
//
// gRPC (RegisterGRPC): tensorflow.serving.PredictionService (Predict,
// Classify, Regress, GetModelMetadata) and tensorflow.serving.ModelService
// (GetModelStatus), under TensorFlow Serving's service names, with the
// project's own copies of its messages (package internal/servingpb, proto
// package tfoffload.serving, identical on the wire). A request message that
// does not decode is InvalidArgument.
//
// Operations: GET /metrics (also /monitoring/prometheus/metrics) in the
// Prometheus text format: requests by model, method and code, latency and
// batch size histograms, errors by kind, versions available and the share
// of each version's computing nodes offloaded; GET /healthz (liveness) and
// /readyz (readiness). Logs go to the Config's slog.Logger.
//
// # Versions
//
// A model's base path holds versions as numbered directories (BASE/1,
// BASE/2), each a SavedModel, a TF.js model or one frozen graph file. The
// version policy picks what is served (by default the newest); requests
// name a version, a label, or get the newest. Each poll (PollInterval, or
// Poll) loads new versions before unloading those the policy drops; an
// unloaded version closes only after the requests holding it finish. A
// version that fails to load is logged, reported by the status endpoint
// (state END with the error) and never replaces a working one; it is
// retried only when its directory changes. Copy a new version under a
// temporary name and rename it into place, as with TensorFlow Serving.
//
// # Batching
//
// With Config.Batching set, concurrent Predict (and Classify, Regress)
// requests for one version, signature and output list are merged along
// dimension 0 when their other dimensions agree, up to MaxBatchSize rows
// or BatchTimeout after the first, padded to an allowed batch size (few
// distinct shapes, so ONNX Runtime compiles few sessions), run once and
// split back. The queue is
// bounded; a request that finds it full fails at once with
// ResourceExhausted (HTTP 503). If a merged run fails or an output has no
// batch dimension, the requests run one by one, so one bad request cannot
// fail the others.
//
// # Semantics kept from TensorFlow Serving
//
// Inputs are checked against the signature's keys and dtypes; shapes are
// the graph's to check (its placeholders'), so a signature's "-1" shapes
// are documentation, as in TensorFlow. Errors a model's kernels raise on
// bad input are InvalidArgument, as TensorFlow reports them.
package serve
