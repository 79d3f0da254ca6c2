package image

import (
	"math"
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// The colour ops follow TensorFlow's CPU kernels
// (tensorflow/core/kernels/image/adjust_hue_op.cc, adjust_saturation_op.cc,
// adjust_contrast_op.cc and colorspace_op.h): the adjustments compute in
// float32 whatever T is, RGBToHSV in float64, HSVToRGB in T.

// checkRGB checks images as the adjustments do: at least 3-D with 3
// channels, and a scalar factor named factorName.
func checkRGB(images, factor *tensor.Tensor, factorName string) error {
	if images.Rank() < 3 {
		return kernel.Invalid("input must be at least 3-D, got shape%v", images.Shape())
	}
	if factor.Rank() != 0 {
		return kernel.Invalid("%s must be scalar: %v", factorName, factor.Shape())
	}
	if c := images.Shape()[images.Rank()-1]; c != 3 {
		return kernel.Invalid("input must have 3 channels but instead has %d channels.", c)
	}
	return nil
}

// adjustPixels applies f to each RGB pixel of images, in float32, after
// checking images and the scalar factor; the result has images' dtype.
func adjustPixels(in []*tensor.Tensor, factorName string, f func(p []float32, factor float32)) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 2); err != nil {
		return nil, err
	}
	images, factor := in[0], in[1]
	if err := checkRGB(images, factor, factorName); err != nil {
		return nil, err
	}
	fv, src, err := adjustInputs(images, factor)
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(src))
	copy(out, src)
	kernel.ParallelFor(len(out)/3, 30, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			f(out[3*i:3*i+3], fv[0])
		}
	})
	t, err := kernel.FromFloat32s(images.DType(), images.Shape(), out)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{t}, nil
}

// adjustInputs returns the factor and the images' values as float32,
// for images of the adjustments' dtypes (float32 and float16) only.
func adjustInputs(images, factor *tensor.Tensor) (fv, src []float32, err error) {
	if !slices.Contains(adjustTypes(), images.DType()) {
		return nil, nil, kernel.Unsupported("images dtype %v (want float32 or float16)", images.DType())
	}
	if fv, err = kernel.Float32s(factor); err != nil {
		return nil, nil, err
	}
	src, err = kernel.Float32s(images)
	return fv, src, err
}

// adjustHue is AdjustHue (images, delta): each pixel's hue turned by
// delta of a full circle, its value range kept.
func adjustHue(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return adjustPixels(in, "delta", func(p []float32, delta float32) {
		h, lo, hi := rgbToHVRange(p[0], p[1], p[2])
		const sectors = 6
		h += delta * sectors
		if h < -sectors || h >= 2*sectors {
			// TensorFlow loops one sector circle at a time, which
			// never ends for a huge delta; fmod lands where the loop
			// would for every delta the loop finishes for in a few
			// steps.
			h = float32(math.Mod(float64(h), sectors))
		}
		for h < 0 {
			h += sectors
		}
		for h >= sectors {
			h -= sectors
		}
		p[0], p[1], p[2] = hvRangeToRGB(h, lo, hi)
	})
}

// rgbToHVRange returns a colour's hue in [0, 6] and its smallest and
// largest components, as TensorFlow's AdjustHue kernel does: equal
// components fall on either side of a sector boundary.
func rgbToHVRange(r, g, b float32) (h, lo, hi float32) {
	var mid float32
	var sector int
	switch {
	case r < g && b < r: // b < r < g
		hi, mid, lo, sector = g, r, b, 1
	case r < g && b > g: // r < g < b
		hi, mid, lo, sector = b, g, r, 3
	case r < g: // r < b < g
		hi, mid, lo, sector = g, b, r, 2
	case b < g: // b < g < r
		hi, mid, lo, sector = r, g, b, 0
	case b > r: // g < r < b
		hi, mid, lo, sector = b, r, g, 4
	default: // g < b < r
		hi, mid, lo, sector = r, b, g, 5
	}
	if hi == lo {
		return 0, lo, hi
	}
	ratio := (mid - lo) / (hi - lo)
	if sector&1 != 0 {
		ratio = 1 - ratio
	}
	return float32(sector) + ratio, lo, hi
}

// hvRangeToRGB inverts rgbToHVRange for a hue in [0, 6).
func hvRangeToRGB(h, lo, hi float32) (r, g, b float32) {
	sector := int(h)
	ratio := h - float32(sector)
	if sector&1 != 0 {
		ratio = 1 - ratio
	}
	mid := lo + ratio*(hi-lo)
	switch sector {
	case 0:
		return hi, mid, lo
	case 1:
		return mid, hi, lo
	case 2:
		return lo, hi, mid
	case 3:
		return lo, mid, hi
	case 4:
		return mid, lo, hi
	}
	return hi, lo, mid
}

// adjustSaturation is AdjustSaturation (images, scale): each pixel's HSV
// saturation multiplied by scale and clamped to [0, 1].
func adjustSaturation(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return adjustPixels(in, "scale", func(p []float32, scale float32) {
		h, s, v := saturationRGBToHSV(p[0], p[1], p[2])
		s = min(1, max(0, s*scale))
		p[0], p[1], p[2] = saturationHSVToRGB(h, s, v)
	})
}

// saturationRGBToHSV is AdjustSaturation's float32 RGB to HSV, whose
// sector offsets 2/6 and 4/6 are added in float64 as C++ does.
func saturationRGBToHSV(r, g, b float32) (h, s, v float32) {
	v = max(r, g, b)
	rng := v - min(r, g, b)
	if v > 0 {
		s = rng / v
	}
	norm := 1 / (6 * rng)
	switch {
	case r == v:
		h = norm * (g - b)
	case g == v:
		h = float32(float64(norm*(b-r)) + 2.0/6.0)
	default:
		h = float32(float64(norm*(r-g)) + 4.0/6.0)
	}
	if rng <= 0 {
		h = 0
	}
	if h < 0 {
		h++
	}
	return h, s, v
}

