package tfbeam

import (
	"bufio"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/beam/tfrecord"
	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// The tests run pipelines on Beam's Prism runner, in-process and offline.
// Beam leaves a file in the temp folder for each pipeline: TestMain gives
// it a folder of its own.
func TestMain(m *testing.M) {
	os.Exit(testutil.WithTempDir(func() int { return ptest.MainRetWithDefault(m, "prism") }))
}

// randomNPY writes n files of shape, values in [0, 1), into dir.
func randomNPY(t *testing.T, dir string, n int, shape tensor.Shape) map[string]*tensor.Tensor {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	out := map[string]*tensor.Tensor{}
	for i := range n {
		vals := make([]float32, shape.NumElements())
		for j := range vals {
			vals[j] = rng.Float32()
		}
		x, err := tensor.FromSlice(shape, vals)
		require.NoError(t, err)
		p := filepath.Join(dir, "in"+string(rune('a'+i))+".npy")
		require.NoError(t, tensor.WriteNPYFile(p, x))
		out[p] = x
	}
	return out
}

// runPipeline runs Predict over the files glob matches and returns the
// predictions WriteJSONLines wrote, and WriteNPY's folder.
func runPipeline(t *testing.T, cfg Config, glob string) ([]jsonPrediction, string) {
	t.Helper()
	out := t.TempDir()
	p, s := beam.NewPipelineWithRoot()
	preds := Predict(s, cfg, fileio.ReadMatches(s, fileio.MatchFiles(s, glob)))
	WriteJSONLines(s, filepath.Join(out, "predictions.jsonl"), preds)
	WriteNPY(s, filepath.Join(out, "npy"), preds)
	require.NoError(t, ptest.Run(p))

	f, err := os.Open(filepath.Join(out, "predictions.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	var got []jsonPrediction
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		var j jsonPrediction
		require.NoError(t, json.Unmarshal(sc.Bytes(), &j), sc.Text())
		got = append(got, j)
	}
	require.NoError(t, sc.Err())
	sort.Slice(got, func(a, b int) bool {
		if got[a].Path != got[b].Path {
			return got[a].Path < got[b].Path
		}
		return *recordOf(got[a]) < *recordOf(got[b])
	})
	return got, filepath.Join(out, "npy")
}

func recordOf(j jsonPrediction) *int {
	if j.Record == nil {
		minus := -1
		return &minus
	}
	return j.Record
}

// floats decodes a JSON values list of numbers.
func floats(t *testing.T, v any) []float64 {
	t.Helper()
	list, ok := v.([]any)
	require.True(t, ok, "values %T", v)
	out := make([]float64, len(list))
	for i, x := range list {
		f, ok := x.(float64)
		require.True(t, ok, "value %v", x)
		out[i] = f
	}
	return out
}

// TestPredictNPY: every .npy file gets the prediction a session run on it
// gives, in JSON lines and in WriteNPY's folders, and the model is loaded
// once for the whole pipeline.
func TestPredictNPY(t *testing.T) {
	enginetest.Require(t)
	model := testutil.SharedModel(t, "frozen/tf2onnx/fc-layers/frozen.pb")
	dir := t.TempDir()
	inputs := randomNPY(t, dir, 5, tensor.Shape{1, 784})

	sess, err := bridge.LoadSession(model, bridge.WithOutputs("output:0"))
	require.NoError(t, err)
	defer sess.Close()

	before := loads.Load()
	got, npyDir := runPipeline(t, Config{Model: model}, filepath.Join(dir, "*.npy"))
	assert.Equal(t, int64(1), loads.Load()-before, "models loaded for one Predict")
	require.Len(t, got, len(inputs))
	for _, g := range got {
		want, err := sess.Run(context.Background(), map[string]*tensor.Tensor{"X:0": inputs[g.Path]}, []string{"output:0"})
		require.NoError(t, err)
		wantVals, err := tensor.Float64s(want[0])
		require.NoError(t, err)
		require.Len(t, g.Outputs, 1)
		assert.Nil(t, g.Record)
		assert.Equal(t, "output:0", g.Outputs[0].Name)
		assert.Equal(t, "float32", g.Outputs[0].DType)
		assert.Equal(t, []int(want[0].Shape()), g.Outputs[0].Shape)
		assert.Equal(t, wantVals, floats(t, g.Outputs[0].Values), g.Path)

		fromNPY, err := tensor.ReadNPYFile(filepath.Join(npyDir, OutputFolder(Prediction{Path: g.Path, Record: -1}), "0.npy"))
		require.NoError(t, err)
		assert.Equal(t, want[0].Data(), fromNPY.Data(), g.Path)
	}
}

// writeExamples writes a TFRecord file of tf.Examples each holding the
// float feature "x" with one value.
func writeExamples(t *testing.T, p string, xs []float32) {
	t.Helper()
	f, err := os.Create(p)
	require.NoError(t, err)
	defer f.Close()
	w := tfrecord.NewWriter(f)
	for _, x := range xs {
		ex := &tfpb.Example{Features: &tfpb.Features{Feature: map[string]*tfpb.Feature{
			"x": {Kind: &tfpb.Feature_FloatList{FloatList: &tfpb.FloatList{Value: []float32{x}}}},
		}}}
		data, err := proto.Marshal(ex)
		require.NoError(t, err)
		require.NoError(t, w.Write(data))
	}
}

// TestPredictTFRecord runs TensorFlow Serving's half_plus_two on tf.Example
// records, both by features (the predict signature's float input x) and
// as serialized records (the regress signature's string input, parsed by
// the model's ParseExample): y = 0.5·x + 2 exactly.
func TestPredictTFRecord(t *testing.T) {
	enginetest.Require(t)
	model := testutil.SharedModel(t, "savedmodel/tfserving/saved_model_half_plus_two_cpu")
	dir := t.TempDir()
	files := map[string][]float32{
		filepath.Join(dir, "a.tfrecord"): {1, -3, 0.25},
		filepath.Join(dir, "b.tfrecord"): {10, 4096},
	}
	for p, xs := range files {
		writeExamples(t, p, xs)
	}
	for _, sig := range []string{"", "regress_x_to_y"} {
		t.Run("signature "+sig, func(t *testing.T) {
			got, _ := runPipeline(t, Config{Model: model, Signature: sig}, filepath.Join(dir, "*.tfrecord"))
			require.Len(t, got, 5)
			for _, g := range got {
				require.NotNil(t, g.Record)
				x := files[g.Path][*g.Record]
				require.Len(t, g.Outputs, 1)
				assert.Equal(t, []float64{float64(0.5*x + 2)}, floats(t, g.Outputs[0].Values), "%s record %d", g.Path, *g.Record)
			}
		})
	}
}

// TestPredictImages: images are decoded, resized to the input's 224×224
// and scaled; the pipeline's predictions are a session's on imageTensor's
// value, and a probability distribution.
func TestPredictImages(t *testing.T) {
	enginetest.Require(t)
	model := testutil.SharedModel(t, "frozen/poets_mobilenet_v1/mobilenet_v1_poets.pb")
	images := testutil.SharedModel(t, "images")
	dir := t.TempDir()
	for _, name := range []string{"cat.jpg", "fox.jpeg"} {
		data, err := os.ReadFile(filepath.Join(images, name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	cfg := Config{Model: model, Image: ImageOptions{Scale: ScaleSymmetric}}
	got, _ := runPipeline(t, cfg, filepath.Join(dir, "*"))
	require.Len(t, got, 2)

	m, err := acquire(cfg)
	require.NoError(t, err)
	defer release(cfg)
	for _, g := range got {
		data, err := os.ReadFile(g.Path)
		require.NoError(t, err)
		x, err := imageTensor(data, m.inputs[0], cfg.Image)
		require.NoError(t, err)
		want, err := m.sess.Run(context.Background(), map[string]*tensor.Tensor{m.inputs[0].Name: x}, []string{m.outputs[0].Name})
		require.NoError(t, err)
		wantVals, err := tensor.Float64s(want[0])
		require.NoError(t, err)
		vals := floats(t, g.Outputs[0].Values)
		assert.Equal(t, wantVals, vals, g.Path)
		sum := 0.0
		for _, v := range vals {
			sum += v
		}
		assert.InDelta(t, 1, sum, 1e-5, "softmax of %s sums to one", g.Path)
	}
}

// TestPredictErrorsNameTheFile: a bad input fails the pipeline with an
// error naming the file.
func TestPredictErrorsNameTheFile(t *testing.T) {
	enginetest.Require(t)
	model := testutil.SharedModel(t, "frozen/tf2onnx/fc-layers/frozen.pb")
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.npy")
	require.NoError(t, os.WriteFile(bad, []byte("not an array"), 0o644))
	p, s := beam.NewPipelineWithRoot()
	Predict(s, Config{Model: model}, fileio.ReadMatches(s, fileio.MatchFiles(s, bad)))
	err := ptest.Run(p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.npy")
}

// TestSessionCache: concurrent DoFn instances share one load; the
// session closes after the last release; a failed load is not cached.
func TestSessionCache(t *testing.T) {
	enginetest.Require(t)
	cfg := Config{Model: testutil.SharedModel(t, "frozen/tf2onnx/fc-layers/frozen.pb"), Backend: "CPU"}
	before := loads.Load()
	var wg sync.WaitGroup
	models := make([]*model, 8)
	for i := range models {
		wg.Go(func() {
			m, err := acquire(cfg)
			assert.NoError(t, err)
			models[i] = m
		})
	}
	wg.Wait()
	assert.Equal(t, int64(1), loads.Load()-before)
	for _, m := range models {
		assert.Same(t, models[0], m)
	}
	for range models[1:] {
		require.NoError(t, release(cfg))
	}
	_, err := models[0].sess.Run(context.Background(), map[string]*tensor.Tensor{"X:0": tensor.MustNew(tensor.Float32, tensor.Shape{1, 784})}, []string{"output:0"})
	require.NoError(t, err, "the session is open while one DoFn holds it")
	require.NoError(t, release(cfg))
	_, err = models[0].sess.Run(context.Background(), map[string]*tensor.Tensor{"X:0": tensor.MustNew(tensor.Float32, tensor.Shape{1, 784})}, []string{"output:0"})
	assert.ErrorIs(t, err, bridge.ErrClosed, "the last release closes the session")

	missing := Config{Model: filepath.Join(t.TempDir(), "none.pb")}
	before = loads.Load()
	for range 2 {
		_, err := acquire(missing)
		assert.Error(t, err)
	}
	assert.Equal(t, int64(2), loads.Load()-before, "a failed load is retried")
	sessions.mu.Lock()
	assert.NotContains(t, sessions.m, sessionKey(missing))
	sessions.mu.Unlock()
}

func pngOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.png")
	f, err := os.Create(p)
	require.NoError(t, err)
	require.NoError(t, png.Encode(f, img))
	require.NoError(t, f.Close())
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	return data
}

func TestImageTensor(t *testing.T) {
	const gray = 255 * (0.2989 + 0.587 + 0.114)
	// A 4×2 image: left half black, right half white.
	img := image.NewRGBA(image.Rect(0, 0, 4, 2))
	for y := range 2 {
		for x := range 4 {
			v := uint8(0)
			if x >= 2 {
				v = 255
			}
			img.Set(x, y, color.RGBA{v, v, v, 255})
		}
	}
	data := pngOf(t, img)
	for _, tc := range []struct {
		name string
		in   []int64
		dt   tensor.DType
		opts ImageOptions
		want []float64 // one row of the first channel
	}{
		{"same size, unit", []int64{-1, 2, 4, 3}, tensor.Float32, ImageOptions{}, []float64{0, 0, 1, 1}},
		{"same size, symmetric", []int64{-1, 2, 4, 3}, tensor.Float32, ImageOptions{Scale: ScaleSymmetric}, []float64{-1, -1, 1, 1}},
		{"same size, uint8", []int64{-1, 2, 4, 3}, tensor.Uint8, ImageOptions{}, []float64{0, 0, 255, 255}},
		// Half-pixel centres: output x samples input (x+0.5)·2-0.5 = 0.5, 2.5.
		{"halved", []int64{-1, 1, 2, 3}, tensor.Float32, ImageOptions{Scale: ScaleRaw}, []float64{0, 255}},
		// Doubled width 4→8: samples at -0.25 (clamped), 0.25, 0.75, 1.25
		// (a quarter of the way from 0 to white), 1.75, …, 3.25. One
		// channel: white is tf.image.rgb_to_grayscale's 255·(0.2989 +
		// 0.587 + 0.114).
		{"doubled, option size, gray", []int64{-1, -1, -1, 1}, tensor.Float32, ImageOptions{Width: 8, Height: 2, Scale: ScaleRaw},
			[]float64{0, 0, 0, gray / 4, gray * 3 / 4, gray, gray, gray}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := inputInfo(tc.in, tc.dt)
			x, err := imageTensor(data, in, tc.opts)
			require.NoError(t, err)
			h, w, c := x.Shape()[1], x.Shape()[2], x.Shape()[3]
			assert.Equal(t, tc.dt, x.DType())
			vals, err := tensor.Float64s(x)
			require.NoError(t, err)
			row := make([]float64, w)
			for i := range w {
				row[i] = vals[i*c]
			}
			assert.InDeltaSlice(t, tc.want, row, 1e-3)
			assert.Equal(t, vals[:w*c], vals[(h-1)*w*c:], "rows are alike")
		})
	}
}

func TestImageTensorErrors(t *testing.T) {
	data := pngOf(t, image.NewGray(image.Rect(0, 0, 3, 3)))
	for _, tc := range []struct {
		name string
		in   graph.TensorInfo
		opts ImageOptions
		data []byte
	}{
		{"not an image", inputInfo([]int64{-1, 2, 2, 3}, tensor.Float32), ImageOptions{}, []byte("GIF89a?")},
		{"rank 2 input", inputInfo([]int64{-1, 4}, tensor.Float32), ImageOptions{}, data},
		{"no size", inputInfo([]int64{-1, -1, -1, 3}, tensor.Float32), ImageOptions{}, data},
		{"4 channels", inputInfo([]int64{-1, 2, 2, 4}, tensor.Float32), ImageOptions{}, data},
		{"scaled ints", inputInfo([]int64{-1, 2, 2, 3}, tensor.Uint8), ImageOptions{Scale: ScaleUnit}, data},
		{"unknown scale", inputInfo([]int64{-1, 2, 2, 3}, tensor.Float32), ImageOptions{Scale: "zscore"}, data},
		{"int64 input", inputInfo([]int64{-1, 2, 2, 3}, tensor.Int64), ImageOptions{}, data},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := imageTensor(tc.data, tc.in, tc.opts)
			assert.Error(t, err)
		})
	}
}

func inputInfo(shape []int64, dt tensor.DType) graph.TensorInfo {
	return graph.TensorInfo{Name: "x:0", Key: "x", DType: dt, Shape: shape, RankKnown: true}
}

func TestExampleFeeds(t *testing.T) {
	ex := &tfpb.Example{Features: &tfpb.Features{Feature: map[string]*tfpb.Feature{
		"f": {Kind: &tfpb.Feature_FloatList{FloatList: &tfpb.FloatList{Value: []float32{1, 2, 3, 4, 5, 6}}}},
		"i": {Kind: &tfpb.Feature_Int64List{Int64List: &tfpb.Int64List{Value: []int64{7, 1 << 40}}}},
		"s": {Kind: &tfpb.Feature_BytesList{BytesList: &tfpb.BytesList{Value: [][]byte{[]byte("a"), []byte("b")}}}},
	}}}
	rec, err := proto.Marshal(ex)
	require.NoError(t, err)
	info := func(key string, dt tensor.DType, shape ...int64) graph.TensorInfo {
		return graph.TensorInfo{Key: key, Name: key + "_in:0", DType: dt, Shape: shape, RankKnown: true}
	}
	for _, tc := range []struct {
		name    string
		in      graph.TensorInfo
		shape   tensor.Shape
		data    any
		wantErr bool
	}{
		{"float, known shape", info("f", tensor.Float32, -1, 2, 3), tensor.Shape{1, 2, 3}, []float32{1, 2, 3, 4, 5, 6}, false},
		{"float, inferred dim", info("f", tensor.Float64, -1, -1, 2), tensor.Shape{1, 3, 2}, []float64{1, 2, 3, 4, 5, 6}, false},
		{"int64 kept exact", info("i", tensor.Int64, -1, 2), tensor.Shape{1, 2}, []int64{7, 1 << 40}, false},
		{"int64 to float", info("i", tensor.Float32, -1, 2), tensor.Shape{1, 2}, []float32{7, 1 << 40}, false},
		{"bytes", info("s", tensor.String, -1, 2), tensor.Shape{1, 2}, []string{"a", "b"}, false},
		{"unknown rank", graph.TensorInfo{Key: "f", Name: "f:0", DType: tensor.Float32}, tensor.Shape{6}, []float32{1, 2, 3, 4, 5, 6}, false},
		{"wrong count", info("f", tensor.Float32, -1, 4), nil, nil, true},
		{"float into int", info("f", tensor.Int32, -1, 6), nil, nil, true},
		{"bytes into float", info("s", tensor.Float32, -1, 2), nil, nil, true},
		{"missing feature", info("g", tensor.Float32, -1), nil, nil, true},
		{"two unknown dims", info("f", tensor.Float32, -1, -1, -1), nil, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			feeds, err := exampleFeeds([]graph.TensorInfo{tc.in}, "", rec)
			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			got := feeds[tc.in.Name]
			require.NotNil(t, got)
			assert.Equal(t, tc.shape, got.Shape())
			assert.Equal(t, tc.data, got.Data())
		})
	}

	t.Run("string input takes the record", func(t *testing.T) {
		in := graph.TensorInfo{Key: "inputs", Name: "tf_example:0", DType: tensor.String}
		feeds, err := exampleFeeds([]graph.TensorInfo{in}, "", rec)
		require.NoError(t, err)
		assert.Equal(t, []string{string(rec)}, feeds["tf_example:0"].Data())
		assert.Equal(t, tensor.Shape{1}, feeds["tf_example:0"].Shape())
	})
	t.Run("a rank-2 string input does not take the record", func(t *testing.T) {
		in := graph.TensorInfo{Key: "inputs", Name: "tf_example:0", DType: tensor.String, Shape: []int64{-1, 2}, RankKnown: true}
		_, err := exampleFeeds([]graph.TensorInfo{in}, "", rec)
		assert.ErrorContains(t, err, `no feature "inputs"`)
	})
	t.Run("not an Example", func(t *testing.T) {
		_, err := exampleFeeds([]graph.TensorInfo{info("f", tensor.Float32, -1)}, "", []byte{0xff, 0xff})
		assert.Error(t, err)
	})
}

func TestFormatOf(t *testing.T) {
	for _, tc := range []struct{ path, given, want string }{
		{"a/b.npy", "", FormatNPY},
		{"gs://b/x.TFRecord", "", FormatTFRecord},
		{"x.tfrecords.gz", "", FormatTFRecord},
		{"x.JPG", "", FormatImage},
		{"x.bin", FormatTFRecord, FormatTFRecord},
	} {
		got, err := formatOf(tc.path, tc.given)
		require.NoError(t, err, tc.path)
		assert.Equal(t, tc.want, got, tc.path)
	}
	for _, tc := range []struct{ path, given string }{{"x.bin", ""}, {"x.npy", "csv"}} {
		_, err := formatOf(tc.path, tc.given)
		assert.ErrorIs(t, err, ErrFormat, tc.path)
	}
}

func TestJSONValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    *tensor.Tensor
		want string
	}{
		{"floats", tensor.MustFromSlice(tensor.Shape{4}, []float32{1.5, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}), `[1.5,"NaN","Infinity","-Infinity"]`},
		{"uint8 as numbers", tensor.MustFromSlice(tensor.Shape{2}, []uint8{0, 255}), `[0,255]`},
		{"int64 exact", tensor.MustFromSlice(tensor.Shape{1}, []int64{1<<62 + 1}), `[4611686018427387905]`},
		{"strings", tensor.MustFromSlice(tensor.Shape{2}, []string{"é", "\xff"}), `["é",{"b64":"/w=="}]`},
		{"bools", tensor.MustFromSlice(tensor.Shape{2}, []bool{true, false}), `[true,false]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := jsonValues(tc.t)
			require.NoError(t, err)
			got, err := json.Marshal(v)
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(got))
		})
	}
}

func TestOutputFolder(t *testing.T) {
	assert.Equal(t, "img", OutputFolder(Prediction{Path: "/d/img.jpeg", Record: -1}))
	assert.Equal(t, "data-00012", OutputFolder(Prediction{Path: "gs://b/data.tfrecord.gz", Record: 12}))
}
