package image

import (
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func newCropAndResize(n *kernel.Node) (kernel.Kernel, error) {
	method, err := n.Attrs.String("method", "bilinear")
	if err != nil {
		return nil, err
	}
	if method != "bilinear" && method != "nearest" {
		return nil, fmt.Errorf("attribute %q: method must be 'bilinear' or 'nearest', got %q", "method", method)
	}
	extrap, err := n.Attrs.Float("extrapolation_value", 0)
	if err != nil {
		return nil, err
	}
	cr := cropResize{nearest: method == "nearest", extrapolation: extrap}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 4); err != nil {
			return nil, err
		}
		out, err := cr.run(in[0], in[1], in[2], in[3])
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

type cropResize struct {
	nearest       bool
	extrapolation float32
}

// cropGeom is the geometry of one CropAndResize call.
type cropGeom struct {
	batch, ih, iw, depth, ch, cw int
}

func (cr cropResize) run(image, boxes, boxIndex, cropSize *tensor.Tensor) (*tensor.Tensor, error) {
	is := image.Shape()
	if len(is) != 4 {
		return nil, kernel.Invalid("input image must be 4-D%v", is)
	}
	g := cropGeom{batch: is[0], ih: is[1], iw: is[2], depth: is[3]}
	if g.ih <= 0 || g.iw <= 0 {
		return nil, kernel.Invalid("image dimensions must be positive")
	}
	if boxes.Rank() != 2 {
		return nil, kernel.Invalid("boxes must be 2-D, got: %v", boxes.Shape())
	}
	if boxIndex.Rank() != 1 {
		return nil, kernel.Invalid("box_indices must be rank 1 but is shape %v", boxIndex.Shape())
	}
	numBoxes := 0
	if boxes.NumElements() != 0 || boxIndex.NumElements() != 0 {
		numBoxes = boxes.Shape()[0]
		if boxes.Shape()[1] != 4 {
			return nil, kernel.Invalid("boxes must have 4 columns")
		}
		if boxIndex.Shape()[0] != numBoxes {
			return nil, kernel.Invalid("box_index has incompatible shape")
		}
	}
	if cropSize.Rank() != 1 {
		return nil, kernel.Invalid("crop_size must be 1-D%v", cropSize.Shape())
	}
	if cropSize.NumElements() != 2 {
		return nil, kernel.Invalid("crop_size must have two elements%v", cropSize.Shape())
	}
	hw, err := kernel.Ints(cropSize)
	if err != nil {
		return nil, fmt.Errorf("crop_size: %w", err)
	}
	g.ch, g.cw = hw[0], hw[1]
	if g.ch <= 0 || g.cw <= 0 {
		return nil, kernel.Invalid("crop dimensions must be positive")
	}
	out, err := tensor.New(tensor.Float32, tensor.Shape{numBoxes, g.ch, g.cw, g.depth})
	if err != nil {
		return nil, err
	}
	if numBoxes == 0 {
		return out, nil
	}
	bi, err := kernel.Ints(boxIndex)
	if err != nil {
		return nil, fmt.Errorf("box_index: %w", err)
	}
	for _, b := range bi {
		if b < 0 || b >= g.batch {
			return nil, kernel.Invalid("box_index has values outside [0, batch_size)")
		}
	}
	bx, ok := boxes.Data().([]float32)
	if !ok {
		return nil, kernel.Unsupported("boxes dtype %v (want float32)", boxes.DType())
	}
	for _, v := range bx {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, kernel.Invalid("Boxes contains at least one element that is not finite")
		}
	}
	dst := tensor.Values[float32](out)
	switch v := image.Data().(type) {
	case []float32:
		cropBoxes(cr, v, bx, bi, dst, g)
	case []float64:
		cropBoxes(cr, v, bx, bi, dst, g)
	case []int8:
		cropBoxes(cr, v, bx, bi, dst, g)
	case []int16:
		cropBoxes(cr, v, bx, bi, dst, g)
	case []int32:
		cropBoxes(cr, v, bx, bi, dst, g)
	case []int64:
		cropBoxes(cr, v, bx, bi, dst, g)
	case []uint8:
		cropBoxes(cr, v, bx, bi, dst, g)
	case []uint16:
		cropBoxes(cr, v, bx, bi, dst, g)
	case []uint32:
		cropBoxes(cr, v, bx, bi, dst, g)
	case []uint64:
		cropBoxes(cr, v, bx, bi, dst, g)
	case []tensor.F16, []tensor.BF16:
		f, err := kernel.Float32s(image)
		if err != nil {
			return nil, err
		}
		cropBoxes(cr, f, bx, bi, dst, g)
	default:
		return nil, kernel.Unsupported("image dtype %v", image.DType())
	}
	return out, nil
}

