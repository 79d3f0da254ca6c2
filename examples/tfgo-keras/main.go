// Command tfgo-keras is tfgo's README program, unchanged but for the
// model: it loads a Keras SavedModel with tfgo and runs it. Its go.mod
// replaces tfgo and galeone's TensorFlow bindings with tfoffload's
// drop-in modules, so it runs without libtensorflow.
//
//	go run . [saved_model_dir]
package main

import (
	"fmt"
	"os"

	tf "github.com/galeone/tensorflow/tensorflow/go"
	tg "github.com/galeone/tfgo"
)

func main() {
	dir := "../../../shared/models/savedmodel/tfrust/keras_single_input_saved_model"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	model := tg.LoadModel(dir, []string{"serve"}, nil)

	fakeInput, _ := tf.NewTensor([2][5]float32{{1, 2, 3, 4, 5}, {-1, 0.5, 0, 2, -3}})
	results := model.Exec([]tf.Output{
		model.Op("StatefulPartitionedCall", 0),
	}, map[tf.Output]*tf.Tensor{
		model.Op("serving_default_test_in_input", 0): fakeInput,
	})

	predictions := results[0]
	fmt.Println(predictions.Value())
}
