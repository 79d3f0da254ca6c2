package graph

import (
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// Format is the on-disk form a model was loaded from.
type Format int

// The model formats Load understands.
const (
	FormatUnknown    Format = iota
	FormatFrozen            // binary GraphDef (.pb)
	FormatText              // text GraphDef (.pbtxt)
	FormatSavedModel        // SavedModel directory (saved_model.pb or .pbtxt + variables/)
	FormatTFJS              // TensorFlow.js graph model (model.json + weight shards)
	FormatMetaGraph         // TF1 MetaGraphDef file (.meta) written next to a checkpoint
)

// String returns the format's short name as `inspect` prints it.
func (f Format) String() string {
	switch f {
	case FormatFrozen:
		return "frozen-graph"
	case FormatText:
		return "text-graph"
	case FormatSavedModel:
		return "saved-model"
	case FormatTFJS:
		return "tfjs-graph-model"
	case FormatMetaGraph:
		return "meta-graph"
	}
	return "unknown"
}

// TensorInfo describes one input or output tensor.
type TensorInfo struct {
	// Key is the signature's name for the tensor ("inputs", "x"); empty for
	// graph inputs and outputs found outside a signature.
	Key string `json:"key,omitempty"`
	// Name is the graph tensor, always with its output index ("x:0").
	Name string `json:"name"`
	// DType is the element type; Invalid when the model does not say.
	DType tensor.DType `json:"-"`
	// Shape holds the dimensions, -1 for unknown ones; nil when the rank is
	// unknown (RankKnown false).
	Shape []int64 `json:"shape"`
	// RankKnown reports whether Shape is meaningful: false for a tensor of
	// unknown rank.
	RankKnown bool `json:"rank_known"`
}

// Signature is a named entry point of a model: a SavedModel SignatureDef,
// or the signature block of a TF.js model.json.
type Signature struct {
	// Key is the signature's name ("serving_default").
	Key string `json:"key"`
	// Method is the SignatureDef's method_name
	// ("tensorflow/serving/predict"), empty when not set.
	Method string `json:"method,omitempty"`
	// Inputs are sorted by Key.
	Inputs []TensorInfo `json:"inputs"`
	// Outputs are sorted by Key.
	Outputs []TensorInfo `json:"outputs"`
}

// Model is a loaded TensorFlow model: the GraphDef to run plus what the
// file said about it. Load returns a Model that owns its protos; nothing in
// it refers back to the files it came from.
type Model struct {
	// Path is the path given to Load (for a directory, the directory).
	Path string
	// Dir is the directory whose files the model refers to: the one that
	// holds saved_model.pb, the .meta file or model.json. Readers of those
	// files (checkpoint shards, assets) open them with [OpenModelFile]
	// rooted here. Empty for a model parsed from memory.
	Dir string
	// Format is the form the model was read from.
	Format Format
	// Graph is the graph to run. For a SavedModel it is the chosen
	// MetaGraphDef's graph_def; for TF.js it holds the weights as Const
	// values (dequantized), so it is self-contained.
	Graph *tfpb.GraphDef
	// MetaGraph is the chosen MetaGraphDef of a SavedModel, or the content
	// of a .meta file; nil for other formats.
	MetaGraph *tfpb.MetaGraphDef
	// Tags is the tag set of the chosen MetaGraphDef (SavedModel and
	// MetaGraph files only), in file order.
	Tags []string
	// Signatures are sorted by key. Graphs without signatures have none.
	Signatures []Signature
	// Producer describes what wrote the model: the TensorFlow version of a
	// SavedModel, the converter of a TF.js model, the GraphDef producer
	// version otherwise.
	Producer string
	// GraphProducer is the GraphDef's versions.producer, 0 when absent.
	GraphProducer int32
	// Variables lists the nodes that hold variable state (VariableV2,
	// VarHandleOp, ...). A model with variables must be frozen before it
	// can run; SavedModels keep their values under VariablesDir.
	Variables []string
	// VariablesDir is the SavedModel's variables/ directory when it has a
	// checkpoint index, else empty.
	VariablesDir string
	// CheckpointPrefix is the checkpoint the variables restore from
	// ("<dir>/variables/variables" for a SavedModel, the .meta file's path
	// without ".meta" for a MetaGraph file) when its .index file exists,
	// else empty.
	CheckpointPrefix string
	// Initializer is the modelInitializer graph of a TF.js model (hash
	// table set-up and the like), nil when there is none. Load does not run
	// it; its Const nodes hold their weights like Graph's.
	Initializer *tfpb.GraphDef
	// WeightBytes is the total size of the constant tensors in the graph
	// (and, for a SavedModel, of its variable checkpoint data files).
	WeightBytes int64
}

// Functions returns the names of the functions in the graph's library, in
// library order.
func (m *Model) Functions() []string {
	fs := m.Graph.GetLibrary().GetFunction()
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.GetSignature().GetName()
	}
	return out
}

// HasVariables reports whether the model still holds variables.
func (m *Model) HasVariables() bool { return len(m.Variables) > 0 }

// Signature returns the signature with the given key, or nil. The result
// points into m.Signatures.
func (m *Model) Signature(key string) *Signature {
	for i := range m.Signatures {
		if m.Signatures[i].Key == key {
			return &m.Signatures[i]
		}
	}
	return nil
}
