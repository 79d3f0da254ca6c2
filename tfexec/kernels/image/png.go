package image

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// pngHeader is what TensorFlow's libpng set-up reads before decoding:
// IHDR and whether a tRNS chunk precedes the image data.
type pngHeader struct {
	width, height  int64
	depth, colType byte
	trns           bool
}

// PNG colour types.
const (
	pngGray      = 0
	pngRGB       = 2
	pngPalette   = 3
	pngGrayAlpha = 4
	pngRGBA      = 6
)

// readPNGHeader walks the chunks up to the first IDAT.
func readPNGHeader(data []byte) (pngHeader, error) {
	var h pngHeader
	p := data[8:]
	for first := true; ; first = false {
		if len(p) < 12 {
			return h, kernel.Invalid("Invalid PNG. Failed to initialize decoder: data ends before the image data")
		}
		n := binary.BigEndian.Uint32(p)
		typ := string(p[4:8])
		if int64(n) > int64(len(p))-12 {
			return h, kernel.Invalid("Invalid PNG. Failed to initialize decoder: chunk %q of %d bytes is truncated", typ, n)
		}
		body := p[8 : 8+n]
		switch {
		case first && (typ != "IHDR" || n != 13):
			return h, kernel.Invalid("Invalid PNG. Failed to initialize decoder: no IHDR chunk")
		case typ == "IHDR":
			h.width, h.height = int64(binary.BigEndian.Uint32(body)), int64(binary.BigEndian.Uint32(body[4:]))
			h.depth, h.colType = body[8], body[9]
		case typ == "tRNS":
			h.trns = true
		case typ == "IDAT":
			return h, nil
		}
		p = p[12+n:]
	}
}

// decodePNG is the PNG path of the decode ops, with the conversions
// TensorFlow's png_io.cc asks libpng for: palette to RGB, low-bit gray
// expanded to 8 bits, alpha added (opaque, or from tRNS) or stripped,
// RGB to gray by ITU-R 601 luma, gray to RGB, 16 bits cut to their high
// byte or 8 bits widened by v·257.
func (d *decoder) decodePNG(data []byte) ([]*tensor.Tensor, error) {
	switch d.op {
	case "DecodeBmp":
		return nil, kernel.Invalid("Trying to decode PNG format using DecodeBmp op. Use `decode_png` or `decode_image` instead.")
	case "DecodeAndCropJpeg":
		return nil, kernel.Invalid("DecodeAndCropJpeg operation can run on JPEG only, but detected PNG.")
	}
	h, err := readPNGHeader(data)
	if err != nil {
		return nil, err
	}
	if h.width <= 0 || h.height <= 0 || h.width >= 1<<27 || h.height >= 1<<27 || h.width*h.height >= 1<<29 {
		return nil, kernel.Invalid("PNG size too large for int: %d by %d", h.width, h.height)
	}
	channels := d.channels
	if channels == 0 {
		switch h.colType {
		case pngPalette:
			channels = 3
			if h.trns {
				channels = 4
			}
		case pngGrayAlpha:
			channels = 2
		case pngRGB:
			channels = 3
		case pngRGBA:
			channels = 4
		default:
			channels = 1
		}
	}
	w, ht := int(h.width), int(h.height)
	shape := d.outShape(ht, w, channels)
	if err := tensor.CheckAlloc(d.dtype, shape); err != nil {
		return nil, err
	}
	// image/png holds the whole image, up to 8 bytes a pixel, first.
	if err := tensor.CheckAlloc(tensor.Uint8, tensor.Shape{ht, w, 8}); err != nil {
		return nil, err
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: Invalid PNG data, size %d: %w", kernel.ErrInvalidArgument, len(data), err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != ht {
		return nil, kernel.Invalid("Invalid PNG data: decoded %v, header says %d×%d", b, w, ht)
	}
	wide := d.dtype != tensor.Uint8
	src16 := h.depth == 16
	srcAlpha := h.colType&4 != 0 || h.trns
	// libpng's filler for missing alpha is (1<<depth)-1, cut to the
	// byte it writes when the output has 8 bits; TensorFlow widens 8-bit
	// output to 16 bits afterwards.
	fill := uint32(1)<<h.depth - 1
	switch {
	case !wide:
		fill &= 0xFF
	case !src16:
		fill = fill & 0xFF * 257
	}
	isGray := h.colType&2 == 0
	out := make([]uint16, 0, shape.NumElements())
	var px [4]uint32
	for y := range ht {
		for x := range w {
			r, g, b, a := pngPixel(img, x, y, src16)
			n := 3
			px[0], px[1], px[2] = r, g, b
			if channels < 3 {
				n = 1
				if !isGray && (r != g || r != b) {
					px[0] = luma(r, g, b, src16)
				}
			}
			if channels%2 == 0 {
				px[n] = a
				n++
			}
			for i := range n {
				px[i] = scale(px[i], src16, wide)
			}
			if channels%2 == 0 && !srcAlpha {
				px[n-1] = fill
			}
			for _, v := range px[:n] {
				out = append(out, uint16(v))
			}
		}
	}
	return d.pngTensor(out, shape)
}

