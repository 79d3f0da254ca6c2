package tfgo

import (
	"fmt"
	"os"
	"runtime"

	tf "github.com/tfoffload/tfoffload/compat/tf"
)

// Model is a trained model: a graph and a session over it.
type Model struct {
	saved *tf.SavedModel
}

// LoadModel loads the SavedModel in exportDir whose MetaGraphDef has the
// given tags and creates a session with options. It panics if the model
// cannot be loaded.
func LoadModel(exportDir string, tags []string, options *tf.SessionOptions) (model *Model) {
	var err error
	model = new(Model)
	model.saved, err = tf.LoadSavedModel(exportDir, tags, options)
	if err != nil {
		panic(err.Error())
	}
	runtime.SetFinalizer(model, closeModel)
	return model
}

// ImportModel loads a serialized GraphDef (a frozen .pb file), importing
// its nodes with prefix, and creates a session with options. It panics if
// the model cannot be loaded.
func ImportModel(serializedModel, prefix string, options *tf.SessionOptions) (model *Model) {
	model = new(Model)
	contents, err := os.ReadFile(serializedModel)
	if err != nil {
		panic(err.Error())
	}
	graph := tf.NewGraph()
	if err := graph.Import(contents, prefix); err != nil {
		panic(err.Error())
	}
	session, err := tf.NewSession(graph, options)
	if err != nil {
		panic(err.Error())
	}
	model.saved = &tf.SavedModel{Session: session, Graph: graph}
	runtime.SetFinalizer(model, closeModel)
	return model
}

func closeModel(model *Model) {
	if model.saved != nil && model.saved.Session != nil {
		_ = model.saved.Session.Close()
	}
}

// Exec computes tensors, feeding feedDict, and returns them in order. It
// panics on error.
func (model *Model) Exec(tensors []tf.Output, feedDict map[tf.Output]*tf.Tensor) (results []*tf.Tensor) {
	var err error
	if results, err = model.saved.Session.Run(feedDict, tensors, nil); err == nil {
		return results
	}
	panic(err)
}

// Op returns output idx of the operation name of the model's graph. It
// panics when there is no such operation or output.
func (model *Model) Op(name string, idx int) tf.Output {
	op := model.saved.Graph.Operation(name)
	if op == nil {
		panic(fmt.Errorf("op %s not found", name))
	}
	nout := op.NumOutputs()
	if nout <= idx {
		panic(fmt.Errorf("op %s has %d outputs. Requested output number %d", name, nout, idx))
	}
	return op.Output(idx)
}
