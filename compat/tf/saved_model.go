package tensorflow

import (
	"fmt"

	"github.com/tfoffload/tfoffload/graph"
)

// SavedModel is a loaded SavedModel: a session over its graph, the graph,
// and its signatures.
type SavedModel struct {
	Session    *Session
	Graph      *Graph
	Signatures map[string]Signature
}

// Signature is a SignatureDef: the named inputs and outputs of one entry
// point of a SavedModel.
type Signature struct {
	Inputs, Outputs map[string]TensorInfo
	MethodName      string
}

// TensorInfo describes one input or output of a signature. Name is the
// graph tensor ("serving_default_x:0").
type TensorInfo struct {
	Name  string
	DType DataType
	Shape Shape
}

// LoadSavedModel loads the SavedModel in exportDir whose MetaGraphDef has
// exactly the given tags, and returns a session over its graph whose
// variables hold the checkpoint's values. options may be nil.
func LoadSavedModel(exportDir string, tags []string, options *SessionOptions) (*SavedModel, error) {
	m, err := graph.Load(exportDir, graph.WithTags(tags...))
	if err != nil {
		return nil, err
	}
	if m.Format != graph.FormatSavedModel {
		return nil, fmt.Errorf("tensorflow: %s is not a SavedModel directory", exportDir)
	}
	g := NewGraph()
	src := *m
	src.Graph = nil
	g.source = &src
	// The graph keeps its own nodes (with defaults filled in, as
	// TensorFlow's importer does); the loaded GraphDef is not changed.
	if err := g.importGraphDef(m.Graph, GraphImportOptions{}); err != nil {
		return nil, fmt.Errorf("tensorflow: %s: %w", exportDir, err)
	}
	s, err := NewSession(g, options)
	if err != nil {
		return nil, err
	}
	sm := &SavedModel{Session: s, Graph: g, Signatures: map[string]Signature{}}
	for key, sd := range m.MetaGraph.GetSignatureDef() {
		out := Signature{MethodName: sd.GetMethodName(), Inputs: map[string]TensorInfo{}, Outputs: map[string]TensorInfo{}}
		for k, ti := range sd.GetInputs() {
			out.Inputs[k] = TensorInfo{Name: canonicalTensor(ti.GetName()), DType: DataType(ti.GetDtype()), Shape: shapeOfProto(ti.GetTensorShape())}
		}
		for k, ti := range sd.GetOutputs() {
			out.Outputs[k] = TensorInfo{Name: canonicalTensor(ti.GetName()), DType: DataType(ti.GetDtype()), Shape: shapeOfProto(ti.GetTensorShape())}
		}
		sm.Signatures[key] = out
	}
	return sm, nil
}

func canonicalTensor(s string) string {
	tn, err := graph.ParseTensorName(s)
	if err != nil {
		return s
	}
	return tn.Canonical()
}

// Version returns the version of the TensorFlow Go API this package
// provides, marked as tfoffload's.
func Version() string { return "2.15.0-tfoffload" }

// LoadLibrary is not supported: tfoffload cannot load TensorFlow op
// libraries.
func LoadLibrary(path string) (*LibraryHandler, error) {
	return nil, fmt.Errorf("tensorflow: LoadLibrary %s: %w", path, ErrNotSupported)
}

// LibraryHandler is the bindings' handle of a loaded op library.
type LibraryHandler struct{}
