// Package graph loads TensorFlow models and answers questions about their
// graphs: what the inputs and outputs are, in which order nodes can run,
// which nodes a fetch needs.
//
// # Loading
//
// [Load] reads every format tfoffload accepts and returns a [Model]:
//
//   - a frozen GraphDef, binary (.pb) or text (.pbtxt);
//   - a SavedModel directory (saved_model.pb or saved_model.pbtxt, or the
//     path of that file), choosing the MetaGraphDef by tag set
//     ([WithTags], "serve" by default);
//   - a TF1 MetaGraphDef file (.meta) written next to a checkpoint;
//   - a TensorFlow.js graph model (model.json or any *.json holding
//     modelTopology and weightsManifest, or the directory that holds it),
//     whose weight shards are read, dequantized and stored as the values of
//     the graph's Const nodes, so the returned graph is self-contained.
//
// When the file name does not say which format a file is in, Load looks at
// its content. Variables are not resolved: a model that still holds
// variables lists them in [Model.Variables] and must be frozen before it
// can run.
//
// Bad input never panics. Load returns one [*LoadError] that names the file
// and wraps a sentinel a caller can test with errors.Is: [ErrNotModel] (the
// file is something else), [ErrCorrupt] (a truncated protobuf, a JSON
// syntax error), [ErrNoMetaGraph] (no MetaGraphDef has the requested tags;
// the [*TagsError] lists those that exist), [ErrWeights] (a missing, short
// or overlong TF.js shard, an unknown dtype or quantization, a weight that
// names no Const node, a Const node that no weight fills; the
// [*WeightError] names the weight or node and the shard), [ErrUnsupported],
// or [ErrUnsafePath] or [ErrTooLarge] (see Untrusted files).
//
// [ParseGraphDef], [ParseGraphDefText] and [ParseTFJS] are the in-memory
// parsers behind Load; they are what the fuzz tests exercise.
//
// # Untrusted files
//
// A model is untrusted input: people download TF.js models and
// SavedModels from anywhere. Every file a model names — TF.js weight
// shards, a folder's *.json, saved_model.pb inside a directory, the
// SavedModel's variables/ and assets/ files, a .meta file's checkpoint —
// is opened through [OpenModelFile], which refuses ([ErrUnsafePath]) a
// path that leaves the model's directory (an absolute path, "..", or a
// symbolic link leading out, checked after both sides are resolved) and
// anything but a regular file (a directory, FIFO, socket or device is
// refused by its type, and the open never blocks). The file the caller
// names may be a link to anywhere, but must be a regular file too.
//
// Nothing is read beyond the size its format allows or declares
// ([ErrTooLarge]): a binary or text protobuf at most 2 GiB (protobuf's
// own limit), a model.json at most 256 MiB, and a TF.js weight group
// exactly the bytes its weights declare — a shard that ends early or
// holds bytes after the group's last weight is an error, so a model
// cannot hide data in, or read past, its shards.
//
// # Memory
//
// What Load needs, measured as peak RSS growth on 256 MiB of weights
// (16 constants of 16 MiB):
//
//   - a frozen .pb, .pbtxt, saved_model.pb or .meta is read whole and
//     decoded, holding file and protos at once: about 2× the file, so a
//     machine with M bytes free loads a graph of up to about M/2 (and
//     protobuf caps any such file at 2 GiB). A SavedModel's variables stay
//     in its checkpoint, which Load does not read.
//   - a TF.js model's shards are streamed one weight at a time into the
//     Const values, which hold the weights dequantized (uint8 weights
//     grow 4×, float16 2×): about 1.3× the dequantized size (it was 4×
//     when the shards were read whole), so M bytes hold a model whose
//     weights take up to about M/1.3 as float32.
//
// Running the model needs its weights again as tensors, plus activations.
//
// # Names and graphs
//
// [ParseTensorName] reads the "node", "node:1" and "^node" forms of NodeDef
// inputs and fetches. [NewIndex] indexes a GraphDef by node name;
// [TopoSort] orders nodes so inputs come first, ignoring the back-edges of
// TF1 while loops; [Prune] keeps what a set of fetches needs. [Attrs] reads
// node attributes with typed accessors. [Inputs], [Sinks], [OpCounts],
// [VariableNodes] and [ConstBytes] summarise a graph for `tfoffload
// inspect`. [Model.InputsOf] says what a signature must be fed: the
// inputs it lists and the placeholders its outputs need that it does not.
package graph
