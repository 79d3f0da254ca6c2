package kerneltest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfjsoracle"
	"github.com/tfoffload/tfoffload/tensor"
)

// References is a file of op cases whose outputs another implementation
// of TensorFlow's ops computed (TensorFlow.js, or TensorFlow's own kernel
// tests), written by the program named in Generator.
type References struct {
	Generator string    `json:"generator"`
	Source    string    `json:"source"`
	Cases     []RefCase `json:"cases"`
}

// RefCase is one op call: the node's attributes, its inputs and the
// outputs the reference computed.
//
// Attribute values are written as JSON allows: a string, a bool, an
// integer, a list of integers or of strings, {"type": "float32"} for a
// dtype and {"float": 0.5} for a float.
type RefCase struct {
	Name    string                     `json:"name"`
	Op      string                     `json:"op"`
	Attrs   map[string]json.RawMessage `json:"attrs"`
	Inputs  []RefTensor                `json:"inputs"`
	Outputs []RefTensor                `json:"outputs"`
	// Also lists dtypes the case runs in besides its own: the float
	// inputs and outputs of dtype T are cast to each and T set to it.
	// The reference computed in T, so only wider dtypes are sound.
	Also []string `json:"also,omitempty"`
}

// RefTensor is a tensor: its dtype's name, its shape and its values in
// row-major order (numbers, bools, or "NaN", "Infinity", "-Infinity").
type RefTensor struct {
	DType string            `json:"dtype"`
	Shape []int             `json:"shape"`
	Data  []json.RawMessage `json:"data"`
}

// Tensor builds the tensor.
func (r RefTensor) Tensor() (*tensor.Tensor, error) {
	dt, err := tensor.ParseDType(r.DType)
	if err != nil {
		return nil, err
	}
	vals := make([]float64, len(r.Data))
	for i, raw := range r.Data {
		if vals[i], err = refNumber(raw); err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
	}
	shape := tensor.Shape(r.Shape)
	if shape == nil {
		shape = tensor.Shape{}
	}
	if shape.NumElements() != len(vals) {
		return nil, fmt.Errorf("shape %v holds %d values, got %d", shape, shape.NumElements(), len(vals))
	}
	if dt == tensor.Bool {
		b := make([]bool, len(vals))
		for i, v := range vals {
			b[i] = v != 0
		}
		return tensor.FromSlice(shape, b)
	}
	return tensor.FromFloat64s(dt, shape, vals)
}

func refNumber(raw json.RawMessage) (float64, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case float64:
		return x, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case string:
		switch x {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
	}
	return 0, fmt.Errorf("not a value: %s", raw)
}

// refAttr converts an attribute's JSON form to the Go value graph.NewNode
// takes.
func refAttr(raw json.RawMessage) (any, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case string, bool:
		return x, nil
	case float64:
		if x != math.Trunc(x) {
			return nil, fmt.Errorf("integer attribute %v is not an integer (write floats as {\"float\": x})", x)
		}
		return int64(x), nil
	case map[string]any:
		if s, ok := x["type"].(string); ok && len(x) == 1 {
			return tensor.ParseDType(s)
		}
		if f, ok := x["float"].(float64); ok && len(x) == 1 {
			return float32(f), nil
		}
	case []any:
		if len(x) == 0 {
			return []int{}, nil
		}
		if _, ok := x[0].(string); ok {
			var s []string
			err := json.Unmarshal(raw, &s)
			return s, err
		}
		var n []int
		err := json.Unmarshal(raw, &n)
		return n, err
	}
	return nil, fmt.Errorf("no attribute form for %s", raw)
}