// cropCoord maps crop coordinate k to image space along one axis, with
// TensorFlow's float arithmetic: a single-sample crop takes the box centre
// (computed in double, as the C++ 0.5 literal makes it).
func cropCoord(k, cropSize, imgSize int, lo, hi, scale float32) float32 {
	if cropSize > 1 {
		return float32(lo*float32(imgSize-1)) + float32(float32(k)*scale)
	}
	return float32(0.5 * float64(lo+hi) * float64(imgSize-1))
}

// cropBoxes fills one [ch, cw, depth] crop per box, sampling bilinearly or
// at the nearest pixel, with the extrapolation value outside the image.
func cropBoxes[T tensor.Number](cr cropResize, img []T, boxes []float32, boxIndex []int, dst []float32, g cropGeom) {
	d := g.depth
	rowLen := g.iw * d
	boxLen := g.ch * g.cw * d
	kernel.ParallelFor(len(boxIndex), boxLen*8, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			y1, x1, y2, x2 := boxes[b*4], boxes[b*4+1], boxes[b*4+2], boxes[b*4+3]
			base := boxIndex[b] * g.ih * rowLen
			var hScale, wScale float32
			if g.ch > 1 {
				hScale = float32((y2-y1)*float32(g.ih-1)) / float32(g.ch-1)
			}
			if g.cw > 1 {
				wScale = float32((x2-x1)*float32(g.iw-1)) / float32(g.cw-1)
			}
			crop := dst[b*boxLen : (b+1)*boxLen]
			for y := 0; y < g.ch; y++ {
				row := crop[y*g.cw*d : (y+1)*g.cw*d]
				inY := cropCoord(y, g.ch, g.ih, y1, y2, hScale)
				if inY < 0 || inY > float32(g.ih-1) {
					for i := range row {
						row[i] = cr.extrapolation
					}
					continue
				}
				if cr.nearest {
					sy := int(roundHalfAway(inY))
					for x := 0; x < g.cw; x++ {
						px := row[x*d : (x+1)*d]
						inX := cropCoord(x, g.cw, g.iw, x1, x2, wScale)
						if inX < 0 || inX > float32(g.iw-1) {
							for i := range px {
								px[i] = cr.extrapolation
							}
							continue
						}
						s := img[base+sy*rowLen+int(roundHalfAway(inX))*d:]
						for c := range px {
							px[c] = float32(s[c])
						}
					}
					continue
				}
				topY := int(floor32(inY))
				botY := int(ceil32(inY))
				yLerp := inY - float32(topY)
				top, bot := img[base+topY*rowLen:], img[base+botY*rowLen:]
				for x := 0; x < g.cw; x++ {
					px := row[x*d : (x+1)*d]
					inX := cropCoord(x, g.cw, g.iw, x1, x2, wScale)
					if inX < 0 || inX > float32(g.iw-1) {
						for i := range px {
							px[i] = cr.extrapolation
						}
						continue
					}
					l := int(floor32(inX))
					r := int(ceil32(inX))
					xLerp := inX - float32(l)
					tls, trs := top[l*d:l*d+d], top[r*d:r*d+d]
					bls, brs := bot[l*d:l*d+d], bot[r*d:r*d+d]
					for c := range px {
						tl, tr := float32(tls[c]), float32(trs[c])
						bl, br := float32(bls[c]), float32(brs[c])
						t := tl + float32((tr-tl)*xLerp)
						bo := bl + float32((br-bl)*xLerp)
						px[c] = t + float32((bo-t)*yLerp)
					}
				}
			}
		}
	})
}