// saturationHSVToRGB is AdjustSaturation's HSV to RGB; a hue outside
// [0, 1) (only NaN reaches here) gives black.
func saturationHSVToRGB(h, s, v float32) (r, g, b float32) {
	c := s * v
	m := v - c
	dh := h * 6
	if math.IsNaN(float64(dh)) {
		return m, m, m
	}
	sector := int(dh)
	x := c * (1 - abs(float32(math.Mod(float64(dh), 2))-1))
	switch sector {
	case 0:
		r, g = c, x
	case 1:
		r, g = x, c
	case 2:
		g, b = c, x
	case 3:
		g, b = x, c
	case 4:
		r, b = x, c
	case 5:
		r, b = c, x
	}
	return r + m, g + m, b + m
}

// abs is |x| for a float type.
func abs[T float32 | float64](x T) T {
	if x < 0 {
		return -x
	}
	return x
}

// adjustContrast is AdjustContrastv2 (images, contrast_factor): each
// channel of each image moved away from its mean over the image by
// contrast_factor, (x - mean)·factor + mean.
func adjustContrast(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 2); err != nil {
		return nil, err
	}
	images, factor := in[0], in[1]
	if images.Rank() < 3 {
		return nil, kernel.Invalid("input must be at least 3-D, got shape%v", images.Shape())
	}
	if factor.Rank() != 0 {
		return nil, kernel.Invalid("contrast_factor must be scalar: %v", factor.Shape())
	}
	fv, src, err := adjustInputs(images, factor)
	if err != nil {
		return nil, err
	}
	sh := images.Shape()
	pixels, channels := sh[len(sh)-3]*sh[len(sh)-2], sh[len(sh)-1]
	out := make([]float32, len(src))
	if per := pixels * channels; per > 0 {
		for base := 0; base < len(src); base += per {
			contrastImage(out[base:base+per], src[base:base+per], channels, fv[0])
		}
	}
	t, err := kernel.FromFloat32s(images.DType(), sh, out)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{t}, nil
}

// contrastImage writes one image's contrast-adjusted pixels to dst.
func contrastImage(dst, src []float32, channels int, factor float32) {
	pixels := len(src) / channels
	for c := range channels {
		var sum float64
		for p := range pixels {
			sum += float64(src[p*channels+c])
		}
		mean := float32(sum / float64(pixels))
		for p := range pixels {
			i := p*channels + c
			dst[i] = (src[i]-mean)*factor + mean
		}
	}
}

// rgbToHSV is RGBToHSV: the last dimension's (r, g, b) as (h, s, v), h
// and s in [0, 1], computed in float64 as TensorFlow's CPU kernel does.
func rgbToHSV(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return colorspace(in, rgbPixel[float64], rgbPixel[float32])
}

// rgbPixel converts one (r, g, b) pixel to (h, s, v) in place.
func rgbPixel[T float32 | float64](p []T) {
	r, g, b := float64(p[0]), float64(p[1]), float64(p[2])
	v := max(r, g, b)
	rc := v - min(r, g, b)
	var h, s float64
	if v > 0 {
		s = rc / v
	}
	if rc > 0 {
		switch v {
		case r:
			h = (g - b) / rc
		case g:
			h = 2 + (b-r)/rc
		default:
			h = 4 + (r-g)/rc
		}
		h /= 6
		if h < 0 {
			h++
		}
	}
	p[0], p[1], p[2] = T(h), T(s), T(v)
}

// hsvToRGB is HSVToRGB: the last dimension's (h, s, v) as (r, g, b),
// computed in the tensor's dtype.
func hsvToRGB(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return colorspace(in, hsvPixel[float64], hsvPixel[float32])
}

// hsvPixel converts one (h, s, v) pixel in place with TensorFlow's
// piecewise-linear channel ramps.
func hsvPixel[T float32 | float64](p []T) {
	h, s, v := p[0], p[1], p[2]
	dh := h * 6
	clamp := func(x T) T { return min(1, max(0, x)) }
	dr := clamp(abs(dh-3) - 1)
	dg := clamp(-abs(dh-2) + 2)
	db := clamp(-abs(dh-4) + 2)
	oneS := -s + 1
	p[0] = (oneS + s*dr) * v
	p[1] = (oneS + s*dg) * v
	p[2] = (oneS + s*db) * v
}

// colorspace checks a colour-space op's input and converts each pixel of
// a copy with f64 or f32, by its dtype.
func colorspace(in []*tensor.Tensor, f64 func([]float64), f32 func([]float32)) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 1); err != nil {
		return nil, err
	}
	images := in[0]
	if images.Rank() < 1 {
		return nil, kernel.Invalid("input must be at least 1D%v", images.Shape())
	}
	if c := images.Shape()[images.Rank()-1]; c != 3 {
		return nil, kernel.Invalid("input must have 3 channels but input only has %d channels.", c)
	}
	out := images.Clone()
	switch v := out.Data().(type) {
	case []float64:
		pixels(v, f64)
	case []float32:
		pixels(v, f32)
	default:
		return nil, kernel.Unsupported("dtype %v (want float32 or float64)", images.DType())
	}
	return []*tensor.Tensor{out}, nil
}

// pixels calls f on each 3-element pixel of v, in parallel.
func pixels[T any](v []T, f func([]T)) {
	kernel.ParallelFor(len(v)/3, 30, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			f(v[3*i : 3*i+3])
		}
	})
}