// ReadReferences reads a reference file.
func ReadReferences(path string) (*References, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r References
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

// RunReferences runs every case of the reference file at path, one
// subtest per case and dtype, and compares the kernel's outputs with the
// file's: floats within tol, everything else exactly. It returns the
// number of comparisons made.
func RunReferences(t *testing.T, path string, tol tensor.Tolerance) int {
	t.Helper()
	refs, err := ReadReferences(path)
	require.NoError(t, err)
	require.NotEmpty(t, refs.Cases, "%s holds no cases", path)
	ran := 0
	for _, c := range refs.Cases {
		attrs := map[string]any{}
		for k, raw := range c.Attrs {
			v, err := refAttr(raw)
			require.NoError(t, err, "%s: attribute %s", c.Name, k)
			attrs[k] = v
		}
		in := make([]*tensor.Tensor, len(c.Inputs))
		for i, r := range c.Inputs {
			in[i], err = r.Tensor()
			require.NoError(t, err, "%s: input %d", c.Name, i)
		}
		want := make([]*tensor.Tensor, len(c.Outputs))
		for i, r := range c.Outputs {
			want[i], err = r.Tensor()
			require.NoError(t, err, "%s: output %d", c.Name, i)
		}
		own, _ := attrs["T"].(tensor.DType)
		variants := []tensor.DType{own}
		for _, s := range c.Also {
			dt, err := tensor.ParseDType(s)
			require.NoError(t, err, "%s: also", c.Name)
			variants = append(variants, dt)
		}
		for _, dt := range variants {
			name := c.Name
			if dt != own {
				name += "/" + dt.String()
			}
			t.Run(name, func(t *testing.T) {
				a, vin, vwant := attrs, in, want
				if dt != own {
					a = map[string]any{}
					for k, v := range attrs {
						a[k] = v
					}
					a["T"] = dt
					vin, vwant = castFloats(t, in, own, dt), castFloats(t, want, own, dt)
				}
				got, err := Call(graph.NewNode("n", c.Op, nil, a), vin...)
				require.NoError(t, err)
				require.Len(t, got, len(vwant))
				for i := range vwant {
					ot := tensor.Tolerance{}
					if vwant[i].DType().IsFloat() {
						ot = tol
					}
					assert.NoError(t, tensor.Compare(got[i], vwant[i], ot), "output %d", i)
				}
			})
			ran++
		}
	}
	return ran
}

// castFloats returns ts with the tensors of dtype from cast to to.
func castFloats(t *testing.T, ts []*tensor.Tensor, from, to tensor.DType) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(ts))
	for i, x := range ts {
		out[i] = x
		if x.DType() != from {
			continue
		}
		v, err := tensor.Float64s(x)
		require.NoError(t, err)
		out[i], err = tensor.FromFloat64s(to, x.Shape(), v)
		require.NoError(t, err)
	}
	return out
}

// CheckGenerator reruns a reference file's generator, a Node program
// taking the TensorFlow.js node_modules folder as its argument, and
// checks that it writes the committed file byte for byte, so that the
// file holds what TensorFlow.js computes and nothing edited by hand. It
// skips (or fails where testutil.Required) without the pinned
// TensorFlow.js.
func CheckGenerator(t *testing.T, script, path string) {
	t.Helper()
	root, err := testutil.RepoRoot()
	require.NoError(t, err)
	oracle, err := tfjsoracle.Find(root)
	testutil.RequireOrSkip(t, "TensorFlow.js (scripts/install-tfjs.sh)", err)
	abs, err := filepath.Abs(script)
	require.NoError(t, err)
	var stderr bytes.Buffer
	cmd := exec.Command(oracle.Node, abs, oracle.Modules)
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	require.NoError(t, err, "%s: %s", script, stderr.String())
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(got, want), "%s no longer writes %s: rerun node %s %s > %s", script, path, script, oracle.Modules, path)
}

// CheckTFJSReferences runs the reference file testdata/<name>.json
// (RunReferences, which must make at least minRuns comparisons) and, as
// the subtest "generator", checks that testdata/<name>.js still writes it
// (CheckGenerator).
func CheckTFJSReferences(t *testing.T, name string, tol tensor.Tolerance, minRuns int) {
	t.Helper()
	data, script := filepath.Join("testdata", name+".json"), filepath.Join("testdata", name+".js")
	n := RunReferences(t, data, tol)
	assert.GreaterOrEqual(t, n, minRuns, "comparisons in %s", data)
	t.Run("generator", func(t *testing.T) { CheckGenerator(t, script, data) })
}
