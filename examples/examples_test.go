// Package examples_test builds and runs the example programs, each an
// ordinary main package in its own module whose go.mod replaces the
// TensorFlow Go modules with tfoffload's drop-in shims, and checks their
// output against the same models run through package bridge.
package examples_test

import (
	"context"
	"fmt"
	"image"
	_ "image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/testutil/compattest"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

func TestMain(m *testing.M) { compattest.Main(m) }

// buildAndRun builds the example in dir with the go command and runs it
// with args, returning its standard output.
func buildAndRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	testutil.RequireOrSkip(t, "the go command", err)
	bin := filepath.Join(t.TempDir(), filepath.Base(dir))
	build := exec.Command(gobin, "build", "-o", bin, ".")
	build.Dir = dir
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build in %s:\n%s", dir, out)
	run := exec.Command(bin, args...)
	run.Dir = dir
	run.Env = compattest.SubprocessEnv()
	var stderr strings.Builder
	run.Stderr = &stderr
	stdout, err := run.Output()
	require.NoError(t, err, "%s: %s", dir, stderr.String())
	return string(stdout)
}

// TestShimModulesBuild builds and vets every package of the drop-in
// modules, the proto alias packages included, which no example imports.
func TestShimModulesBuild(t *testing.T) {
	gobin, err := exec.LookPath("go")
	testutil.RequireOrSkip(t, "the go command", err)
	for _, mod := range []string{"tensorflow", "galeone-tensorflow", "graft", "tfgo"} {
		t.Run(mod, func(t *testing.T) {
			for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
				cmd := exec.Command(gobin, args...)
				cmd.Dir = filepath.Join("..", "compat", "shims", mod)
				out, err := cmd.CombinedOutput()
				require.NoError(t, err, "go %s in compat/shims/%s:\n%s", args[0], mod, out)
			}
		})
	}
}

// TestTFLabelImage runs the bindings' classic example on the frozen
// poets MobileNet and checks each printed label and probability against
// the same preprocessing graph and model run through bridge.
func TestTFLabelImage(t *testing.T) {
	pb := testutil.SharedModel(t, "frozen/poets_mobilenet_v1/mobilenet_v1_poets.pb")
	photos, err := filepath.Glob(filepath.Join(testutil.SharedModels(t), "images", "*.jp*g"))
	require.NoError(t, err)
	got := buildAndRun(t, "tf-label-image", append([]string{"-graph", pb}, photos...)...)
	lines := strings.Split(strings.TrimSpace(got), "\n")
	require.Len(t, lines, len(photos))
	labels, err := os.ReadFile(filepath.Join(filepath.Dir(pb), "output_labels.txt"))
	require.NoError(t, err)
	names := strings.Split(strings.TrimSpace(string(labels)), "\n")

	model, err := bridge.LoadSession(pb)
	require.NoError(t, err)
	defer model.Close()
	for i, photo := range photos {
		pre, err := bridge.NewSession(&graph.Model{Path: "preprocess", Format: graph.FormatFrozen, Graph: preprocess(photo)}, bridge.WithAnyFileAccess())
		require.NoError(t, err)
		x, err := pre.Run(context.Background(), nil, []string{"Div:0"})
		require.NoError(t, err)
		require.NoError(t, pre.Close())
		probs, err := model.Run(context.Background(), map[string]*tensor.Tensor{"input_image:0": x[0]}, []string{"MobilenetV1/Predictions/Softmax:0"})
		require.NoError(t, err)
		p := tensor.Values[float32](probs[0])
		best := 0
		for j := range p {
			if p[j] > p[best] {
				best = j
			}
		}
		assert.Equal(t, fmt.Sprintf("%s\t%s\t%.6f", photo, names[best], p[best]), lines[i])
	}
}

