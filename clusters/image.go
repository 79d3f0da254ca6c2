package clusters

import (
	"math"
	"slices"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// Image resizing.
func init() {
	// The output size is static: it fixes the output shape, and ONNX
	// Resize wants every dimension of it.
	register(Entry{DTypes: resizeTypes, Check: resizeCheck,
		Translate: func(c *Ctx) error { return c.resizeBilinear() }}, "ResizeBilinear")
	register(Entry{DTypes: resizeTypes, Check: resizeCheck,
		Translate: func(c *Ctx) error { return c.resizeNearest() }}, "ResizeNearestNeighbor")
}

// resizeTypes are the input types of TensorFlow's ResizeBilinear (whose
// output is float) and ResizeNearestNeighbor.
var resizeTypes = append(slices.Clone(floatTypes), tensor.Int8, tensor.Int16, tensor.Int32, tensor.Int64, tensor.Uint8, tensor.Uint16)

func resizeCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	align, err := a.Bool("align_corners", false)
	if err != nil {
		return err
	}
	half, err := a.Bool("half_pixel_centers", false)
	if err != nil {
		return err
	}
	if align && half {
		return untranslatable("align_corners with half_pixel_centers")
	}
	return nil
}

// resizeShape returns the input and output sizes of a 4-D NHWC resize,
// whose size input must be static.
func (c *Ctx) resizeShape() (in, out []int, err error) {
	if _, err := c.StaticInts(1); err != nil {
		return nil, nil, err
	}
	in, out = c.In(0).Shape, c.Out(0).Shape
	if len(in) != 4 || len(out) != 4 || slices.Contains(in, -1) || slices.Contains(out, -1) {
		return nil, nil, c.Fail("resize of shape %v to %v", in, out)
	}
	return in, out, nil
}

// resizeBilinear converts the image to float (TensorFlow interpolates in
// float) and resizes it with ONNX's linear mode. TensorFlow's coordinate
// rules are ONNX's align_corners, half_pixel and asymmetric modes; both
// clamp the source coordinate to the image. It works on NHWC or NCHW
// values as stored; ONNX Runtime implements both.
func (c *Ctx) resizeBilinear() error {
	in, out, err := c.resizeShape()
	if err != nil {
		return err
	}
	v, err := c.Raw(0)
	if err != nil {
		return err
	}
	perm := v.Perm
	x := v.Name
	if perm != nil && !slices.Equal(perm, NCHW) {
		perm = nil
		if x, err = c.Input(0); err != nil {
			return err
		}
	}
	if x, err = c.cast(x, c.In(0).DType, tensor.Float32); err != nil {
		return err
	}
	if !slices.Equal(in[1:3], out[1:3]) {
		// TensorFlow copies same-size images; interpolation would turn
		// infinities into NaN.
		mode := "asymmetric"
		if align, _ := c.Attrs.Bool("align_corners", false); align {
			mode = "align_corners"
		} else if half, _ := c.Attrs.Bool("half_pixel_centers", false); half {
			mode = "half_pixel"
		}
		stored := make([]int, 4)
		for j := range stored {
			stored[j] = out[j]
			if perm != nil {
				stored[j] = out[perm[j]]
			}
		}
		sizes, err := c.Int64s(stored...)
		if err != nil {
			return err
		}
		if x, err = c.Op("Resize", []string{x, "", "", sizes}, map[string]any{
			"mode": "linear", "coordinate_transformation_mode": mode, "antialias": 0, "exclude_outside": 0,
		}); err != nil {
			return err
		}
	}
	c.SetOutputValue(0, Value{Name: x, Perm: perm})
	return nil
}

// resizeNearest gathers the rows and columns TensorFlow's nearest-neighbour
// rules pick, computed here exactly as TensorFlow computes them (in
// float32): bit-exact where ONNX Resize's nearest modes could round a
// coordinate that lands on an integer differently. Gather works in any
// layout and on every type.
func (c *Ctx) resizeNearest() error {
	in, out, err := c.resizeShape()
	if err != nil {
		return err
	}
	align, err := c.Attrs.Bool("align_corners", false)
	if err != nil {
		return err
	}
	half, err := c.Attrs.Bool("half_pixel_centers", false)
	if err != nil {
		return err
	}
	v, err := c.Raw(0)
	if err != nil {
		return err
	}
	x := v.Name
	for _, axis := range []int{1, 2} {
		idx := nearestIndices(in[axis], out[axis], align, half)
		if len(idx) == in[axis] && isIdentity(idx) {
			continue
		}
		ind, err := c.Int64s(idx...)
		if err != nil {
			return err
		}
		if x, err = c.Op("Gather", []string{x, ind}, map[string]any{"axis": axisIn(axis, 4, v.Perm)}); err != nil {
			return err
		}
	}
	c.SetOutputValue(0, Value{Name: x, Perm: v.Perm})
	return nil
}

// nearestIndices returns the source index of each of outSize positions,
// as TensorFlow's ResizeNearestNeighbor computes it (scale and coordinate
// in float32, each product rounded).
func nearestIndices(inSize, outSize int, align, half bool) []int {
	scale := float32(inSize) / float32(outSize)
	if align && inSize > 1 && outSize > 1 {
		scale = float32(inSize-1) / float32(outSize-1)
	}
	idx := make([]int, outSize)
	for i := range idx {
		var src float32
		if half {
			src = float32((float32(i) + 0.5) * scale)
		} else {
			src = float32(float32(i) * scale)
		}
		var k int
		if align {
			k = int(math.Round(float64(src)))
		} else {
			k = int(math.Floor(float64(src)))
		}
		k = min(k, inSize-1)
		if half {
			k = max(k, 0)
		}
		idx[i] = k
	}
	return idx
}
