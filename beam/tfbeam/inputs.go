package tfbeam

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/tfoffload/tfoffload/graph"
)

// Input formats Config.Format accepts; "" picks one by extension.
const (
	FormatNPY      = "npy"
	FormatTFRecord = "tfrecord"
	FormatImage    = "image"
)

// ErrFormat reports a file whose format neither Config.Format nor its
// extension says.
var ErrFormat = errors.New("tfbeam: unknown input format")

// formatOf returns the input format of the file at p.
func formatOf(p, given string) (string, error) {
	switch given {
	case FormatNPY, FormatTFRecord, FormatImage:
		return given, nil
	case "":
	default:
		return "", fmt.Errorf("%w %q (want %s, %s or %s)", ErrFormat, given, FormatNPY, FormatTFRecord, FormatImage)
	}
	ext := strings.ToLower(path.Ext(strings.TrimSuffix(p, ".gz")))
	switch ext {
	case ".npy":
		return FormatNPY, nil
	case ".tfrecord", ".tfrecords":
		return FormatTFRecord, nil
	case ".png", ".jpg", ".jpeg", ".gif":
		return FormatImage, nil
	}
	return "", fmt.Errorf("%w: %s (name it .npy, .tfrecord or an image, or set the format)", ErrFormat, p)
}

// fedInput returns the input a whole-file value feeds: the one named
// (signature key or tensor name), else the model's only input.
func fedInput(inputs []graph.TensorInfo, name string) (graph.TensorInfo, error) {
	if name != "" {
		in, found, err := graph.FindTensor(inputs, name)
		if err != nil || !found {
			return graph.TensorInfo{}, fmt.Errorf("the model has no input %q (it has: %s)", name, inputNames(inputs))
		}
		return in, nil
	}
	if len(inputs) != 1 {
		return graph.TensorInfo{}, fmt.Errorf("the model has %d inputs (%s): name the one to feed in Config.Input", len(inputs), inputNames(inputs))
	}
	return inputs[0], nil
}

func inputNames(inputs []graph.TensorInfo) string {
	names := make([]string, len(inputs))
	for i, in := range inputs {
		names[i] = in.Name
		if in.Key != "" {
			names[i] = in.Key
		}
	}
	return strings.Join(names, ", ")
}
