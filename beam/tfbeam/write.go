package tfbeam

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/tfoffload/tfoffload/tensor"
)

func init() {
	register.Function1x2(jsonLine)
	register.DoFn2x1[context.Context, Prediction, error](&writeNPYFn{})
}

// WriteJSONLines writes preds to the file filename (any path a Beam
// filesystem the pipeline imports can write), one JSON object a line, in
// no particular order:
//
//	{"path": "in/a.tfrecord", "record": 3, "outputs": [
//	  {"name": "y:0", "key": "y", "dtype": "float32", "shape": [1, 1], "values": [2.5]}]}
//
// "record" is absent for a whole-file input. "values" holds the tensor's
// elements in row-major order: numbers (a float's NaN and infinities as
// the strings "NaN", "Infinity" and "-Infinity"), booleans, or strings,
// with a string that is not UTF-8 written as {"b64": "..."} as TensorFlow
// Serving does.
func WriteJSONLines(s beam.Scope, filename string, preds beam.PCollection) {
	s = s.Scope("tfbeam.WriteJSONLines")
	textio.Write(s, filename, beam.ParDo(s, jsonLine, preds))
}

// jsonPrediction is a Prediction's JSON form.
type jsonPrediction struct {
	Path    string       `json:"path"`
	Record  *int         `json:"record,omitempty"`
	Outputs []jsonOutput `json:"outputs"`
}

type jsonOutput struct {
	Name   string `json:"name"`
	Key    string `json:"key,omitempty"`
	DType  string `json:"dtype"`
	Shape  []int  `json:"shape"`
	Values any    `json:"values"`
}

// jsonLine encodes one prediction as a JSON line.
func jsonLine(p Prediction) (string, error) {
	j := jsonPrediction{Path: p.Path}
	if p.Record >= 0 {
		j.Record = &p.Record
	}
	for _, o := range p.Outputs {
		t, err := o.Tensor()
		if err != nil {
			return "", fmt.Errorf("tfbeam: %s output %s: %w", p.Path, o.Name, err)
		}
		vals, err := jsonValues(t)
		if err != nil {
			return "", fmt.Errorf("tfbeam: %s output %s: %w", p.Path, o.Name, err)
		}
		j.Outputs = append(j.Outputs, jsonOutput{Name: o.Name, Key: o.Key, DType: o.DType, Shape: o.Shape, Values: vals})
	}
	line, err := json.Marshal(j)
	return string(line), err
}

// jsonValues returns t's elements in the form WriteJSONLines documents,
// ready for encoding/json.
func jsonValues(t *tensor.Tensor) (any, error) {
	switch d := t.Data().(type) {
	case []string:
		out := make([]any, len(d))
		for i, s := range d {
			if utf8.ValidString(s) {
				out[i] = s
			} else {
				out[i] = map[string]string{"b64": base64.StdEncoding.EncodeToString([]byte(s))}
			}
		}
		return out, nil
	case []uint8: // encoding/json would write base64
		out := make([]int, len(d))
		for i, v := range d {
			out[i] = int(v)
		}
		return out, nil
	case []bool, []int8, []int16, []int32, []int64, []uint16, []uint32, []uint64:
		return d, nil
	}
	if !t.DType().IsFloat() {
		return nil, fmt.Errorf("%v values have no JSON form", t.DType())
	}
	vals, err := tensor.Float64s(t)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(vals))
	for i, v := range vals {
		switch {
		case math.IsNaN(v):
			out[i] = "NaN"
		case math.IsInf(v, 1):
			out[i] = "Infinity"
		case math.IsInf(v, -1):
			out[i] = "-Infinity"
		default:
			out[i] = v
		}
	}
	return out, nil
}

// WriteNPY writes each prediction into its own folder under dir, as
// `tfoffload run --out-dir` does: dir/<input>/<i>.npy for the i-th output
// and dir/<input>/outputs.json listing them as
// [{"name", "key", "dtype", "shape", "file"}]. <input> is the input
// file's name without its extension (and .gz), followed by -<record> with
// five digits for a TFRecord record; inputs with the same name in
// different folders write to the same place.
func WriteNPY(s beam.Scope, dir string, preds beam.PCollection) {
	s = s.Scope("tfbeam.WriteNPY")
	beam.ParDo0(s, &writeNPYFn{Dir: dir}, preds)
}

// OutputFolder returns the folder name WriteNPY gives p under its dir.
func OutputFolder(p Prediction) string {
	base := path.Base(strings.TrimSuffix(p.Path, ".gz"))
	base = strings.TrimSuffix(base, path.Ext(base))
	if p.Record >= 0 {
		base += fmt.Sprintf("-%05d", p.Record)
	}
	return base
}

type writeNPYFn struct {
	Dir string
}

// npyListing is an entry of outputs.json, as `tfoffload run` writes it.
type npyListing struct {
	Name  string `json:"name"`
	Key   string `json:"key,omitempty"`
	DType string `json:"dtype"`
	Shape []int  `json:"shape"`
	File  string `json:"file"`
}

func (fn *writeNPYFn) ProcessElement(ctx context.Context, p Prediction) error {
	fs, err := filesystem.New(ctx, fn.Dir)
	if err != nil {
		return fmt.Errorf("tfbeam: %s: %w", fn.Dir, err)
	}
	defer fs.Close()
	folder := joinPath(fn.Dir, OutputFolder(p)) // local OpenWrite makes the folders
	listing := make([]npyListing, len(p.Outputs))
	for i, o := range p.Outputs {
		listing[i] = npyListing{Name: o.Name, Key: o.Key, DType: o.DType, Shape: o.Shape, File: strconv.Itoa(i) + ".npy"}
		if err := writeFile(ctx, fs, joinPath(folder, listing[i].File), o.NPY); err != nil {
			return err
		}
	}
	data, err := json.MarshalIndent(listing, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(ctx, fs, joinPath(folder, "outputs.json"), append(data, '\n'))
}

func writeFile(ctx context.Context, fs filesystem.Interface, name string, data []byte) error {
	w, err := fs.OpenWrite(ctx, name)
	if err != nil {
		return fmt.Errorf("tfbeam: %s: %w", name, err)
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return fmt.Errorf("tfbeam: %s: %w", name, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("tfbeam: %s: %w", name, err)
	}
	return nil
}

// joinPath joins a folder (a local path or a URL such as gs://b/p) and a
// name with a slash.
func joinPath(dir, name string) string {
	return strings.TrimSuffix(dir, "/") + "/" + name
}
