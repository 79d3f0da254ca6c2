package ptq

import (
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/internal/testmodels"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
	"github.com/tfoffload/tfoffload/quantize"
	"github.com/tfoffload/tfoffload/tensor"
	"google.golang.org/protobuf/proto"
)

// The shared photos split in two: calibration sees crops of the first,
// agreement is measured on crops of the others only.
var (
	calibPhotos = []string{"cat.jpg", "fox.jpeg", "street.jpg"}
	heldPhotos  = []string{"grace_hopper.jpg", "elephants.jpg", "table.jpg"}
)

// crops returns square crops of each photo at four scales on a 3×3 grid
// of positions (36 a photo), as the model's inputs: real image content
// at many framings. The shared folder has only seven photos, and no
// registry package reachable here ships a real photo set.
func crops(t testing.TB, shared string, m testmodels.Model, photos []string) []*tensor.Tensor {
	t.Helper()
	dir := t.TempDir()
	var out []*tensor.Tensor
	for _, name := range photos {
		f, err := os.Open(filepath.Join(shared, "images", name))
		require.NoError(t, err)
		img, _, err := image.Decode(f)
		f.Close()
		require.NoError(t, err)
		b := img.Bounds()
		side := min(b.Dx(), b.Dy())
		for _, scale := range []float64{1, 0.8, 0.6, 0.45} {
			s := int(float64(side) * scale)
			for gy := range 3 {
				for gx := range 3 {
					x0 := b.Min.X + gx*(b.Dx()-s)/2
					y0 := b.Min.Y + gy*(b.Dy()-s)/2
					sub := img.(interface {
						SubImage(image.Rectangle) image.Image
					}).SubImage(image.Rect(x0, y0, x0+s, y0+s))
					p := filepath.Join(dir, fmt.Sprintf("%s_%v_%d_%d.jpg", name, scale, gx, gy))
					w, err := os.Create(p)
					require.NoError(t, err)
					require.NoError(t, jpeg.Encode(w, sub, &jpeg.Options{Quality: 95}))
					require.NoError(t, w.Close())
					x, err := testmodels.LoadImage(p, m.Image, m.DType)
					require.NoError(t, err)
					out = append(out, x)
				}
			}
		}
	}
	return out
}

func feedsOf(input string, xs []*tensor.Tensor) []map[string]*tensor.Tensor {
	out := make([]map[string]*tensor.Tensor, len(xs))
	for i, x := range xs {
		out[i] = map[string]*tensor.Tensor{input: x}
	}
	return out
}

// realRun runs feeds through m with plan (float32 when nil) and returns
// the fetched outputs as float64s.
func realRun(t *testing.T, m *graph.Model, plan *quantize.Plan, fetch string, feeds []map[string]*tensor.Tensor) [][]float64 {
	t.Helper()
	s, err := bridge.NewSession(m, bridge.WithOffload(true), bridge.WithDynamicFallback(false), bridge.WithOutputs(fetch), bridge.WithPrecision(plan))
	require.NoError(t, err)
	defer s.Close()
	out := make([][]float64, len(feeds))
	for i, f := range feeds {
		got, err := s.Run(context.Background(), f, []string{fetch})
		require.NoError(t, err)
		out[i], err = floats(got[0])
		require.NoError(t, err)
	}
	return out
}

