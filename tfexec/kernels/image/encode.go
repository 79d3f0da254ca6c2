package image

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"

	"github.com/tfoffload/tfoffload/internal/jpegturbo"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newEncodeJpeg prepares EncodeJpeg, checking its attributes as
// TensorFlow's kernel constructor does.
func newEncodeJpeg(n *kernel.Node) (kernel.Kernel, error) {
	a := n.Attrs
	format, err := a.String("format", "")
	if err != nil {
		return nil, n.AttrError("format", err)
	}
	if format != "" && format != "grayscale" && format != "rgb" {
		return nil, n.AttrError("format", kernel.Invalid("format must be '', grayscale or rgb, got %q", format))
	}
	o := jpegturbo.DefaultEncodeOptions()
	q, err := a.Int("quality", 95)
	if err != nil {
		return nil, n.AttrError("quality", err)
	}
	if q < 0 || q > 100 {
		return nil, n.AttrError("quality", kernel.Invalid("quality must be in [0,100], got %d", q))
	}
	o.Quality = int(q)
	for name, p := range map[string]*bool{"progressive": &o.Progressive, "optimize_size": &o.OptimizeSize, "chroma_downsampling": &o.ChromaDownsampling} {
		if *p, err = a.Bool(name, *p); err != nil {
			return nil, n.AttrError(name, err)
		}
	}
	unit, err := a.String("density_unit", "in")
	if err != nil {
		return nil, n.AttrError("density_unit", err)
	}
	switch unit {
	case "in":
		o.DensityUnit = 1
	case "cm":
		o.DensityUnit = 2
	default:
		return nil, n.AttrError("density_unit", kernel.Invalid("density_unit must be 'in' or 'cm', got %q", unit))
	}
	for name, p := range map[string]*int{"x_density": &o.XDensity, "y_density": &o.YDensity} {
		v, err := a.Int(name, 300)
		if err != nil {
			return nil, n.AttrError(name, err)
		}
		if v < 0 || v > math.MaxUint16 {
			return nil, n.AttrError(name, kernel.Invalid("%s must be in [0, 65535], got %d", name, v))
		}
		*p = int(v)
	}
	if o.XMPMetadata, err = a.String("xmp_metadata", ""); err != nil {
		return nil, n.AttrError("xmp_metadata", err)
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		return encodeJpeg(in[0], format, o)
	}, nil
}

// newEncodeJpegVariableQuality prepares EncodeJpegVariableQuality:
// EncodeJpeg with TensorFlow's default settings and the quality given as
// an int32 scalar input.
func newEncodeJpegVariableQuality(*kernel.Node) (kernel.Kernel, error) {
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		q := in[1]
		if q.Rank() != 0 || q.DType() != tensor.Int32 {
			return nil, kernel.Invalid("quality must be an int32 scalar, got %v%v", q.DType(), q.Shape())
		}
		o := jpegturbo.DefaultEncodeOptions()
		o.Quality = int(tensor.Values[int32](q)[0])
		if o.Quality < 0 || o.Quality > 100 {
			return nil, kernel.Invalid("quality must be in [0,100], got %d", o.Quality)
		}
		return encodeJpeg(in[0], "", o)
	}, nil
}

// encodeJpeg encodes a uint8 image [height, width, channels] whose
// channels format ("", "grayscale" or "rgb") allows.
func encodeJpeg(img *tensor.Tensor, format string, o jpegturbo.EncodeOptions) ([]*tensor.Tensor, error) {
	img, err := image3D([]*tensor.Tensor{img})
	if err != nil {
		return nil, err
	}
	if img.DType() != tensor.Uint8 {
		return nil, kernel.Unsupported("image dtype %v (want uint8)", img.DType())
	}
	sh := img.Shape()
	if int64(sh[0])*int64(sh[1])*int64(sh[2]) > math.MaxInt32 {
		return nil, kernel.Invalid("image too large to encode: %v", sh)
	}
	want := map[string]int{"grayscale": 1, "rgb": 3}[format]
	switch {
	case format == "" && sh[2] != 1 && sh[2] != 3:
		return nil, kernel.Invalid("image must have 1 or 3 channels, got %v", sh)
	case format != "" && sh[2] != want:
		return nil, kernel.Invalid("format %s expects %d channels, got %v", format, want, sh)
	}
	data, err := jpegturbo.Encode(jpegturbo.Image{
		Header: jpegturbo.Header{Width: sh[1], Height: sh[0], Channels: sh[2]},
		Pix:    tensor.Values[uint8](img),
	}, o)
	if err != nil {
		return nil, fmt.Errorf("JPEG encoding failed: %w", err)
	}
	return []*tensor.Tensor{tensor.Scalar(string(data))}, nil
}

