// Package tensorflow is the inference surface of TensorFlow's Go bindings
// (github.com/tensorflow/tensorflow/tensorflow/go) over tfoffload: the
// same names, signatures and behaviour, with no libtensorflow. Existing
// programs keep their source: a replace line in go.mod points the
// bindings' module at compat/shims/tensorflow, whose packages are aliases
// of this one (see the README's "Existing TensorFlow Go code").
//
//	model, err := tf.LoadSavedModel("model_dir", []string{"serve"}, nil)
//	if err != nil { ... }
//	defer model.Session.Close()
//	x, _ := tf.NewTensor([][]float32{{1, 2, 3}})
//	out, err := model.Session.Run(
//		map[tf.Output]*tf.Tensor{model.Graph.Operation("serving_default_x").Output(0): x},
//		[]tf.Output{model.Graph.Operation("StatefulPartitionedCall").Output(0)},
//		nil)
//
// # Graphs
//
// A Graph holds NodeDefs. Import and ImportWithOptions add a serialized
// GraphDef (with a prefix and input mappings); AddOperation adds one op
// as TensorFlow's C API does: the op must have a signature in package
// opdefs (every op tfoffload runs has one), attributes take the Go types
// the bindings accept and are checked against the signature, type and
// length attributes are inferred from the inputs, defaults are filled in.
// Output.DataType comes from the signature; Output.Shape from a table of
// shape rules (elementwise ops, broadcasting, reshapes with constant
// shapes, image decoding and resizing, reductions and others) or the
// node's _output_shapes, and is an unknown rank otherwise. Operations are
// handles by name: Graph.Operation returns a new value on each call, and
// sessions match feeds and fetches by operation name and output index.
//
// # Sessions
//
// A Session prepares each distinct set of feeds and fetches once, on its
// first Run, as a package bridge session of the graph as it is then: the
// graph is pruned to the fetches, partitioned and offloaded with bridge's
// backend and settings (SetBackend, TFOFFLOAD_* variables). For a
// SavedModel the graph is frozen first, for exactly those feeds and
// fetches, so any tensor of the graph can be fetched and variables hold
// their checkpoint values; the init op needs no running. A graph that
// grows after the session was made (a Softmax appended to a loaded model)
// is prepared again when its new operations are fetched. Run is safe for
// concurrent use; Close waits for runs in flight, is idempotent, and
// later runs fail with ErrSessionClosed ("session is closed").
//
// As in TensorFlow, a session's ReadFile operations read any file the
// process can (bridge.WithAnyFileAccess), including a loaded SavedModel's:
// the program builds or extends the graph it runs, so the bindings'
// classic ReadFile and DecodeJpeg preprocessing keeps working. Serve
// models from strangers through package bridge or serve instead, which
// read only inside the model's folder.
// SessionOptions.Config is a serialized ConfigProto (tfproto.ConfigProto,
// or the for_core_protos_go_proto package of the shims): its
// intra_op_parallelism_threads sizes ONNX Runtime's intra-op thread pool
// for the session; its other fields (device_count, allow_soft_placement,
// gpu_options, …) are accepted and ignored. Bytes that do not decode, or
// a negative thread count, make NewSession fail with ErrInvalidConfig.
//
// # Not supported
//
// tfoffload runs inference: AddGradients, partial runs, LoadLibrary and
// remote session targets return errors wrapping ErrNotSupported, and so
// do eager execution's NewContext and NewTensorHandle.
package tensorflow
