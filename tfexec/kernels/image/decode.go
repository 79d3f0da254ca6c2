package image

import (
	"bytes"
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/internal/jpegturbo"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// format is an image file format, as TensorFlow tells them by their first
// bytes.
type format int

const (
	unknownFormat format = iota
	jpegFormat
	pngFormat
	gifFormat
	bmpFormat
)

// classify returns data's format from its magic bytes.
func classify(data []byte) format {
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return jpegFormat
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return pngFormat
	case bytes.HasPrefix(data, []byte("GIF8")):
		return gifFormat
	case bytes.HasPrefix(data, []byte("BM")):
		return bmpFormat
	}
	return unknownFormat
}

// decoder is one of the decode ops, prepared: TensorFlow runs them all
// through one kernel (DecodeImageV2Op) that tells the format by its magic
// bytes, so DecodeJpeg decodes PNG and GIF files too and each op differs
// only in its attributes and the rank it returns.
type decoder struct {
	op       string
	channels int
	dtype    tensor.DType
	// expand is DecodeImage's expand_animations: GIFs are 4-D.
	expand bool
	jpeg   jpegturbo.DecodeOptions
}

// newDecoder prepares DecodeJpeg, DecodeAndCropJpeg, DecodePng, DecodeGif,
// DecodeBmp or DecodeImage, checking their attributes as TensorFlow's
// kernel constructor does.
func newDecoder(n *kernel.Node) (kernel.Kernel, error) {
	d := &decoder{op: n.Op(), dtype: tensor.Uint8, expand: true, jpeg: jpegturbo.DefaultDecodeOptions()}
	a := n.Attrs
	var err error
	if d.op == "DecodeJpeg" || d.op == "DecodeAndCropJpeg" {
		if err := d.jpegAttrs(n); err != nil {
			return nil, err
		}
	}
	if d.op == "DecodePng" || d.op == "DecodeImage" {
		if d.dtype, err = a.Type("dtype", tensor.Uint8); err != nil {
			return nil, n.AttrError("dtype", err)
		}
		ok := d.dtype == tensor.Uint8 || d.dtype == tensor.Uint16 || (d.op == "DecodeImage" && d.dtype == tensor.Float32)
		if !ok {
			return nil, n.AttrError("dtype", kernel.Invalid("`dtype` for `%s` must be uint8, uint16%s but got: %v",
				d.op, map[bool]string{true: ", float"}[d.op == "DecodeImage"], d.dtype))
		}
		if d.op == "DecodeImage" {
			if d.expand, err = a.Bool("expand_animations", true); err != nil {
				return nil, n.AttrError("expand_animations", err)
			}
		}
	}
	if d.op == "DecodeGif" {
		d.channels = 3
	} else {
		c, err := a.Int("channels", 0)
		if err != nil {
			return nil, n.AttrError("channels", err)
		}
		if c != 0 && c != 1 && c != 3 && c != 4 {
			return nil, n.AttrError("channels", kernel.Invalid("`channels` must be 0, 1, 3 or 4 but got %d", c))
		}
		d.channels = int(c)
	}
	return d.run, nil
}

// jpegAttrs reads DecodeJpeg's and DecodeAndCropJpeg's attributes.
func (d *decoder) jpegAttrs(n *kernel.Node) error {
	a := n.Attrs
	ratio, err := a.Int("ratio", 1)
	if err != nil {
		return n.AttrError("ratio", err)
	}
	if ratio != 1 && ratio != 2 && ratio != 4 && ratio != 8 {
		return n.AttrError("ratio", kernel.Invalid("ratio must be 1, 2, 4, or 8, got %d", ratio))
	}
	d.jpeg.Ratio = int(ratio)
	if d.jpeg.FancyUpscaling, err = a.Bool("fancy_upscaling", true); err != nil {
		return n.AttrError("fancy_upscaling", err)
	}
	if d.jpeg.TryRecoverTruncated, err = a.Bool("try_recover_truncated", false); err != nil {
		return n.AttrError("try_recover_truncated", err)
	}
	if d.jpeg.AcceptableFraction, err = a.Float("acceptable_fraction", 1); err != nil {
		return n.AttrError("acceptable_fraction", err)
	}
	dct, err := a.String("dct_method", "")
	if err != nil {
		return n.AttrError("dct_method", err)
	}
	switch dct {
	case "", "INTEGER_FAST":
		// TensorFlow's default is the fast IDCT.
		d.jpeg.DCT = jpegturbo.IntegerFast
	case "INTEGER_ACCURATE":
		d.jpeg.DCT = jpegturbo.IntegerAccurate
	default:
		return n.AttrError("dct_method", kernel.Invalid("dct_method must be one of {'', 'INTEGER_FAST', 'INTEGER_ACCURATE'}, got %q", dct))
	}
	return nil
}

