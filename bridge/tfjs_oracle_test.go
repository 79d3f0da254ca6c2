package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testmodels"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
	"github.com/tfoffload/tfoffload/internal/tfjsoracle"
	"github.com/tfoffload/tfoffload/tensor"
)

// TestTFJSOracle runs every TensorFlow.js graph model under
// ../shared/models/tfjs, and the project's TF.js fixtures, with
// TensorFlow.js itself (pinned, on its CPU backend; see package
// tfjsoracle) and with tfoffload, offloaded to ONNX Runtime's CPU provider
// and on the executor alone, on the same inputs: every output must agree
// with TensorFlow.js's at rtol 1e-3/atol 1e-4, integer and bool outputs
// exactly, in the same shapes. Image models get a photo, the others seeded
// random values. It prints the agreement table ("tfjs-oracle:" lines).
//
// The oracle is TF.js's CPU backend on purpose: its wasm backend casts
// small floats to bool wrongly in an NMS model (handtrack's), so it is no
// reference for those outputs.
func TestTFJSOracle(t *testing.T) {
	enginetest.Require(t)
	if testing.Short() {
		t.Skip("runs every TF.js model three times")
	}
	root, err := testutil.RepoRoot()
	require.NoError(t, err)
	oracle, err := tfjsoracle.Find(root)
	testutil.RequireOrSkip(t, "TensorFlow.js (scripts/install-tfjs.sh)", err)
	shared := testutil.SharedModels(t)

	sharedModels := tfjsModels(t, filepath.Join(shared, "tfjs"))
	require.GreaterOrEqual(t, len(sharedModels), 8, "TF.js models in ../shared/models/tfjs")
	fixtures := tfjsModels(t, filepath.Join(root, "testdata", "models"))
	require.GreaterOrEqual(t, len(fixtures), 3, "TF.js fixtures in testdata/models")

	var rows []agreementRow
	for _, set := range []struct {
		base  string // names are relative to it
		paths []string
	}{{shared, sharedModels}, {root, fixtures}} {
		for _, path := range set.paths {
			name, err := filepath.Rel(set.base, path)
			require.NoError(t, err)
			t.Run(name, func(t *testing.T) {
				rows = append(rows, checkAgainstTFJS(t, oracle, shared, path, name)...)
			})
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "tfjs-oracle: TensorFlow.js %s (CPU backend) against tfoffload; max |diff| and max |diff|/|TF.js| (over |TF.js| >= 1e-4)\n", oracle.Version)
	fmt.Fprintf(&b, "tfjs-oracle: %-50s %-20s %-24s %-20s %-20s\n", "model", "output", "dtype shape", "CPU abs / rel", "executor abs / rel")
	for _, r := range rows {
		fmt.Fprintf(&b, "tfjs-oracle: %-50s %-20s %-24s %-20s %-20s\n", r.model, r.output, r.what, r.off, r.ref)
	}
	fmt.Print(b.String())
	t.Log("\n" + b.String())
}

// agreementRow is one output of one model in the printed table.
type agreementRow struct {
	model, output, what string
	off, ref            string // "max abs / max rel", or the failure
}

// tfjsModels returns the TF.js graph models under dir: every .json file
// holding a modelTopology, sorted.
func tfjsModels(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var doc map[string]json.RawMessage
		if json.Unmarshal(data, &doc) == nil && doc["modelTopology"] != nil {
			out = append(out, p)
		}
		return nil
	})
	require.NoError(t, err)
	slices.Sort(out)
	return out
}

// checkAgainstTFJS runs one model three ways and compares every output
// with TensorFlow.js's, returning the table rows.
func checkAgainstTFJS(t *testing.T, oracle *tfjsoracle.Oracle, shared, path, name string) []agreementRow {
	m, err := graph.Load(path)
	require.NoError(t, err)
	off, err := NewSession(m, WithBackend("CPU"), WithOffload(true), WithDynamicFallback(false), WithLogger(quietLogger))
	require.NoError(t, err)
	defer off.Close()
	ref, err := NewSession(m, WithOffload(false))
	require.NoError(t, err)
	defer ref.Close()

	feeds := oracleInputs(t, shared, path, off.Inputs())
	var fetches []string
	for _, o := range off.Outputs() {
		fetches = append(fetches, o.Name)
	}
	require.NotEmpty(t, fetches)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	want, err := oracle.Run(ctx, t.TempDir(), path, "cpu", feeds, fetches)
	require.NoError(t, err)
	gotOff, err := off.Run(ctx, feeds, fetches)
	require.NoError(t, err)
	gotRef, err := ref.Run(ctx, feeds, fetches)
	require.NoError(t, err)

	var rows []agreementRow
	for i, f := range fetches {
		row := agreementRow{model: name, output: f, what: fmt.Sprintf("%v %v", gotRef[i].DType(), gotRef[i].Shape())}
		for _, side := range []struct {
			backend string
			got     *tensor.Tensor
			cell    *string
		}{{"CPU", gotOff[i], &row.off}, {"executor", gotRef[i], &row.ref}} {
			abs, rel, err := agreeWithTFJS(side.got, want[i])
			*side.cell = fmt.Sprintf("%.2g / %.2g", abs, rel)
			if err != nil {
				*side.cell = "FAIL"
			}
			assert.NoError(t, err, "%s on %s", f, side.backend)
		}
		rows = append(rows, row)
	}
	return rows
}

// oracleTol is the agreement required with TensorFlow.js on float outputs.
var oracleTol = tensor.Tolerance{RTol: 1e-3, ATol: 1e-4}

