package quantize

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
	"github.com/tfoffload/tfoffload/tensor"
)

func intsAttr(name string, vs ...int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INTS.Enum(), Ints: vs}
}

func stringAttr(name, v string) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_STRING.Enum(), S: []byte(v)}
}

func oneNode(t *testing.T, n *onnxpb.NodeProto, inits ...*onnxpb.TensorProto) *onnxpb.ModelProto {
	t.Helper()
	g := &onnxpb.GraphProto{Name: proto.String("one"), Input: []*onnxpb.ValueInfoProto{floatInfo("x")},
		Output: []*onnxpb.ValueInfoProto{floatInfo("y")}, Initializer: inits, Node: []*onnxpb.NodeProto{n}}
	return &onnxpb.ModelProto{IrVersion: proto.Int64(8), Graph: g,
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(18)}}}
}

// TestCovarianceIsThePatchGramian checks H against ONNX Runtime: for
// weights w, wᵀ·H·w is the sum of squares of the layer's outputs, for
// every position the layer computes (the inputs are small enough that
// none is left out).
func TestCovarianceIsThePatchGramian(t *testing.T) {
	enginetest.Require(t)
	rng := rand.New(rand.NewPCG(7, 7))
	for _, tc := range []struct {
		name   string
		op     string
		x      tensor.Shape
		w      tensor.Shape // one output channel per group
		attrs  []*onnxpb.AttributeProto
		groups int
	}{
		{"conv pads stride dilation", "Conv", tensor.Shape{2, 3, 7, 6}, tensor.Shape{1, 3, 3, 3},
			[]*onnxpb.AttributeProto{intsAttr("pads", 1, 0, 2, 1), intsAttr("strides", 2, 1), intsAttr("dilations", 2, 1)}, 1},
		{"depthwise same upper", "Conv", tensor.Shape{1, 4, 6, 7}, tensor.Shape{4, 1, 3, 3},
			[]*onnxpb.AttributeProto{stringAttr("auto_pad", "SAME_UPPER"), intsAttr("strides", 2, 2), intAttr("group", 4)}, 4},
		{"grouped same lower stride", "Conv", tensor.Shape{1, 4, 5, 5}, tensor.Shape{2, 2, 2, 2},
			[]*onnxpb.AttributeProto{stringAttr("auto_pad", "SAME_LOWER"), intsAttr("strides", 2, 2), intAttr("group", 2)}, 2},
		{"conv 1-D valid", "Conv", tensor.Shape{3, 2, 9}, tensor.Shape{1, 2, 4},
			[]*onnxpb.AttributeProto{stringAttr("auto_pad", "VALID")}, 1},
		{"matmul rows", "MatMul", tensor.Shape{2, 5, 6}, tensor.Shape{6, 1}, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := randomFloats(rng, tc.w.NumElements(), 1)
			m := oneNode(t, node(tc.op, "layer", []string{"x", "w"}, []string{"y"}, tc.attrs...),
				initializer(t, "w", tc.w, w))
			x := tensor.MustFromSlice(tc.x, randomFloats(rng, tc.x.NumElements(), 1))
			ix := newIndex(m.GetGraph())
			ls := layers(ix)
			require.Len(t, ls, 1)
			cov, ok := newCovariance(ix, ls[0])
			require.True(t, ok)
			cov.add(x)
			require.Equal(t, tc.groups, len(cov.h))

			y := tensor.Values[float32](run(t, m, x)[0])
			want := make([]float64, tc.groups) // Σ y² per group's channel
			axis := 1
			if tc.op == "MatMul" {
				axis = len(tc.x) - 1
			}
			channels := run(t, m, x)[0].Shape()[axis]
			inner := 1
			for _, d := range run(t, m, x)[0].Shape()[axis+1:] {
				inner *= d
			}
			require.LessOrEqual(t, len(y)/channels, cov.positions, "every position counts")
			for i, v := range y {
				want[i/inner%channels] += float64(v) * float64(v)
			}
			for g := range tc.groups {
				wg := w[g*cov.d : (g+1)*cov.d]
				got := 0.0
				for i := range cov.d {
					for j := range cov.d {
						hij := cov.h[g][min(i, j)*cov.d+max(i, j)]
						got += float64(wg[i]) * hij * float64(wg[j])
					}
				}
				assert.InEpsilon(t, want[g], got, 1e-4, "group %d", g)
			}
		})
	}
}

