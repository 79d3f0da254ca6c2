// Command tf-label-image is the TensorFlow Go bindings' classic image
// recognition example, written against the official bindings and run
// unchanged on tfoffload: it imports a frozen GraphDef with Graph.Import,
// builds a second graph with the op package that reads and normalizes
// each image (ReadFile, DecodeJpeg, Cast, ExpandDims, ResizeBilinear,
// Sub, Div), runs both with Session.Run by operation names, and prints
// the most likely label. Its go.mod replaces the bindings' module with
// tfoffload's drop-in module.
//
//	go run . [-graph model.pb] [-labels labels.txt] image.jpg...
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"

	tf "github.com/tensorflow/tensorflow/tensorflow/go"
	"github.com/tensorflow/tensorflow/tensorflow/go/op"
)

const models = "../../../shared/models/frozen/poets_mobilenet_v1/"

func main() {
	graphFile := flag.String("graph", models+"mobilenet_v1_poets.pb", "frozen GraphDef")
	labelsFile := flag.String("labels", models+"output_labels.txt", "labels, one a line")
	flag.Parse()

	model, err := os.ReadFile(*graphFile)
	if err != nil {
		log.Fatal(err)
	}
	graph := tf.NewGraph()
	if err := graph.Import(model, ""); err != nil {
		log.Fatal(err)
	}
	session, err := tf.NewSession(graph, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer session.Close()
	labels, err := readLabels(*labelsFile)
	if err != nil {
		log.Fatal(err)
	}

	for _, image := range flag.Args() {
		tensor, err := normalizedImage(image)
		if err != nil {
			log.Fatal(err)
		}
		output, err := session.Run(
			map[tf.Output]*tf.Tensor{graph.Operation("input_image").Output(0): tensor},
			[]tf.Output{graph.Operation("MobilenetV1/Predictions/Softmax").Output(0)},
			nil)
		if err != nil {
			log.Fatal(err)
		}
		probabilities := output[0].Value().([][]float32)[0]
		best := 0
		for i, p := range probabilities {
			if p > probabilities[best] {
				best = i
			}
		}
		fmt.Printf("%s\t%s\t%.6f\n", image, labels[best], probabilities[best])
	}
}

// normalizedImage runs a small graph that reads the JPEG file, decodes
// it and resizes it to the model's 224×224 input, as a batch of one.
func normalizedImage(path string) (*tf.Tensor, error) {
	const (
		H, W  = 224, 224
		Mean  = float32(0)
		Scale = float32(1)
	)
	s := op.NewScope()
	contents := op.ReadFile(s, op.Const(s.SubScope("filename"), path))
	output := op.Div(s,
		op.Sub(s,
			op.ResizeBilinear(s,
				op.ExpandDims(s,
					op.Cast(s, op.DecodeJpeg(s, contents, op.DecodeJpegChannels(3)), tf.Float),
					op.Const(s.SubScope("make_batch"), int32(0))),
				op.Const(s.SubScope("size"), []int32{H, W})),
			op.Const(s.SubScope("mean"), Mean)),
		op.Const(s.SubScope("scale"), Scale))
	graph, err := s.Finalize()
	if err != nil {
		return nil, err
	}
	session, err := tf.NewSession(graph, nil)
	if err != nil {
		return nil, err
	}
	defer session.Close()
	normalized, err := session.Run(nil, []tf.Output{output}, nil)
	if err != nil {
		return nil, err
	}
	return normalized[0], nil
}

func readLabels(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var labels []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		labels = append(labels, sc.Text())
	}
	return labels, sc.Err()
}
