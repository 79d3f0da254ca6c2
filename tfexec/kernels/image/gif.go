package image

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image/color"
	"image/gif"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// gifFrames walks a GIF's blocks without decoding them and returns the
// number of frames and the largest frame width, height and area, so that
// the output (and image/gif's frames) can be checked against the tensor
// budget before anything is decoded.
func gifFrames(data []byte) (frames, maxW, maxH int, area int64, err error) {
	bad := func(what string) error { return kernel.Invalid("Invalid GIF data (size %d), %s", len(data), what) }
	if len(data) < 13 {
		return 0, 0, 0, 0, bad("header is truncated")
	}
	p := data[13:]
	if data[10]&0x80 != 0 {
		n := 3 << (data[10]&7 + 1)
		if len(p) < n {
			return 0, 0, 0, 0, bad("global color table is truncated")
		}
		p = p[n:]
	}
	// skipBlocks skips data sub-blocks up to the terminator.
	skipBlocks := func() bool {
		for len(p) > 0 {
			n := int(p[0])
			if len(p) < n+1 {
				return false
			}
			p = p[n+1:]
			if n == 0 {
				return true
			}
		}
		return false
	}
	for len(p) > 0 {
		switch p[0] {
		case 0x21: // extension
			if len(p) < 2 {
				return 0, 0, 0, 0, bad("extension is truncated")
			}
			p = p[2:]
			if !skipBlocks() {
				return frames, maxW, maxH, area, nil // image/gif reports it
			}
		case 0x2C: // image descriptor
			if len(p) < 10 {
				return frames, maxW, maxH, area, nil
			}
			w, h := int(binary.LittleEndian.Uint16(p[5:])), int(binary.LittleEndian.Uint16(p[7:]))
			frames++
			maxW, maxH = max(maxW, w), max(maxH, h)
			area += int64(w) * int64(h)
			flags := p[9]
			p = p[10:]
			if flags&0x80 != 0 {
				n := 3 << (flags&7 + 1)
				if len(p) < n {
					return frames, maxW, maxH, area, nil
				}
				p = p[n:]
			}
			if len(p) < 1 {
				return frames, maxW, maxH, area, nil
			}
			p = p[1:] // LZW minimum code size
			if !skipBlocks() {
				return frames, maxW, maxH, area, nil
			}
		default: // trailer, or bytes image/gif refuses
			return frames, maxW, maxH, area, nil
		}
	}
	return frames, maxW, maxH, area, nil
}

// decodeGIF is the GIF path of the decode ops, composing frames as
// TensorFlow's gif_io.cc does: the canvas is as large as the largest
// frame; each frame starts as a copy of the one before (disposal methods
// are ignored), the first as black; transparent pixels keep what the
// canvas held. DecodeJpeg and DecodePng take single-frame GIFs only, and
// DecodeImage without expand_animations returns the first frame, 3-D.
func (d *decoder) decodeGIF(data []byte) ([]*tensor.Tensor, error) {
	if d.channels != 0 && d.channels != 3 {
		return nil, kernel.Invalid("channels must be 0 or 3 for GIF, got %d", d.channels)
	}
	switch d.op {
	case "DecodeBmp":
		return nil, kernel.Invalid("Trying to decode GIF format using DecodeBmp op. Use `decode_gif` or `decode_image` instead.")
	case "DecodeAndCropJpeg":
		return nil, kernel.Invalid("DecodeAndCropJpeg operation can run on JPEG only, but detected GIF.")
	}
	frames, w, h, area, err := gifFrames(data)
	if err != nil {
		return nil, err
	}
	if frames > 0 {
		n := frames
		if d.op == "DecodeImage" && !d.expand {
			n = 1
		}
		if err := tensor.CheckAlloc(d.dtype, tensor.Shape{n, h, w, 3}); err != nil {
			return nil, err
		}
		// image/gif holds every frame at a byte a pixel first.
		if err := tensor.CheckAlloc(tensor.Uint8, tensor.Shape{int(min(area, 1<<62))}); err != nil {
			return nil, err
		}
	}
	g, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: Invalid GIF data (size %d), %w", kernel.ErrInvalidArgument, len(data), err)
	}
	if len(g.Image) == 0 {
		return nil, kernel.Invalid("Invalid GIF data (size %d), gif file does not contain any image", len(data))
	}
	w, h = 0, 0
	for _, f := range g.Image {
		w, h = max(w, f.Rect.Dx()), max(h, f.Rect.Dy())
	}
	n := len(g.Image)
	var shape tensor.Shape
	switch {
	case d.op == "DecodePng" || d.op == "DecodeJpeg":
		if n != 1 {
			return nil, kernel.Invalid("Got %d frames, but animated gifs can only be decoded by tf.io.decode_gif or tf.io.decode_image", n)
		}
		shape = tensor.Shape{h, w, 3}
	case d.op == "DecodeImage" && !d.expand:
		n = 1
		shape = tensor.Shape{h, w, 3}
	default:
		shape = tensor.Shape{n, h, w, 3}
	}
	if err := tensor.CheckAlloc(d.dtype, shape); err != nil {
		return nil, err
	}
	frame := w * h * 3
	pix := make([]byte, n*frame)
	for k, f := range g.Image[:n] {
		dst := pix[k*frame : (k+1)*frame]
		if k > 0 {
			copy(dst, pix[(k-1)*frame:k*frame])
		}
		r := f.Rect // placed at its offset, clipped to the canvas below
		for y := max(r.Min.Y, 0); y < min(r.Max.Y, h); y++ {
			for x := max(r.Min.X, 0); x < min(r.Max.X, w); x++ {
				c := f.Palette[f.ColorIndexAt(x, y)]
				rgba, _ := c.(color.RGBA)
				// image/gif gives the transparent index a zero colour;
				// every other GIF colour is opaque.
				if rgba.A == 0 {
					continue
				}
				o := (y*w + x) * 3
				dst[o], dst[o+1], dst[o+2] = rgba.R, rgba.G, rgba.B
			}
		}
	}
	out, err := d.fromUint8(pix, shape)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}