// scale converts a sample of the source's width to the output's: the
// high byte of 16 bits (png_set_strip_16), or 8 bits widened by 257.
func scale(v uint32, src16, wide bool) uint32 {
	switch {
	case src16 && !wide:
		return v >> 8
	case !src16 && wide:
		return v * 257
	}
	return v
}

// luma is libpng's png_set_rgb_to_gray with TensorFlow's 0.299/0.587
// coefficients, without gamma: 15-bit fixed point (libpng truncates the
// coefficients too), truncated for 8-bit samples and rounded for 16-bit
// ones.
func luma(r, g, b uint32, src16 bool) uint32 {
	const rc, gc = 29900 * 32768 / 100000, 58700 * 32768 / 100000 // 9797, 19234, and 3737 for blue
	const bc = 32768 - rc - gc
	if src16 {
		return (rc*r + gc*g + bc*b + 16384) >> 15
	}
	return (rc*r + gc*g + bc*b) >> 15
}

// pngPixel returns the samples of pixel x, y at the source's width (8 or
// 16 bits; lower depths expanded to 8 bits as libpng expands them), alpha
// from an alpha channel or tRNS (opaque without).
func pngPixel(img image.Image, x, y int, src16 bool) (r, g, b, a uint32) {
	switch m := img.(type) {
	case *image.Gray:
		v := uint32(m.GrayAt(x, y).Y)
		return v, v, v, 0xFF
	case *image.Gray16:
		v := uint32(m.Gray16At(x, y).Y)
		return v, v, v, 0xFFFF
	case *image.Paletted:
		// image/png's palettes hold color.NRGBA (with tRNS) or
		// color.RGBA (opaque).
		c := color.NRGBAModel.Convert(m.Palette[m.ColorIndexAt(x, y)]).(color.NRGBA)
		return uint32(c.R), uint32(c.G), uint32(c.B), uint32(c.A)
	case *image.NRGBA:
		c := m.NRGBAAt(x, y)
		return uint32(c.R), uint32(c.G), uint32(c.B), uint32(c.A)
	case *image.NRGBA64:
		c := m.NRGBA64At(x, y)
		return uint32(c.R), uint32(c.G), uint32(c.B), uint32(c.A)
	case *image.RGBA:
		c := m.RGBAAt(x, y)
		return uint32(c.R), uint32(c.G), uint32(c.B), 0xFF
	case *image.RGBA64:
		c := m.RGBA64At(x, y)
		return uint32(c.R), uint32(c.G), uint32(c.B), 0xFFFF
	}
	c := color.NRGBA64Model.Convert(img.At(x, y)).(color.NRGBA64)
	if src16 {
		return uint32(c.R), uint32(c.G), uint32(c.B), uint32(c.A)
	}
	return uint32(c.R >> 8), uint32(c.G >> 8), uint32(c.B >> 8), uint32(c.A >> 8)
}

// pngTensor returns the samples as the decoder's dtype.
func (d *decoder) pngTensor(v []uint16, shape tensor.Shape) ([]*tensor.Tensor, error) {
	var t *tensor.Tensor
	var err error
	switch d.dtype {
	case tensor.Uint8:
		b := make([]uint8, len(v))
		for i, x := range v {
			b[i] = uint8(x)
		}
		t, err = tensor.FromSlice(shape, b)
	case tensor.Uint16:
		t, err = tensor.FromSlice(shape, v)
	default:
		f := make([]float32, len(v))
		const s = float32(1.0 / 65535)
		for i, x := range v {
			f[i] = float32(x) * s
		}
		t, err = tensor.FromSlice(shape, f)
	}
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{t}, nil
}