// newEncodePng prepares EncodePng: uint8 or uint16 images of 1 to 4
// channels (gray, gray+alpha, RGB, RGBA) to a PNG file.
func newEncodePng(n *kernel.Node) (kernel.Kernel, error) {
	level, err := n.Attrs.Int("compression", -1)
	if err != nil {
		return nil, n.AttrError("compression", err)
	}
	if level < -1 || level > 9 {
		return nil, n.AttrError("compression", kernel.Invalid("compression should be in [-1,9], got %d", level))
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		img, err := image3D(in)
		if err != nil {
			return nil, err
		}
		sh := img.Shape()
		if sh[2] < 1 || sh[2] > 4 {
			return nil, kernel.Invalid("image must have 1, 2, 3, or 4 channels, got %d", sh[2])
		}
		if int64(sh[1])*int64(sh[2]) >= math.MaxInt32/2 || sh[0] >= math.MaxInt32/2 {
			return nil, kernel.Invalid("image too large to encode: %v", sh)
		}
		if sh[0] == 0 || sh[1] == 0 {
			return nil, fmt.Errorf("PNG encoding failed: the image %v is empty", sh)
		}
		var raw []byte
		depth := 8
		switch img.DType() {
		case tensor.Uint8:
			raw = tensor.Values[uint8](img)
		case tensor.Uint16:
			depth = 16
			v := tensor.Values[uint16](img)
			raw = make([]byte, 2*len(v))
			for i, x := range v {
				binary.BigEndian.PutUint16(raw[2*i:], x)
			}
		default:
			return nil, kernel.Unsupported("image dtype %v (want uint8 or uint16)", img.DType())
		}
		data, err := encodePNG(raw, sh[1], sh[0], sh[2], depth, int(level))
		if err != nil {
			return nil, fmt.Errorf("PNG encoding failed: %w", err)
		}
		return []*tensor.Tensor{tensor.Scalar(string(data))}, nil
	}, nil
}

// image3D returns an encoder's one input, which must be 3-D.
func image3D(in []*tensor.Tensor) (*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 1); err != nil {
		return nil, err
	}
	if in[0].Rank() != 3 {
		return nil, kernel.Invalid("image must be 3-dimensional%v", in[0].Shape())
	}
	return in[0], nil
}

// encodePNG writes a non-interlaced PNG of width×height pixels of
// channels samples of depth bits (big-endian rows in raw), each row with
// filter type None, compressed at zlib level (-1 for zlib's default).
// image/png cannot write gray+alpha, which EncodePng must.
func encodePNG(raw []byte, width, height, channels, depth, level int) ([]byte, error) {
	colour := [...]byte{0, 4, 2, 6}[channels-1]
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, body []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(body)))
		out.Write(n[:])
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(body)
		out.WriteString(typ)
		out.Write(body)
		binary.BigEndian.PutUint32(n[:], crc.Sum32())
		out.Write(n[:])
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, uint32(width))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(height))
	ihdr[8], ihdr[9] = byte(depth), colour
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, level)
	if err != nil {
		return nil, err
	}
	stride := width * channels * depth / 8
	for y := range height {
		zw.Write([]byte{0})
		zw.Write(raw[y*stride : (y+1)*stride])
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return out.Bytes(), nil
}
