// Package tfbeam runs a tfoffload model over an Apache Beam PCollection:
// batch inference on any Beam runner (Beam's local Prism runner, Flink,
// Spark, Google Cloud Dataflow) with the model's convertible parts
// offloaded to ONNX Runtime, and no TensorFlow on the workers.
//
// # Pipeline
//
//	files := fileio.ReadMatches(s, fileio.MatchFiles(s, "inputs/*.npy"))
//	preds := tfbeam.Predict(s, tfbeam.Config{Model: "model.pb"}, files)
//	tfbeam.WriteJSONLines(s, "predictions.jsonl", preds)
//
// [Predict] takes a PCollection of fileio.ReadableFile and returns a
// PCollection of [Prediction]: one per .npy or image file, one per
// record of a TFRecord file. [WriteJSONLines] writes them as one JSON
// object a line; [WriteNPY] writes each as a folder of .npy files laid
// out as `tfoffload run --out-dir` lays them out.
//
// # Sessions
//
// Loading a model (parsing, freezing, partitioning) costs far more than
// running it once, so a worker loads it once: the DoFn opens its session
// in Setup and reuses it for every bundle it processes, and the sessions
// live in a process-wide cache keyed by the model path and the options
// that change the session, shared by every DoFn instance of the worker
// process and closed when the last one is torn down. A bridge session is
// safe for concurrent use, so instances running bundles in parallel share
// it without a lock.
//
// The model path is read by the workers: on a cluster runner it must name
// a path in the worker container (bake the model into the image or mount
// it); ONNX Runtime's shared library must be there too (see the README).
//
// # Inputs
//
// The file's extension says how it is read (Config.Format overrides it):
//
//   - .npy: one array, fed to the model's input (Config.Input, or the
//     model's only input). Its dtype must be the input's, as for
//     `tfoffload run`; float32 is accepted for a bfloat16 input.
//   - .tfrecord, .tfrecords (and the same with .gz, GZIP-compressed): each
//     record is a serialized tf.Example. Each input is filled from the
//     feature named as its signature key (else its node name), converted
//     to the input's dtype and shaped as [1, the input's other
//     dimensions], with one unknown dimension inferred. A model whose
//     input is a string vector or scalar that no feature names (a tf.Example
//     signature, such as TensorFlow Serving's classify and regress
//     signatures) is fed the serialized record itself, as a batch of one.
//   - .png, .jpg, .jpeg, .gif: decoded by Go's image package (a JPEG's
//     pixels may differ from libjpeg's by a level or two), converted to
//     RGB (or gray for a one-channel input), resized with bilinear
//     interpolation and half-pixel centres (tf.image.resize's default)
//     to Config.Image's size or the input's static height and width,
//     scaled as Config.Image.Scale says, and fed as [1, height, width,
//     channels].
//
// Errors name the file (and record) and the input concerned; an element
// that fails fails the bundle, as Beam retries it, rather than being
// dropped silently.
package tfbeam