// preprocess is the example's op graph, written as a GraphDef.
func preprocess(path string) *tfpb.GraphDef {
	var b graph.Builder
	b.Const("filename", tensor.Scalar(path))
	b.Add("ReadFile", "ReadFile", []string{"filename"}, nil)
	b.Add("DecodeJpeg", "DecodeJpeg", []string{"ReadFile"}, map[string]any{"channels": 3})
	b.Add("Cast", "Cast", []string{"DecodeJpeg"}, map[string]any{"SrcT": tensor.Uint8, "DstT": tensor.Float32})
	b.Const("make_batch", tensor.Scalar(int32(0)))
	b.Add("ExpandDims", "ExpandDims", []string{"Cast", "make_batch"}, map[string]any{"T": tensor.Float32, "Tdim": tensor.Int32})
	b.Const("size", tensor.MustFromSlice(tensor.Shape{2}, []int32{224, 224}))
	b.Add("ResizeBilinear", "ResizeBilinear", []string{"ExpandDims", "size"}, map[string]any{"T": tensor.Float32})
	b.Const("mean", tensor.Scalar(float32(0)))
	b.Add("Sub", "Sub", []string{"ResizeBilinear", "mean"}, map[string]any{"T": tensor.Float32})
	b.Const("scale", tensor.Scalar(float32(1)))
	b.Add("Div", "Div", []string{"Sub", "scale"}, map[string]any{"T": tensor.Float32})
	return b.Graph()
}

func TestTfgoKeras(t *testing.T) {
	model := testutil.SharedModel(t, "savedmodel/tfrust/keras_single_input_saved_model")
	got := buildAndRun(t, "tfgo-keras", model)

	s, err := bridge.LoadSession(model)
	require.NoError(t, err)
	defer s.Close()
	x := tensor.MustFromSlice(tensor.Shape{2, 5}, []float32{1, 2, 3, 4, 5, -1, 0.5, 0, 2, -3})
	want, err := s.Run(context.Background(), map[string]*tensor.Tensor{"serving_default_test_in_input:0": x}, []string{"StatefulPartitionedCall:0"})
	require.NoError(t, err)
	v := tensor.Values[float32](want[0])
	assert.Equal(t, fmt.Sprintln([][]float32{{v[0]}, {v[1]}}), got, "tfgo's program prints what bridge computes")
}

func TestGraftTagger(t *testing.T) {
	model := testutil.SharedModel(t, "savedmodel/freeze/mlnet_cifar_tf1")
	photos, err := filepath.Glob(filepath.Join(testutil.SharedModels(t), "images", "*.jp*g"))
	require.NoError(t, err)
	require.NotEmpty(t, photos)
	got := buildAndRun(t, "graft-tagger", append([]string{"-model", model}, photos...)...)
	lines := strings.Split(strings.TrimSpace(got), "\n")
	require.Len(t, lines, len(photos))

	s, err := bridge.LoadSession(model)
	require.NoError(t, err)
	defer s.Close()
	for i, photo := range photos {
		x := cifarPixels(t, photo)
		logits, err := s.Run(context.Background(), map[string]*tensor.Tensor{"Input:0": x}, []string{"add_1:0"})
		require.NoError(t, err)
		class, p := softmaxTop(tensor.Values[float32](logits[0]))
		var gotClass, labels int
		var gotP float64
		_, err = fmt.Sscanf(strings.SplitN(lines[i], "\t", 2)[1], "class %d of %d\tp=%f", &gotClass, &labels, &gotP)
		require.NoError(t, err, lines[i])
		assert.Equal(t, class, gotClass, photo)
		assert.Equal(t, 10, labels)
		assert.InDelta(t, p, gotP, 2e-6, photo)
	}
}

// cifarPixels is the tagger's preprocessing: nearest samples on a 32×32
// grid, RGB in [0, 1].
func cifarPixels(t *testing.T, path string) *tensor.Tensor {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, _, err := image.Decode(f)
	require.NoError(t, err)
	b := img.Bounds()
	px := make([]float32, 0, 32*32*3)
	for y := range 32 {
		for x := range 32 {
			r, g, bl, _ := img.At(b.Min.X+x*b.Dx()/32, b.Min.Y+y*b.Dy()/32).RGBA()
			px = append(px, float32(r>>8)/255, float32(g>>8)/255, float32(bl>>8)/255)
		}
	}
	return tensor.MustFromSlice(tensor.Shape{1, 32, 32, 3}, px)
}

func softmaxTop(logits []float32) (int, float64) {
	best, sum := 0, 0.0
	for i, l := range logits {
		if l > logits[best] {
			best = i
		}
		sum += math.Exp(float64(l))
	}
	return best, math.Exp(float64(logits[best])) / sum
}
