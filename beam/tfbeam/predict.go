package tfbeam

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/tfoffload/tfoffload/beam/tfrecord"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

func init() {
	register.DoFn3x1[context.Context, fileio.ReadableFile, func(Prediction), error](&predictFn{})
	register.Emitter1[Prediction]()
	beam.RegisterType(reflect.TypeOf((*Prediction)(nil)).Elem())
}

// Config says which model Predict runs and how it reads its inputs. It
// travels to the workers inside the pipeline (as JSON), so it holds
// values only.
type Config struct {
	// Model is the model's path on the workers: a frozen .pb, .pbtxt,
	// SavedModel directory or TF.js model.json.
	Model string
	// Backend is the backend to offload to ("CPU", "GPU", …), or "none"
	// for the Go executor alone; "" lets TFOFFLOAD_BACKEND and
	// TFOFFLOAD_DISABLE decide, CPU by default.
	Backend string
	// Signature is the signature to run; "" is the model's default.
	Signature string
	// Tags is the SavedModel tag set; nil is "serve".
	Tags []string
	// Input names the input a .npy file or image feeds (signature key or
	// tensor name); "" is the model's only input.
	Input string
	// Outputs names the tensors to fetch (signature output keys or tensor
	// names); nil fetches the signature's outputs.
	Outputs []string
	// Format is FormatNPY, FormatTFRecord or FormatImage; "" picks one
	// by each file's extension.
	Format string
	// Image says how images are resized and scaled.
	Image ImageOptions
}

// Prediction is the model's outputs for one input: a .npy or image file,
// or one record of a TFRecord file.
type Prediction struct {
	// Path is the input file.
	Path string
	// Record is the record's index in a TFRecord file, -1 for a file
	// that is one input.
	Record int
	// Outputs are the fetched tensors, in Config.Outputs' order.
	Outputs []Output
}

// Output is one fetched tensor.
type Output struct {
	Name  string // graph tensor ("y:0")
	Key   string // signature output key, "" outside a signature
	DType string // TensorFlow's name, as `tfoffload run` writes it
	Shape []int
	NPY   []byte // the tensor in NumPy's .npy format
}

// Tensor decodes the output's value.
func (o Output) Tensor() (*tensor.Tensor, error) {
	return tensor.ReadNPY(bytes.NewReader(o.NPY))
}

// Predict runs cfg's model over files (a PCollection of
// fileio.ReadableFile) and returns a PCollection of Prediction.
func Predict(s beam.Scope, cfg Config, files beam.PCollection) beam.PCollection {
	s = s.Scope("tfbeam.Predict")
	return beam.ParDo(s, &predictFn{Config: cfg}, files)
}

// predictFn is Predict's DoFn. Its session comes from the process-wide
// cache in Setup and goes back in Teardown.
type predictFn struct {
	Config Config

	m *model
}

// Setup loads the model, or takes the worker's loaded copy.
func (fn *predictFn) Setup() error {
	m, err := acquire(fn.Config)
	if err != nil {
		return err
	}
	fn.m = m
	return nil
}

// Teardown returns the session to the cache, which closes it after the
// last DoFn instance of the worker.
func (fn *predictFn) Teardown() error {
	if fn.m == nil {
		return nil
	}
	fn.m = nil
	return release(fn.Config)
}

// ProcessElement runs the model on one file: once, or once per record.
func (fn *predictFn) ProcessElement(ctx context.Context, f fileio.ReadableFile, emit func(Prediction)) error {
	p := f.Metadata.Path
	format, err := formatOf(p, fn.Config.Format)
	if err != nil {
		return err
	}
	if format == FormatTFRecord {
		return fn.records(ctx, f, emit)
	}
	data, err := f.Read(ctx)
	if err != nil {
		return fmt.Errorf("tfbeam: %s: %w", p, err)
	}
	in, err := fedInput(fn.m.inputs, fn.Config.Input)
	if err != nil {
		return fmt.Errorf("tfbeam: %s: %w", p, err)
	}
	var t *tensor.Tensor
	if format == FormatNPY {
		if t, err = tensor.ReadNPY(bytes.NewReader(data)); err == nil {
			t, err = graph.MatchDType(t, in.DType)
		}
	} else {
		t, err = imageTensor(data, in, fn.Config.Image)
	}
	if err != nil {
		return fmt.Errorf("tfbeam: %s: input %s: %w", p, in.Name, err)
	}
	pred, err := fn.run(ctx, map[string]*tensor.Tensor{in.Name: t})
	if err != nil {
		return fmt.Errorf("tfbeam: %s: %w", p, err)
	}
	pred.Path, pred.Record = p, -1
	emit(pred)
	return nil
}

// records runs the model on each tf.Example of a TFRecord file.
func (fn *predictFn) records(ctx context.Context, f fileio.ReadableFile, emit func(Prediction)) error {
	p := f.Metadata.Path
	rc, err := f.Open(ctx) // .gz is decompressed by fileio
	if err != nil {
		return fmt.Errorf("tfbeam: %s: %w", p, err)
	}
	defer rc.Close()
	r := tfrecord.NewReader(rc)
	for i := 0; ; i++ {
		rec, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("tfbeam: %s: %w", p, err)
		}
		feeds, err := exampleFeeds(fn.m.inputs, fn.Config.Input, rec)
		if err != nil {
			return fmt.Errorf("tfbeam: %s record %d: %w", p, i, err)
		}
		pred, err := fn.run(ctx, feeds)
		if err != nil {
			return fmt.Errorf("tfbeam: %s record %d: %w", p, i, err)
		}
		pred.Path, pred.Record = p, i
		emit(pred)
	}
}

// run runs the session and encodes its outputs.
func (fn *predictFn) run(ctx context.Context, feeds map[string]*tensor.Tensor) (Prediction, error) {
	fetches := make([]string, len(fn.m.outputs))
	for i, o := range fn.m.outputs {
		fetches[i] = o.Name
	}
	got, err := fn.m.sess.Run(ctx, feeds, fetches)
	if err != nil {
		return Prediction{}, err
	}
	var pred Prediction
	for i, t := range got {
		var buf bytes.Buffer
		if err := tensor.WriteNPY(&buf, t); err != nil {
			return Prediction{}, fmt.Errorf("output %s: %w", fetches[i], err)
		}
		pred.Outputs = append(pred.Outputs, Output{
			Name: fetches[i], Key: fn.m.outputs[i].Key,
			DType: t.DType().String(), Shape: t.Shape().Clone(), NPY: buf.Bytes(),
		})
	}
	return pred, nil
}