// TestGPTQLowersTheLayersError checks what GPTQ is for: on correlated
// inputs, the layer's output moves less from float32 than with nearest
// rounding, with the same scales, computed here from the int8 values.
func TestGPTQLowersTheLayersError(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	const k, n, rows = 32, 8, 2000
	w := randomFloats(rng, k*n, 1)
	m := oneNode(t, node("MatMul", "layer", []string{"x", "w"}, []string{"y"}), initializer(t, "w", tensor.Shape{k, n}, w))
	ix := newIndex(m.GetGraph())
	cov, ok := newCovariance(ix, layers(ix)[0])
	require.True(t, ok)
	// Inputs driven by four factors, so that their covariance is far
	// from diagonal, as real activations' are.
	mix := randomFloats(rng, 4*k, 1)
	var xs [][]float32
	for range rows / cov.positions {
		x := make([]float32, cov.positions*k)
		for r := range cov.positions {
			f := randomFloats(rng, 4, 1)
			for i := range k {
				for j := range 4 {
					x[r*k+i] += f[j] * mix[j*k+i]
				}
				x[r*k+i] += 0.05 * (rng.Float32()*2 - 1)
			}
			xs = append(xs, x[r*k:(r+1)*k])
		}
		cov.add(tensor.MustFromSlice(tensor.Shape{cov.positions, k}, x))
	}
	nearest, scales := symmetric(w, tensor.Shape{k, n}, 1)
	gptq := cov.round(nearest, scales)
	outputError := func(q []int8) float64 {
		sum := 0.0
		for _, x := range xs {
			for o := range n {
				d := 0.0
				for i := range k {
					d += float64(x[i]) * (float64(q[i*n+o])*float64(scales[o]) - float64(w[i*n+o]))
				}
				sum += d * d
			}
		}
		return sum
	}
	en, eg := outputError(nearest), outputError(gptq)
	t.Logf("output error: nearest %.4g, GPTQ %.4g", en, eg)
	assert.Less(t, eg, 0.5*en)
	moved := 0
	for i := range gptq {
		d := math.Abs(float64(gptq[i]) - float64(nearest[i]))
		if d > 0 {
			moved++
		}
	}
	assert.Positive(t, moved, "GPTQ changed some roundings")

	// The plan carries GPTQ's values as differences from nearest.
	lw, err := cov.rounding()
	require.NoError(t, err)
	got, _ := symmetric(w, tensor.Shape{k, n}, 1)
	require.NoError(t, lw.apply(got))
	assert.Equal(t, gptq, got)
}

func TestLayerWeightsRefusesBadData(t *testing.T) {
	q := make([]int8, 10)
	lw := &LayerWeights{Layer: "conv", Delta: []byte("not deflate")}
	assert.ErrorIs(t, lw.apply(q), ErrPlan)

	cov := &covariance{layer: "conv", weight: make([]float32, 12), shape: tensor.Shape{3, 4}, axis: 0}
	short, err := cov.rounding()
	require.NoError(t, err)
	err = short.apply(q)
	assert.ErrorIs(t, err, ErrPlan)
	assert.ErrorContains(t, err, "conv")
	assert.ErrorContains(t, err, "more than the layer's 10")
}

func TestApplyRefusesCorruptWeights(t *testing.T) {
	enginetest.Require(t)
	p := calibrated(t, convNet(t, 1), MinMax, 4)
	require.NotEmpty(t, p.Clusters[0].Weights)
	p.Clusters[0].Weights[0].Delta = []byte{0xff, 0xff}
	_, err := p.Apply(0, convNet(t, 1))
	assert.ErrorIs(t, err, ErrPlan)
	assert.ErrorContains(t, err, p.Clusters[0].Weights[0].Layer)
}

// TestGPTQSkipsLayersTooLarge checks that a layer whose H would be too
// large to hold and factor rounds to nearest (no covariance), and that
// positions shrink as layers grow.
func TestGPTQSkipsLayersTooLarge(t *testing.T) {
	for _, tc := range []struct {
		k         int
		ok        bool
		positions int
	}{
		{64, true, gptqPositions},
		{gptqMaxInputs, true, gptqWork / (gptqMaxInputs * gptqMaxInputs)},
		{gptqMaxInputs + 1, false, 0},
	} {
		m := oneNode(t, node("MatMul", "layer", []string{"x", "w"}, []string{"y"}),
			initializer(t, "w", tensor.Shape{tc.k, 2}, make([]float32, 2*tc.k)))
		ix := newIndex(m.GetGraph())
		cov, ok := newCovariance(ix, layers(ix)[0])
		require.Equal(t, tc.ok, ok, "k=%d", tc.k)
		if ok {
			assert.Equal(t, max(tc.positions, gptqMinPositions), cov.positions, "k=%d", tc.k)
		}
	}
}