// TestRealModelsInt8 quantizes the benchmark models (min/max
// calibration, the CLI's default, and GPTQ weights) and compares them
// with float32 on inputs calibration never saw.
//
// nsfwjs is calibrated on crops of the six shared photos and measured on
// the real photo set (scripts/install-photos.sh: 325 cut-out photographs
// from a Debian package, on black): at least 99% agree, the issue's
// target (99.4% measured; 97.2% with weights rounded to nearest), and
// every input whose top-1 flips was a near tie in float32 (its top class
// below 0.6, the runner-up within 0.2).
//
// MoveNet is calibrated on crops of three shared photos and measured on
// 108 crops of the other three: at most 8% of its confident keypoints
// (float32 score ≥ 0.3) jump to another place (13 of 187 measured, 16
// with weights rounded to nearest).
func TestRealModelsInt8(t *testing.T) {
	enginetest.Require(t)
	shared := testutil.SharedModels(t)
	if testing.Short() {
		t.Skip("runs two real models on hundreds of inputs")
	}
	t.Run("nsfwjs_mobilenet_v2", func(t *testing.T) {
		paths, err := testmodels.RealPhotos()
		testutil.RequireOrSkip(t, "the real photo set (scripts/install-photos.sh)", err)
		tm := testModel(t, "nsfwjs_mobilenet_v2")
		m, err := graph.Load(filepath.Join(shared, tm.Path))
		require.NoError(t, err)
		// LoadImage composites the stamps' transparent parts on black
		// (tf.io.decode_png would show whatever colour they hide).
		var xs []*tensor.Tensor
		for _, p := range paths {
			x, err := testmodels.LoadImage(p, tm.Image, tm.DType)
			require.NoError(t, err)
			xs = append(xs, x)
		}
		held := feedsOf(tm.Input, xs)
		calib := feedsOf(tm.Input, crops(t, shared, tm, slices.Concat(calibPhotos, heldPhotos)))
		res, err := Quantize(context.Background(), m, Config{Mode: quantize.Int8, Method: quantize.MinMax, Calib: calib, MaxDrop: -1, Fetch: tm.Output})
		require.NoError(t, err)
		ref := realRun(t, m, nil, tm.Output, held)
		got := realRun(t, m, res.Plan, tm.Output, held)
		agree, sure, sureAgree := 0, 0, 0
		for i := range got {
			top := slices.Clone(ref[i])
			slices.Sort(top)
			confident := top[len(top)-1] >= 0.6
			if confident {
				sure++
			}
			if argmax(got[i]) == argmax(ref[i]) {
				agree++
				if confident {
					sureAgree++
				}
				continue
			}
			assert.False(t, confident, "%s flips its top-1 though float32 gave it %.2f", paths[i], top[len(top)-1])
			assert.Less(t, top[len(top)-1]-top[len(top)-2], 0.2, "%s flips its top-1 though float32 was sure", paths[i])
		}
		t.Logf("nsfwjs: %d layers int8; top-1 agreement with float32 on %d real photos: %d (%.1f%%); on the %d float32 gives at least 0.6: %d",
			countLayers(res), len(held), agree, 100*float64(agree)/float64(len(held)), sure, sureAgree)
		assert.GreaterOrEqual(t, float64(agree), 0.99*float64(len(held)))
	})
	t.Run("movenet-lightning", func(t *testing.T) {
		tm := testModel(t, "movenet-lightning")
		m, err := graph.Load(filepath.Join(shared, tm.Path))
		require.NoError(t, err)
		fetch := fetchOf(tm, m)
		calib := feedsOf(tm.Input, crops(t, shared, tm, calibPhotos))
		held := feedsOf(tm.Input, crops(t, shared, tm, heldPhotos))
		require.GreaterOrEqual(t, len(held), 100)
		res, err := Quantize(context.Background(), m, Config{Mode: quantize.Int8, Method: quantize.MinMax, Calib: calib, MaxDrop: -1, Fetch: fetch})
		require.NoError(t, err)
		ref := realRun(t, m, nil, fetch, held)
		got := realRun(t, m, res.Plan, fetch, held)
		// [1,1,17,3] of (y, x, score); compare the positions of the
		// keypoints float32 is confident about. Most are people's joints
		// on photos without people, whose heat maps have several near
		// peaks: a keypoint either stays within a few pixels or jumps to
		// another peak, so count the jumps; their lengths, which make
		// most of the mean, are logged.
		const jump = 0.05 // of the image
		sum, worst := 0.0, 0.0
		n, jumps := 0, 0
		for i := range got {
			for k := 0; k+2 < len(got[i]); k += 3 {
				if ref[i][k+2] < 0.3 {
					continue
				}
				d := math.Hypot(got[i][k]-ref[i][k], got[i][k+1]-ref[i][k+1])
				sum += d
				worst = math.Max(worst, d)
				n++
				if d > jump {
					jumps++
				}
			}
		}
		t.Logf("movenet: %d layers int8; %d confident keypoints on %d held-out inputs: %d moved more than %.0f%% of the image; mean distance %.4f, worst %.4f (image = 1)",
			countLayers(res), n, len(held), jumps, 100*jump, sum/float64(n), worst)
		require.Positive(t, n)
		assert.LessOrEqual(t, float64(jumps), 0.08*float64(n))
	})
}

func countLayers(res *Result) int {
	n := 0
	for _, l := range res.Layers {
		n += len(l)
	}
	return n
}

