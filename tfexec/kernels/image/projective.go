package image

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// projectiveTypes are ImageProjectiveTransformV3's image dtypes.
func projectiveTypes() []tensor.DType {
	return []tensor.DType{tensor.Uint8, tensor.Int32, tensor.Int64, tensor.Float16, tensor.BFloat16, tensor.Float32, tensor.Float64}
}

// projective holds ImageProjectiveTransformV2/V3's attributes.
type projective struct {
	bilinear bool
	mode     string // CONSTANT, REFLECT, WRAP or NEAREST
	hasFill  bool   // V3 has the fill_value input; V2 fills with 0
}

// newProjective prepares ImageProjectiveTransformV2 (withFill false) or
// V3 as image_ops.cc and image_ops.h's ProjectiveGenerator: output pixel
// (x, y) of image b reads the input at ((a0 x + a1 y + a2)/k, (b0 x + b1
// y + b2)/k), k = c0 x + c1 y + 1, transform b (or the only one) being
// [a0 a1 a2 b0 b1 b2 c0 c1]; coordinates outside the image are mapped by
// fill_mode, and what stays outside reads fill_value. Arithmetic is in
// float32, as TensorFlow's.
func newProjective(withFill bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		if err := kernel.CheckTypeAttr(n, "dtype", projectiveTypes()); err != nil {
			return nil, err
		}
		interp, err := n.Attrs.String("interpolation", "")
		if err != nil {
			return nil, n.AttrError("interpolation", err)
		}
		p := projective{hasFill: withFill}
		switch interp {
		case "NEAREST":
		case "BILINEAR":
			p.bilinear = true
		default:
			return nil, n.AttrError("interpolation", fmt.Errorf("%w: Invalid interpolation %s", kernel.ErrInvalidArgument, interp))
		}
		if p.mode, err = n.Attrs.String("fill_mode", "CONSTANT"); err != nil {
			return nil, n.AttrError("fill_mode", err)
		}
		switch p.mode {
		case "CONSTANT", "REFLECT", "WRAP", "NEAREST":
		default:
			return nil, n.AttrError("fill_mode", fmt.Errorf("%w: Invalid fill_mode %s", kernel.ErrInvalidArgument, p.mode))
		}
		want := 3
		if withFill {
			want = 4
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, want); err != nil {
				return nil, err
			}
			out, err := p.run(in)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

func (p projective) run(in []*tensor.Tensor) (*tensor.Tensor, error) {
	images, transforms, shapeT := in[0], in[1], in[2]
	if images.Rank() != 4 {
		return nil, kernel.Invalid("Input images must have rank 4, got shape %v", images.Shape())
	}
	batch := images.Shape()[0]
	ts := transforms.Shape()
	if transforms.DType() != tensor.Float32 || len(ts) != 2 || ts[1] != 8 || (ts[0] != 1 && ts[0] != batch) {
		return nil, kernel.Invalid("Input transform should be num_images x 8 or 1 x 8 float32, got %v%v", transforms.DType(), ts)
	}
	size, err := kernel.Ints(shapeT)
	if err != nil || shapeT.Rank() != 1 || len(size) != 2 {
		return nil, kernel.Invalid("output shape must be 1-dimensional with 2 elements, got shape %v", shapeT.Shape())
	}
	if size[0] <= 0 || size[1] <= 0 {
		return nil, kernel.Invalid("output dimensions must be positive, got %v", size)
	}
	fill := float32(0)
	if p.hasFill {
		f, err := kernel.Float32s(in[3])
		if err != nil || len(f) != 1 || in[3].Rank() != 0 {
			return nil, kernel.Invalid("fill_value must be a float32 scalar, got %v%v", in[3].DType(), in[3].Shape())
		}
		fill = f[0]
	}
	shape := tensor.Shape{batch, size[0], size[1], images.Shape()[3]}
	if err := tensor.CheckAlloc(images.DType(), shape); err != nil {
		return nil, err
	}
	g := grid{in: images.Shape(), out: shape, transforms: transforms.Data().([]float32), p: p}
	switch v := images.Data().(type) {
	case []uint8:
		return tensor.FromSlice(shape, project(g, v, truncate[uint8], truncate[uint8](fill)))
	case []int32:
		return tensor.FromSlice(shape, project(g, v, truncate[int32], truncate[int32](fill)))
	case []int64:
		return tensor.FromSlice(shape, project(g, v, truncate[int64], truncate[int64](fill)))
	case []float64:
		return tensor.FromSlice(shape, project(g, v, func(x float32) float64 { return float64(x) }, float64(fill)))
	}
	// float32, half and bfloat16: float32 staging, rounded back.
	x, err := kernel.Float32s(images)
	if err != nil {
		return nil, err
	}
	// static_cast<T>(fill_value): rounded to the image's precision.
	ft, err := kernel.FromFloat32s(images.DType(), tensor.Shape{}, []float32{fill})
	if err != nil {
		return nil, err
	}
	rounded, err := kernel.Float32s(ft)
	if err != nil {
		return nil, err
	}
	out := project(g, x, func(x float32) float32 { return x }, rounded[0])
	return kernel.FromFloat32s(images.DType(), shape, out)
}

// truncate is C++'s conversion of a float to an integer type: toward
// zero.
func truncate[T uint8 | int32 | int64](x float32) T { return T(x) }

// grid is one projective transform's geometry.
type grid struct {
	in, out    tensor.Shape
	transforms []float32
	p          projective
}

// mapCoord is image_ops.h's MapCoordinate for the fill mode.
func (g grid) mapCoord(c float32, n int) float32 {
	length := float32(n)
	switch g.p.mode {
	case "CONSTANT":
		return c
	case "REFLECT":
		if c < 0 {
			if n <= 1 {
				c = 0
			} else {
				sz2 := 2 * int64(n)
				if c < float32(sz2) {
					c = float32(sz2*int64(-c/float32(sz2))) + c
				}
				if c < -length {
					c += float32(sz2)
				} else {
					c = -c - 1
				}
			}
		} else if c > length-1 {
			if n <= 1 {
				c = 0
			} else {
				sz2 := 2 * int64(n)
				c -= float32(sz2 * int64(c/float32(sz2)))
				if c >= length {
					c = float32(sz2) - c - 1
				}
			}
		}
	case "WRAP":
		if c < 0 {
			if n <= 1 {
				c = 0
			} else {
				sz := int64(n - 1)
				c += length * float32(int64(-c/float32(sz))+1)
			}
		} else if c > length-1 {
			if n <= 1 {
				c = 0
			} else {
				sz := int64(n - 1)
				c -= length * float32(int64(c/float32(sz)))
			}
		}
	}
	return min(max(c, 0), length-1)
}

// project runs the generator over every output element; toT converts
// the float32 result of bilinear interpolation to the element type.
func project[T uint8 | int32 | int64 | float32 | float64](g grid, in []T, toT func(float32) T, fill T) []T {
	h, w, ch := g.in[1], g.in[2], g.in[3]
	oh, ow := g.out[1], g.out[2]
	out := make([]T, g.out.NumElements())
	read := func(b, y, x, c int) T {
		if 0 <= y && y < h && 0 <= x && x < w {
			return in[((b*h+y)*w+x)*ch+c]
		}
		return fill
	}
	i := 0
	for b := range g.out[0] {
		t := g.transforms
		if len(t) > 8 {
			t = t[8*b : 8*b+8]
		}
		for oy := range oh {
			for ox := range ow {
				fx, fy := float32(ox), float32(oy)
				k := t[6]*fx + t[7]*fy + 1
				if k == 0 {
					for range ch {
						out[i] = fill
						i++
					}
					continue
				}
				x := g.mapCoord((t[0]*fx+t[1]*fy+t[2])/k, w)
				y := g.mapCoord((t[3]*fx+t[4]*fy+t[5])/k, h)
				if x < 0 || x > float32(w-1) || y < 0 || y > float32(h-1) {
					for range ch {
						out[i] = fill
						i++
					}
					continue
				}
				for c := range ch {
					if !g.p.bilinear {
						out[i] = read(b, int(roundHalfAway(y)), int(roundHalfAway(x)), c)
					} else {
						y0, x0 := floor32(y), floor32(x)
						y1, x1 := y0+1, x0+1
						f := func(yy, xx float32) float32 { return toFloat(read(b, int(yy), int(xx), c)) }
						top := (x1-x)*f(y0, x0) + (x-x0)*f(y0, x1)
						bottom := (x1-x)*f(y1, x0) + (x-x0)*f(y1, x1)
						out[i] = toT((y1-y)*top + (y-y0)*bottom)
					}
					i++
				}
			}
		}
	}
	return out
}

// toFloat is static_cast<float> of a pixel.
func toFloat[T uint8 | int32 | int64 | float32 | float64](v T) float32 { return float32(v) }