// agreeWithTFJS compares one of tfoffload's outputs with TensorFlow.js's,
// which has only int32 integers and float32 floats: the TF.js values are
// converted to got's dtype (exactly, for the integers TF.js can hold), then
// float outputs must agree within oracleTol and all others exactly. It
// returns the largest absolute difference and the largest relative one
// where |TF.js| is at least 1e-4.
func agreeWithTFJS(got, tfjs *tensor.Tensor) (maxAbs, maxRel float64, err error) {
	if !got.Shape().Equal(tfjs.Shape()) {
		return 0, 0, fmt.Errorf("shape %v, TensorFlow.js gave %v", got.Shape(), tfjs.Shape())
	}
	g, gerr := tensor.Float64s(got)
	w, werr := tensor.Float64s(tfjs)
	if gerr != nil || werr != nil {
		return 0, 0, fmt.Errorf("dtype %v against TensorFlow.js's %v: not comparable", got.DType(), tfjs.DType())
	}
	for i := range g {
		d := math.Abs(g[i] - w[i])
		if math.IsNaN(d) || math.IsInf(d, 0) {
			continue // Compare decides; NaN matches NaN
		}
		maxAbs = max(maxAbs, d)
		if math.Abs(w[i]) >= 1e-4 {
			maxRel = max(maxRel, d/math.Abs(w[i]))
		}
	}
	want, err := tensor.FromFloat64s(got.DType(), tfjs.Shape(), w)
	if err != nil {
		return maxAbs, maxRel, err
	}
	tol := tensor.Tolerance{}
	if got.DType().IsFloat() {
		tol = oracleTol
	}
	return maxAbs, maxRel, tensor.Compare(got, want, tol)
}

// oracleInputs makes one value for each input: the first sample photo for
// an image model testmodels describes, else seeded random values (floats
// in [0, 1), integers in [0, 255], bools at random) shaped by the
// testmodels entry or the input's declared shape, unknown dimensions 1.
func oracleInputs(t *testing.T, shared, path string, inputs []graph.TensorInfo) map[string]*tensor.Tensor {
	t.Helper()
	var spec *testmodels.Model
	for i := range testmodels.Models {
		if filepath.Join(shared, testmodels.Models[i].Path) == path {
			spec = &testmodels.Models[i]
		}
	}
	feeds := map[string]*tensor.Tensor{}
	rng := rand.New(rand.NewPCG(11, 0))
	for _, in := range inputs {
		require.True(t, in.RankKnown, "input %s has unknown rank", in.Name)
		dt := in.DType
		var shape tensor.Shape
		for _, d := range in.Shape {
			shape = append(shape, max(int(d), 1))
		}
		if spec != nil && len(inputs) == 1 {
			dt, shape = spec.DType, spec.Shape
			if spec.Image != nil {
				img, err := testmodels.LoadImage(filepath.Join(shared, "images", testmodels.Photos[0]), spec.Image, dt)
				require.NoError(t, err)
				feeds[in.Name] = img
				continue
			}
		}
		x, err := seededValues(rng, dt, shape)
		require.NoError(t, err)
		feeds[in.Name] = x
	}
	return feeds
}

// seededValues returns a tensor of dt and shape holding rng's values:
// floats in [0, 1), integers in [0, 255], bools at random.
func seededValues(rng *rand.Rand, dt tensor.DType, shape tensor.Shape) (*tensor.Tensor, error) {
	vals := make([]float64, shape.NumElements())
	for i := range vals {
		switch {
		case dt.IsFloat():
			vals[i] = rng.Float64()
		case dt == tensor.Bool:
			vals[i] = float64(rng.IntN(2))
		default:
			vals[i] = float64(rng.IntN(256))
		}
	}
	return tensor.FromFloat64s(dt, shape, vals)
}

// TestAgreeWithTFJS: TF.js's int32 and float32 outputs are held against
// tfoffload's dtypes; integers and bools must be equal.
func TestAgreeWithTFJS(t *testing.T) {
	i64 := tensor.MustFromSlice(tensor.Shape{3}, []int64{1, 2, 300})
	f32 := tensor.MustFromSlice(tensor.Shape{2}, []float32{1, 200})
	tests := []struct {
		name      string
		got, tfjs *tensor.Tensor
		ok        bool
	}{
		{"int64 against int32", i64, tensor.MustFromSlice(tensor.Shape{3}, []int32{1, 2, 300}), true},
		{"integer off by one", i64, tensor.MustFromSlice(tensor.Shape{3}, []int32{1, 2, 301}), false},
		{"float within tolerance", f32, tensor.MustFromSlice(tensor.Shape{2}, []float32{1.0005, 200.1}), true},
		{"float beyond tolerance", f32, tensor.MustFromSlice(tensor.Shape{2}, []float32{1, 200.5}), false},
		{"bool equal", tensor.MustFromSlice(tensor.Shape{2}, []bool{true, false}), tensor.MustFromSlice(tensor.Shape{2}, []bool{true, false}), true},
		{"bool", tensor.MustFromSlice(tensor.Shape{2}, []bool{true, false}), tensor.MustFromSlice(tensor.Shape{2}, []bool{true, true}), false},
		{"shape", f32, tensor.MustFromSlice(tensor.Shape{1, 2}, []float32{1, 200}), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := agreeWithTFJS(tc.got, tc.tfjs)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
	abs, rel, err := agreeWithTFJS(f32, tensor.MustFromSlice(tensor.Shape{2}, []float32{1, 200.1}))
	require.NoError(t, err)
	assert.InDelta(t, 0.1, abs, 1e-4)
	assert.InDelta(t, 0.1/200.1, rel, 1e-6)
}
