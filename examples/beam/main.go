// Command beam is a batch-inference pipeline on Apache Beam: it reads the
// files a glob matches (.npy arrays, TFRecord files of tf.Example, or
// images), runs a TensorFlow model on each through tfoffload (offloading
// what it can to ONNX Runtime) and writes the predictions as JSON lines or
// as one folder of .npy files per input.
//
// Locally, on Beam's Prism runner (in-process, no cluster):
//
//	go run . --model model.pb --input 'inputs/*.npy' --output preds.jsonl
//	go run . --model model.pb --input 'inputs/*.npy' --output preds/ --output_format npy
//
// On a cluster runner, pass Beam's flags (--runner, --endpoint,
// --environment_type, --environment_config, --worker_binary): see the
// "Batch inference on Apache Beam" section of the repository's README.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/tfoffload/tfoffload/beam/tfbeam"
)

// options are the pipeline's own flags.
type options struct {
	input, output, outputFormat string
	cfg                         tfbeam.Config
}

func (o *options) register(fs *flag.FlagSet) {
	fs.StringVar(&o.input, "input", "", "glob of the input files (.npy, .tfrecord[.gz], images); any Beam filesystem (gs://…)")
	fs.StringVar(&o.output, "output", "", "where to write: a file for --output_format jsonl, a folder for npy")
	fs.StringVar(&o.outputFormat, "output_format", "jsonl", "jsonl (one JSON object a line) or npy (a folder per input, as 'tfoffload run --out-dir')")
	fs.StringVar(&o.cfg.Model, "model", "", "model path on the workers: frozen .pb, .pbtxt, SavedModel folder or TF.js model.json")
	fs.StringVar(&o.cfg.Backend, "backend", "", "backend to offload to (CPU, GPU, …) or none (default: TFOFFLOAD_BACKEND, else CPU)")
	fs.StringVar(&o.cfg.Signature, "signature", "", "signature to run (default: the model's default)")
	fs.Func("tags", "comma-separated SavedModel tag set (default: serve)", func(s string) error {
		o.cfg.Tags = strings.Split(s, ",")
		return nil
	})
	fs.StringVar(&o.cfg.Input, "input_name", "", "input a .npy file or image feeds (default: the model's only input)")
	fs.Func("outputs", "comma-separated outputs to fetch (default: the signature's)", func(s string) error {
		o.cfg.Outputs = strings.Split(s, ",")
		return nil
	})
	fs.StringVar(&o.cfg.Format, "input_format", "", "npy, tfrecord or image (default: by each file's extension)")
	fs.IntVar(&o.cfg.Image.Width, "image_width", 0, "width images are resized to (default: the input's)")
	fs.IntVar(&o.cfg.Image.Height, "image_height", 0, "height images are resized to (default: the input's)")
	fs.StringVar(&o.cfg.Image.Scale, "image_scale", "", "pixel scaling: unit [0,1], symmetric [-1,1] or raw [0,255] (default: unit, raw for integer inputs)")
}

func (o *options) check() error {
	switch {
	case o.input == "":
		return fmt.Errorf("--input is required")
	case o.output == "":
		return fmt.Errorf("--output is required")
	case o.cfg.Model == "":
		return fmt.Errorf("--model is required")
	case o.outputFormat != "jsonl" && o.outputFormat != "npy":
		return fmt.Errorf("--output_format %q: want jsonl or npy", o.outputFormat)
	}
	return nil
}

// build adds the pipeline to s: match, predict, write.
func build(s beam.Scope, o options) {
	files := fileio.ReadMatches(s, fileio.MatchFiles(s, o.input))
	preds := tfbeam.Predict(s, o.cfg, files)
	if o.outputFormat == "npy" {
		tfbeam.WriteNPY(s, o.output, preds)
		return
	}
	tfbeam.WriteJSONLines(s, o.output, preds)
}

func main() {
	var o options
	o.register(flag.CommandLine)
	flag.Parse()
	beam.Init() // a worker binary started by a runner stops here and serves
	if err := o.check(); err != nil {
		log.Fatalf("beam: %v", err)
	}
	p, s := beam.NewPipelineWithRoot()
	build(s, o)
	if err := beamx.Run(context.Background(), p); err != nil {
		log.Fatalf("beam: %v", err)
	}
}
