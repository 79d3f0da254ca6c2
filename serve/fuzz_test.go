package serve

import (
	"bytes"
	"flag"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tensor"
)

var update = flag.Bool("update", false, "rewrite the committed fuzz seed corpora")

// fuzzSignatures are the signatures the REST decoder is fuzzed against: one
// float input (half_plus_two), and three inputs of other dtypes.
var fuzzSignatures = []*graph.Signature{
	{Key: "one", Inputs: []graph.TensorInfo{{Key: "x", Name: "x:0", DType: tensor.Float32}}},
	{Key: "three", Inputs: []graph.TensorInfo{
		{Key: "ids", Name: "ids:0", DType: tensor.Int64},
		{Key: "text_bytes", Name: "t:0", DType: tensor.String},
		{Key: "mask", Name: "m:0", DType: tensor.Uint8},
	}},
}

var predictSeeds = [][]any{
	{[]byte(`{"instances": [1.0, 2.0, 5.0]}`), uint8(0)},
	{[]byte(`{"inputs": [[1.5], [2e3]]}`), uint8(0)},
	{[]byte(`{"signature_name": "one", "inputs": {"x": [[1, 2], [3, 4]]}}`), uint8(0)},
	{[]byte(`{"instances": [{"ids": [1, 9007199254740993], "text_bytes": {"b64": "aGVsbG8="}, "mask": [0, 255]}]}`), uint8(1)},
	{[]byte(`{"inputs": {"ids": [[1]], "text_bytes": [["a"]], "mask": [[1]]}}`), uint8(1)},
	{[]byte(`{"instances": [[1.0], 2.0]}`), uint8(0)},
	{[]byte(`{"instances": [{"ids": 1}, {"mask": 2}]}`), uint8(1)},
	{[]byte(`{"instances": [[[]]]}`), uint8(0)},
	{[]byte(`{"inputs": {"b64": "!!"}}`), uint8(1)},
}

var examplesSeeds = [][]any{
	{[]byte(`{"signature_name": "classify_x_to_y", "examples": [{"x": 1.0}, {"x": 2}]}`)},
	{[]byte(`{"context": {"q": "abc", "w": [1, 2.5]}, "examples": [{"b": {"b64": "AAE="}}, {}]}`)},
	{[]byte(`{"examples": [{"x": [1, "a"]}]}`)},
	{[]byte(`{"examples": [{"x": 1e999}]}`)},
}

// TestFuzzSeedCorpus keeps the committed seed corpora in step with the
// seeds above (go test ./serve -run TestFuzzSeedCorpus -update).
func TestFuzzSeedCorpus(t *testing.T) {
	const hint = "go test ./serve -run TestFuzzSeedCorpus -update"
	testutil.CheckFuzzCorpus(t, filepath.Join("testdata", "fuzz", "FuzzDecodePredictRequest"), predictSeeds, *update, hint)
	testutil.CheckFuzzCorpus(t, filepath.Join("testdata", "fuzz", "FuzzDecodeExamplesRequest"), examplesSeeds, *update, hint)
}

// FuzzDecodePredictRequest feeds REST predict bodies to the decoder: it
// never panics, a decoded request has the signature's dtypes and
// rectangular shapes, and a tensor of finite values written back as JSON
// decodes to the same tensor.
func FuzzDecodePredictRequest(f *testing.F) {
	for _, s := range predictSeeds {
		f.Add(s[0].([]byte), s[1].(uint8))
	}
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		sig := fuzzSignatures[int(which)%len(fuzzSignatures)]
		pb, err := parsePredictBody(body)
		if err != nil {
			return
		}
		inputs, err := predictInputs(pb, sig)
		if err != nil {
			return
		}
		n := -1
		for k, in := range inputs {
			info, ok := inputInfo(sig, k)
			require.True(t, ok, "decoded input %s is not in the signature", k)
			require.Equal(t, info.DType, in.DType(), "input %s", k)
			require.Equal(t, in.Shape().NumElements(), in.NumElements(), "input %s", k)
			if pb.hasInstances {
				require.GreaterOrEqual(t, in.Rank(), 1)
				if n >= 0 {
					require.Equal(t, n, in.Shape()[0], "instances give every input one row each")
				}
				n = in.Shape()[0]
			}
			if !finite(in) {
				continue
			}
			var b bytes.Buffer
			require.NoError(t, writeTensorJSON(&b, in, -1, true))
			v, err := decodeJSON(b.Bytes())
			require.NoError(t, err, "%s", b.String())
			back, err := jsonTensor(v, info)
			require.NoError(t, err, "%s", b.String())
			if in.NumElements() > 0 {
				require.Equal(t, in.Shape(), back.Shape())
			}
			require.Equal(t, in.Data(), back.Data())
		}
	})
}

func finite(t *tensor.Tensor) bool {
	if !t.DType().IsFloat() {
		return true
	}
	vals, err := tensor.Float64s(t)
	if err != nil {
		return false
	}
	for _, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// FuzzDecodeExamplesRequest feeds REST classify/regress bodies to the
// decoder: it never panics, and every decoded feature holds one kind of
// list.
func FuzzDecodeExamplesRequest(f *testing.F) {
	for _, s := range examplesSeeds {
		f.Add(s[0].([]byte))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_, examples, exCtx, err := parseExamplesBody(body)
		if err != nil {
			return
		}
		require.NotNil(t, examples)
		for _, ex := range append(examples, exCtx) {
			for k, feat := range ex.GetFeatures().GetFeature() {
				assert.NotNil(t, feat.GetKind(), "feature %s", k)
			}
		}
		if len(examples) > 0 {
			_, err := examplesTensor("m", examples, exCtx)
			require.NoError(t, err)
		}
	})
}
