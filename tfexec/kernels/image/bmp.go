package image

import (
	"encoding/binary"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// decodeBMP is the BMP path of DecodeBmp and DecodeImage, as TensorFlow
// reads BMP: the pixel offset, width, height and bits per pixel from the
// header, 8-, 24- or 32-bit pixels (BGR order) in rows padded to 4 bytes,
// bottom-up unless the height is negative, and a file exactly as long as
// the header and rows; compression and palettes are not looked at.
func (d *decoder) decodeBMP(data []byte) ([]*tensor.Tensor, error) {
	if d.channels == 1 {
		return nil, kernel.Invalid("`channels` must be 0, 3 or 4 for BMP, but got %d", d.channels)
	}
	switch d.op {
	case "DecodeBmp", "DecodeImage":
	case "DecodeAndCropJpeg":
		return nil, kernel.Invalid("DecodeAndCropJpeg operation can run on JPEG only, but detected BMP.")
	default:
		return nil, kernel.Invalid("Trying to decode BMP format using a wrong op. Use `decode_bmp` or `decode_image` instead. Op used: %s", d.op)
	}
	if len(data) < 32 {
		return nil, kernel.Invalid("Incomplete bmp content, requires at least 32 bytes to find the header size, width, height, and bpp, got %d bytes", len(data))
	}
	header := int64(int32(binary.LittleEndian.Uint32(data[10:])))
	width := int64(int32(binary.LittleEndian.Uint32(data[18:])))
	height := int64(int32(binary.LittleEndian.Uint32(data[22:])))
	bpp := int16(binary.LittleEndian.Uint16(data[28:]))
	src := int64(bpp / 8)
	if src != 1 && src != 3 && src != 4 {
		return nil, kernel.Invalid("Number of channels inherent in the image must be 1, 3 or 4, was %d", src)
	}
	channels := int64(d.channels)
	if channels == 0 {
		channels = src
	}
	switch {
	case width <= 0:
		return nil, kernel.Invalid("Width must be positive")
	case height == 0:
		return nil, kernel.Invalid("Height must be nonzero")
	case header < 0:
		return nil, kernel.Invalid("header size must be nonnegative")
	}
	absH := max(height, -height)
	if width*absH >= (1<<31-1)/8 {
		return nil, kernel.Invalid("Total possible pixel bytes must be less than 2^30")
	}
	rowSize := (src*width + 3) / 4 * 4
	if diff := int64(len(data)) - header - rowSize*absH; diff != 0 {
		return nil, kernel.Invalid("Input size should match (header_size + row_size * abs_height) but they differ by %d", diff)
	}
	shape := tensor.Shape{int(absH), int(width), int(channels)}
	if err := tensor.CheckAlloc(d.dtype, shape); err != nil {
		return nil, err
	}
	pixels := data[header:]
	out := make([]byte, 0, shape.NumElements())
	for i := range absH {
		row := pixels[(absH-1-i)*rowSize:]
		if height < 0 {
			row = pixels[i*rowSize:]
		}
		for j := range width {
			p := row[j*src:]
			switch src {
			case 1:
				out = append(out, p[0])
				if channels >= 3 {
					out = append(out, p[0], p[0])
				}
			default: // BGR(A) to RGB(A)
				out = append(out, p[2], p[1], p[0])
			}
			if channels == 4 {
				if src == 4 {
					out = append(out, p[3])
				} else {
					out = append(out, 0xFF)
				}
			}
		}
	}
	t, err := d.fromUint8(out, shape)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{t}, nil
}
