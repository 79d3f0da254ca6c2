package dataset

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // DecodeConfig's JPEG reader
	_ "image/png"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/tfoffload/tfoffload/internal/fsutil"
	"github.com/tfoffload/tfoffload/internal/jpegturbo"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/image" // the resize kernels
)

// maxFileBytes bounds the size of one input file, so that a huge file is
// refused before it is read.
const maxFileBytes = 256 << 20

// Load reads one input file as a model input with a batch dimension of 1:
// an image preprocessed by p (which must have a size), a WAV file as the
// string scalar of its bytes, a .npy array as it is. Errors name the file.
func Load(path string, p Preprocess) (*tensor.Tensor, error) {
	t, err := load(path, p)
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", path, err)
	}
	return t, nil
}

func load(path string, p Preprocess) (*tensor.Tensor, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("it is %s", fsutil.Kind(fi.Mode()))
	}
	if fi.Size() > maxFileBytes {
		return nil, fmt.Errorf("%d bytes, more than %d", fi.Size(), maxFileBytes)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".npy":
		return tensor.ReadNPYFile(path)
	case ".wav":
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
			return nil, fmt.Errorf("not a WAV file (no RIFF/WAVE header)")
		}
		return tensor.Scalar(string(data)), nil
	}
	if p, err = p.forImage(); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return loadImage(data, p)
}

// Image decodes an image file's bytes (JPEG, PNG or GIF) and preprocesses
// it by p, which must have a size, as Load does a file.
func Image(data []byte, p Preprocess) (*tensor.Tensor, error) {
	p, err := p.forImage()
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	t, err := loadImage(data, p)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	return t, nil
}

// forImage returns p normalized, or an error when it has no size.
func (p Preprocess) forImage() (Preprocess, error) {
	p, err := p.Normalized()
	if err != nil {
		return p, err
	}
	if p.Height == 0 || p.Width == 0 {
		return p, fmt.Errorf("no input size: give one in the preset or by flags")
	}
	return p, nil
}

func loadImage(data []byte, p Preprocess) (*tensor.Tensor, error) {
	img, err := decodeImage(data)
	if err != nil {
		return nil, err
	}
	return p.apply(img)
}

// decodeImage decodes a JPEG or PNG file. JPEG goes through
// libjpeg-turbo with DecodeJpeg's default attributes, so the pixels are
// TensorFlow's (Go's decoder differs by up to dozens of levels on real
// photos); PNG through Go's decoder, which is exact for 8-bit files.
func decodeImage(data []byte) (image.Image, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("unreadable image: %w", err)
	}
	if cfg.Width < 1 || cfg.Height < 1 {
		return nil, fmt.Errorf("%s image of %dx%d pixels", format, cfg.Width, cfg.Height)
	}
	// The decoded image and its float32 copy for resizing.
	if err := tensor.CheckAlloc(tensor.Float32, tensor.Shape{2, cfg.Height, cfg.Width, 4}); err != nil {
		return nil, fmt.Errorf("%s image of %dx%d pixels: %w", format, cfg.Width, cfg.Height, err)
	}
	if format == "jpeg" {
		return decodeJPEG(data)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("unreadable %s image: %w", format, err)
	}
	return img, nil
}

// decodeJPEG decodes as TensorFlow's DecodeJpeg does by default: a
// grayscale file gives an *image.Gray, any other an opaque *image.NRGBA.
func decodeJPEG(data []byte) (image.Image, error) {
	d, err := jpegturbo.Decode(data, jpegturbo.DefaultDecodeOptions(), nil)
	if err != nil {
		return nil, fmt.Errorf("unreadable jpeg image: %w", err)
	}
	r := image.Rect(0, 0, d.Width, d.Height)
	if d.Channels == 1 {
		return &image.Gray{Pix: d.Pix, Stride: d.Width, Rect: r}, nil
	}
	img := image.NewNRGBA(r)
	for i, j := 0, 0; i+2 < len(d.Pix); i, j = i+3, j+4 {
		img.Pix[j], img.Pix[j+1], img.Pix[j+2], img.Pix[j+3] = d.Pix[i], d.Pix[i+1], d.Pix[i+2], 0xff
	}
	return img, nil
}