func (d *decoder) run(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	want := 1
	if d.op == "DecodeAndCropJpeg" {
		want = 2
	}
	if err := kernel.CheckInputs(in, want); err != nil {
		return nil, err
	}
	contents := in[0]
	if contents.DType() != tensor.String || contents.Rank() != 0 {
		return nil, kernel.Invalid("`contents` must be scalar but got shape %v", contents.Shape())
	}
	data := tensor.Values[string](contents)[0]
	if data == "" {
		return nil, kernel.Invalid("Input is empty.")
	}
	if len(data) > math.MaxInt32 {
		return nil, kernel.Invalid("Input contents are too large for int: %d", len(data))
	}
	raw := []byte(data)
	switch classify(raw) {
	case jpegFormat:
		return d.decodeJPEG(raw, in)
	case pngFormat:
		return d.decodePNG(raw)
	case gifFormat:
		return d.decodeGIF(raw)
	case bmpFormat:
		return d.decodeBMP(raw)
	}
	return nil, kernel.Invalid("Unknown image file format. One of JPEG, PNG, GIF, BMP required.")
}

// outShape returns the output shape of one h×w×c image: 4-D for
// DecodeGif, 3-D otherwise.
func (d *decoder) outShape(h, w, c int) tensor.Shape {
	if d.op == "DecodeGif" {
		return tensor.Shape{1, h, w, c}
	}
	return tensor.Shape{h, w, c}
}

// reserve checks an output of the decoder's dtype against the tensor
// budget before the decoder allocates it.
func (d *decoder) reserve(h jpegturbo.Header) error {
	return tensor.CheckAlloc(d.dtype, d.outShape(h.Height, h.Width, h.Channels))
}

func (d *decoder) decodeJPEG(data []byte, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if d.channels == 4 {
		return nil, kernel.Invalid("JPEG does not support 4 channels")
	}
	o := d.jpeg
	o.Channels = d.channels
	switch d.op {
	case "DecodeAndCropJpeg":
		w, err := cropWindow(in[1])
		if err != nil {
			return nil, err
		}
		o.Crop = w
	case "DecodeBmp":
		return nil, kernel.Invalid("Trying to decode JPEG format using DecodeBmp op. Use `decode_jpeg` or `decode_image` instead.")
	}
	img, err := jpegturbo.Decode(data, o, d.reserve)
	if err != nil {
		return nil, fmt.Errorf("%w: jpeg::Uncompress failed: %w", kernel.ErrInvalidArgument, err)
	}
	out, err := d.fromUint8(img.Pix, d.outShape(img.Height, img.Width, img.Channels))
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

// cropWindow reads DecodeAndCropJpeg's crop_window [y, x, height, width].
func cropWindow(t *tensor.Tensor) (*jpegturbo.Window, error) {
	if t.Rank() != 1 {
		return nil, kernel.Invalid("crop_window must be 1-D, got shape %v", t.Shape())
	}
	if t.Shape()[0] != 4 {
		return nil, kernel.Invalid("crop_size must have four elements %v", t.Shape())
	}
	if t.DType() != tensor.Int32 {
		return nil, kernel.Unsupported("crop_window dtype %v (want int32)", t.DType())
	}
	v := tensor.Values[int32](t)
	return &jpegturbo.Window{Y: int(v[0]), X: int(v[1]), Height: int(v[2]), Width: int(v[3])}, nil
}

// fromUint8 returns 8-bit samples as the decoder's dtype: uint16 scaled
// by 256 and float32 by 1/255, as TensorFlow converts them.
func (d *decoder) fromUint8(pix []byte, shape tensor.Shape) (*tensor.Tensor, error) {
	switch d.dtype {
	case tensor.Uint16:
		out := make([]uint16, len(pix))
		for i, v := range pix {
			out[i] = uint16(v) * 256
		}
		return tensor.FromSlice(shape, out)
	case tensor.Float32:
		out := make([]float32, len(pix))
		const scale = float32(1.0 / 255)
		for i, v := range pix {
			out[i] = float32(v) * scale
		}
		return tensor.FromSlice(shape, out)
	}
	return tensor.FromSlice(shape, pix)
}

// extractJpegShape is ExtractJpegShape: [height, width, components] of a
// JPEG file, without decoding it.
func extractJpegShape(n *kernel.Node) (kernel.Kernel, error) {
	dt, err := n.Attrs.Type("output_type", tensor.Int32)
	if err != nil {
		return nil, n.AttrError("output_type", err)
	}
	if dt != tensor.Int32 && dt != tensor.Int64 {
		return nil, n.AttrError("output_type", kernel.Unsupported("output_type %v", dt))
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		contents := in[0]
		if contents.DType() != tensor.String || contents.Rank() != 0 {
			return nil, kernel.Invalid("contents must be scalar, got shape %v", contents.Shape())
		}
		data := tensor.Values[string](contents)[0]
		h, err := jpegturbo.Shape([]byte(data))
		if err != nil {
			return nil, fmt.Errorf("%w: Invalid JPEG data, size %d: %w", kernel.ErrInvalidArgument, len(data), err)
		}
		out, err := kernel.IntsTensor(dt, []int{h.Height, h.Width, h.Channels})
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}