// TestKWSKeepsItsLabels quantizes the keyword-spotting models (their
// clusters start after the MFCC the executor computes) calibrated on the
// four shared recordings, and measures their accuracy on the three
// labelled ones in accuracy-aware mode: INT8 must keep every label
// (yes, no, _silence_; CNN_S hears "no" as "go" in float32 too).
func TestKWSKeepsItsLabels(t *testing.T) {
	enginetest.Require(t)
	shared := testutil.SharedModels(t)
	labels, err := testmodels.KWSLabels(shared)
	require.NoError(t, err)
	class := func(name string) int { return slices.Index(labels, name) }
	dir := filepath.Join(shared, "frozen", "kws")
	var calib []map[string]*tensor.Tensor
	for _, clip := range append(slices.Clone(testmodels.KWSClips), "noise_1000ms") {
		wav, err := os.ReadFile(filepath.Join(dir, "wav", clip+".wav"))
		require.NoError(t, err)
		calib = append(calib, map[string]*tensor.Tensor{"wav_data": tensor.Scalar(string(wav))})
	}
	for _, tc := range []struct {
		model string
		want  []string // float32's labels of KWSClips
	}{
		{"DS_CNN_S", []string{"yes", "no", "_silence_"}},
		{"CNN_S", []string{"yes", "go", "_silence_"}},
		{"DNN_S", []string{"yes", "no", "_silence_"}},
	} {
		t.Run(tc.model, func(t *testing.T) {
			m, err := graph.Load(filepath.Join(dir, tc.model+".pb"))
			require.NoError(t, err)
			var data []Sample
			for i, want := range tc.want {
				data = append(data, Sample{Feeds: calib[i], Label: class(want)})
			}
			res, err := Quantize(context.Background(), m, Config{Mode: quantize.Int8, Method: quantize.MinMax, Calib: calib,
				Data: data, MaxDrop: 0, Fetch: "labels_softmax:0"})
			require.NoError(t, err)
			r := res.Plan.Metric
			require.NotNil(t, r)
			t.Logf("%s: accuracy float32 %.0f%%, int8 %.0f%%, %d of %d layers reverted", tc.model, 100*r.FP32, 100*r.Initial, r.Reverted, r.Layers)
			assert.Equal(t, "accuracy", r.Name)
			assert.Equal(t, 1.0, r.FP32)
			assert.Equal(t, 1.0, r.Initial, "int8 keeps every label without reverting")
			assert.Empty(t, res.Plan.Reverted)
		})
	}
}

// TestInt8RunsIntegerKernels checks what ONNX Runtime makes of the
// quantized benchmark models: after its optimizations every convolution
// is an integer kernel (QLinearConv), not a float one between
// DequantizeLinear and QuantizeLinear, and the input normalization
// (nsfwjs: x·2 − 1; MoveNet: (x − 0)·(1/127.5) − 1, whose [1,1,1,3]
// constants translation makes scalars) left with the float32 model's Sub
// and Mul: it folds into the input's QuantizeLinear. (ONNX Runtime drops
// MoveNet's scalar Sub of 0 from float32 by itself.)
func TestInt8RunsIntegerKernels(t *testing.T) {
	enginetest.Require(t)
	shared := testutil.SharedModels(t)
	for _, tc := range []struct {
		model  string
		convs  int
		folded int // Sub and Mul nodes of the normalization
	}{
		{"nsfwjs_mobilenet_v2", 52, 2},
		{"movenet-lightning", 74, 2},
	} {
		t.Run(tc.model, func(t *testing.T) {
			tm := testModel(t, tc.model)
			m, err := graph.Load(filepath.Join(shared, tm.Path))
			require.NoError(t, err)
			fetch := fetchOf(tm, m)
			calib := feedsOf(tm.Input, photos(t, shared, tm)[:2])
			res, err := Quantize(context.Background(), m, Config{Mode: quantize.Int8, Method: quantize.MinMax, Calib: calib, MaxDrop: -1, Fetch: fetch})
			require.NoError(t, err)
			fp32 := optimizedOps(t, m, nil, fetch, calib[0])
			int8 := optimizedOps(t, m, res.Plan, fetch, calib[0])
			t.Logf("ONNX Runtime's optimized model: float32 %v; int8 %v", fp32, int8)
			assert.Equal(t, tc.convs, int8["QLinearConv"], "every convolution runs on integers")
			assert.Zero(t, int8["Conv"])
			assert.Equal(t, fp32["Sub"]+fp32["Mul"]-tc.folded, int8["Sub"]+int8["Mul"], "the normalization folds into the input's quantization")
		})
	}
}

// optimizedOps counts the op types of the model ONNX Runtime runs for
// m's cluster, quantized by plan (float32 when nil).
func optimizedOps(t *testing.T, m *graph.Model, plan *quantize.Plan, fetch string, feeds map[string]*tensor.Tensor) map[string]int {
	t.Helper()
	optimized := filepath.Join(t.TempDir(), "optimized.onnx")
	s, err := bridge.NewSession(m, bridge.WithOffload(true), bridge.WithDynamicFallback(false), bridge.WithOutputs(fetch),
		bridge.WithPrecision(plan), bridge.WithEngineOptions(engine.SessionOptions{OptimizedModelPath: optimized}))
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Run(context.Background(), feeds, []string{fetch})
	require.NoError(t, err)
	data, err := os.ReadFile(optimized)
	require.NoError(t, err)
	var mp onnxpb.ModelProto
	require.NoError(t, proto.Unmarshal(data, &mp))
	ops := map[string]int{}
	for _, n := range mp.GetGraph().GetNode() {
		ops[n.GetOpType()]++
	}
	return ops
}