// apply turns a decoded image into the model input p describes.
func (p Preprocess) apply(img image.Image) (*tensor.Tensor, error) {
	b := img.Bounds()
	if p.Crop == "center" {
		side := min(b.Dx(), b.Dy())
		x0, y0 := b.Min.X+(b.Dx()-side)/2, b.Min.Y+(b.Dy()-side)/2
		b = image.Rect(x0, y0, x0+side, y0+side)
	}
	h, w, c := b.Dy(), b.Dx(), p.Channels
	pix := make([]float32, h*w*c)
	gray, isGray := img.(*image.Gray)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := (y*w + x) * c
			if isGray {
				v := float32(gray.GrayAt(b.Min.X+x, b.Min.Y+y).Y)
				for k := 0; k < c; k++ {
					pix[i+k] = v
				}
				continue
			}
			var rgba color.NRGBA
			if nrgba, ok := img.(*image.NRGBA); ok {
				rgba = nrgba.NRGBAAt(b.Min.X+x, b.Min.Y+y)
			} else {
				rgba = color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			}
			r, g, bl := float32(rgba.R), float32(rgba.G), float32(rgba.B)
			if c == 1 {
				// tf.image.rgb_to_grayscale's weights.
				pix[i] = 0.2989*r + 0.587*g + 0.114*bl
				continue
			}
			pix[i], pix[i+1], pix[i+2] = r, g, bl
		}
	}
	t, err := tensor.FromSlice(tensor.Shape{1, h, w, c}, pix)
	if err != nil {
		return nil, err
	}
	if h != p.Height || w != p.Width {
		if t, err = resize(t, p.Resize, p.Height, p.Width); err != nil {
			return nil, err
		}
	}
	vals, err := kernel.Float32s(t)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(vals))
	n := p.Height * p.Width
	for i := 0; i < n; i++ {
		for k := 0; k < c; k++ {
			src := k
			if p.Order == "BGR" {
				src = c - 1 - k
			}
			v := (float64(vals[i*c+src])*p.Scale - p.Mean[k]) / p.Std[k]
			if p.Layout == "NCHW" {
				out[k*n+i] = v
			} else {
				out[i*c+k] = v
			}
		}
	}
	dt := dtypes[p.DType]
	if dt.IsInteger() {
		for i, v := range out {
			out[i] = math.Round(v)
		}
	}
	shape := tensor.Shape{1, p.Height, p.Width, c}
	if p.Layout == "NCHW" {
		shape = tensor.Shape{1, c, p.Height, p.Width}
	}
	return tensor.FromFloat64s(dt, shape, out)
}

// resize runs tfexec's resize kernel for method on a [1, h, w, c] image,
// with tf.image.resize's half-pixel centers (ResizeArea has none).
func resize(img *tensor.Tensor, method string, height, width int) (*tensor.Tensor, error) {
	op := resizeOps[method]
	def := &tfpb.NodeDef{Name: "resize", Op: op, Input: []string{"images", "size"}, Attr: map[string]*tfpb.AttrValue{
		"T": {Value: &tfpb.AttrValue_Type{Type: tfpb.DataType_DT_FLOAT}},
	}}
	if op != "ResizeArea" {
		def.Attr["half_pixel_centers"] = &tfpb.AttrValue{Value: &tfpb.AttrValue_B{B: true}}
	}
	factory, ok := kernel.Lookup(op)
	if !ok {
		return nil, fmt.Errorf("no %s kernel", op)
	}
	k, err := factory(kernel.NewNode(def))
	if err != nil {
		return nil, err
	}
	size := tensor.MustFromSlice(tensor.Shape{2}, []int32{int32(height), int32(width)})
	out, err := k(nil, []*tensor.Tensor{img, size})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return out[0], nil
}
