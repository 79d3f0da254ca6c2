package image

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// testdata/tfjs_transform.json holds tf.image.transform's outputs
// (ImageProjectiveTransformV3) computed by TensorFlow.js, written by
// tfjs_transform.js: every interpolation, fill mode, two output sizes.
//
// TensorFlow's kernel (image_ops.h, with the check made for TensorFlow
// issue #46637) gives fill_value wherever the source point lies outside
// the image in CONSTANT mode; TensorFlow.js follows the kernel from before,
// which still reads the nearest pixel, or blends the border pixels with
// fill_value, within a pixel of the edge. In CONSTANT mode the outputs
// are compared where the source point is inside the image, and are
// fill_value elsewhere.
func TestProjectiveAgainstTFJS(t *testing.T) {
	var ref struct {
		Shape  []int
		Pixels []float64
		Cases  []struct {
			Name, Interpolation, FillMode string
			Transforms                    []float32
			OutputShape                   []int32
			Output                        []float64
		}
	}
	kerneltest.ReadJSON(t, "testdata/tfjs_transform.json", &ref)
	require.Len(t, ref.Cases, 64)
	require.Equal(t, 1, ref.Shape[0])
	h, w, ch := ref.Shape[1], ref.Shape[2], ref.Shape[3]
	inside, outside := 0, 0
	for _, c := range ref.Cases {
		oh, ow := int(c.OutputShape[0]), int(c.OutputShape[1])
		for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
			node := graph.NewNode("n", "ImageProjectiveTransformV3", nil, map[string]any{"dtype": dt, "interpolation": c.Interpolation, "fill_mode": c.FillMode})
			got := kerneltest.Run(t, node, kerneltest.Values(dt, ref.Shape, ref.Pixels...),
				kerneltest.Tensor(tensor.Shape{1, 8}, c.Transforms...), kerneltest.Vector(c.OutputShape...), tensor.Scalar(float32(2.5)))[0]
			g := got.Data()
			for y := range oh {
				for x := range ow {
					tr := c.Transforms
					k := float64(tr[6])*float64(x) + float64(tr[7])*float64(y) + 1
					sx := (float64(tr[0])*float64(x) + float64(tr[1])*float64(y) + float64(tr[2])) / k
					sy := (float64(tr[3])*float64(x) + float64(tr[4])*float64(y) + float64(tr[5])) / k
					in := sx >= 0 && sx <= float64(w-1) && sy >= 0 && sy <= float64(h-1)
					for c2 := range ch {
						i := (y*ow+x)*ch + c2
						v := valueAt(g, i)
						switch {
						case c.FillMode != "CONSTANT" || in:
							inside++
							assert.InDelta(t, c.Output[i], v, 1e-4, "%s %s %s %v %v at (%d, %d, %d)", c.Name, c.Interpolation, c.FillMode, c.OutputShape, dt, y, x, c2)
						default:
							outside++
							assert.Equal(t, 2.5, v, "fill_value outside the image: %s %s %v at (%d, %d)", c.Name, c.Interpolation, dt, y, x)
						}
					}
				}
			}
		}
	}
	assert.Greater(t, inside, 4000)
	assert.Greater(t, outside, 200)
}

func valueAt(data any, i int) float64 {
	switch v := data.(type) {
	case []float32:
		return float64(v[i])
	case []float64:
		return v[i]
	}
	panic("not a float tensor")
}

// ImageProjectiveTransformV2 fills with zeros; integer images truncate
// the bilinear mix toward zero, as C++'s conversion does. The identity
// transform returns the image.
func TestProjectiveV2AndErrors(t *testing.T) {
	img := kerneltest.Tensor(tensor.Shape{1, 2, 2, 1}, int32(1), 2, 3, 4)
	id := kerneltest.Tensor(tensor.Shape{1, 8}, float32(1), 0, 0, 0, 1, 0, 0, 0)
	node := graph.NewNode("n", "ImageProjectiveTransformV2", nil, map[string]any{"dtype": tensor.Int32, "interpolation": "BILINEAR"})
	got := kerneltest.Run(t, node, img, id, kerneltest.Vector[int32](2, 2))[0]
	assert.Equal(t, img, got)
	half := kerneltest.Tensor(tensor.Shape{1, 8}, float32(1), 0, 0.5, 0, 1, 0, 0, 0)
	got = kerneltest.Run(t, node, img, half, kerneltest.Vector[int32](2, 2))[0]
	// x+0.5: (1+2)/2 = 1.5 → 1; beyond the right edge the fill is 0: 2/2 = 1.
	assert.Equal(t, kerneltest.Tensor(tensor.Shape{1, 2, 2, 1}, int32(1), 0, 3, 0), got)

	for _, c := range []struct {
		name  string
		attrs map[string]any
		in    []*tensor.Tensor
	}{
		{"bad interpolation", map[string]any{"dtype": tensor.Int32, "interpolation": "CUBIC"}, []*tensor.Tensor{img, id, kerneltest.Vector[int32](2, 2)}},
		{"bad fill mode", map[string]any{"dtype": tensor.Int32, "interpolation": "NEAREST", "fill_mode": "MIRROR"}, []*tensor.Tensor{img, id, kerneltest.Vector[int32](2, 2)}},
		{"transform of 6", map[string]any{"dtype": tensor.Int32, "interpolation": "NEAREST"}, []*tensor.Tensor{img, kerneltest.Tensor(tensor.Shape{1, 6}, float32(1), 0, 0, 0, 1, 0), kerneltest.Vector[int32](2, 2)}},
		{"zero output", map[string]any{"dtype": tensor.Int32, "interpolation": "NEAREST"}, []*tensor.Tensor{img, id, kerneltest.Vector[int32](0, 2)}},
	} {
		_, err := kerneltest.Call(graph.NewNode("n", "ImageProjectiveTransformV2", nil, c.attrs), c.in...)
		assert.ErrorIs(t, err, kernel.ErrInvalidArgument, c.name)
	}
}
