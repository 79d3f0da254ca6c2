package dataset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tfoffload/tfoffload/tensor"
)

// Preprocess says how an image becomes a model input. The zero value of
// a field means its default; Normalized fills them in.
type Preprocess struct {
	// Height and Width are the input's size (required for images).
	Height int `json:"height"`
	Width  int `json:"width"`
	// Channels is 3 (colour, the default) or 1 (luminance).
	Channels int `json:"channels"`
	// Order is "RGB" (the default) or "BGR".
	Order string `json:"order"`
	// Crop is "" (none) or "center": the largest central square first.
	Crop string `json:"crop"`
	// Resize is "bilinear" (the default), "nearest", "bicubic" or "area".
	Resize string `json:"resize"`
	// Scale multiplies each 8-bit value (default 1); Mean is then
	// subtracted and the result divided by Std, per channel (one value
	// for all channels, or one each; defaults 0 and 1).
	Scale float64   `json:"scale"`
	Mean  []float64 `json:"mean"`
	Std   []float64 `json:"std"`
	// Layout is "NHWC" (the default) or "NCHW".
	Layout string `json:"layout"`
	// DType is the input's dtype: "float32" (the default), "float16",
	// "float64", "uint8" or "int32"; integer inputs are rounded and
	// saturated.
	DType string `json:"dtype"`
}

// ParsePreset reads a JSON preset into a Preprocess; unknown fields are
// errors, and the result is checked by Normalized.
func ParsePreset(data []byte) (Preprocess, error) {
	var p Preprocess
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Preprocess{}, fmt.Errorf("%w preset: %w", ErrMalformed, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Preprocess{}, fmt.Errorf("%w preset: data after the JSON object", ErrMalformed)
	}
	return p.Normalized()
}

// ReadPreset reads a JSON preset file (see ParsePreset).
func ReadPreset(path string) (Preprocess, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Preprocess{}, fmt.Errorf("dataset: preset: %w", err)
	}
	p, err := ParsePreset(data)
	if err != nil {
		return Preprocess{}, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// dtypes are the dtypes a preprocessed image may have.
var dtypes = map[string]tensor.DType{"float32": tensor.Float32, "float16": tensor.Float16, "float64": tensor.Float64,
	"uint8": tensor.Uint8, "int32": tensor.Int32}

// resizeOps maps Resize to tfexec's kernel.
var resizeOps = map[string]string{"bilinear": "ResizeBilinear", "nearest": "ResizeNearestNeighbor",
	"bicubic": "ResizeBicubic", "area": "ResizeArea"}

// maxSide bounds Height and Width, so a preset cannot ask for an input
// larger than any model takes.
const maxSide = 1 << 14

// Normalized returns p with defaults filled in and names in canonical
// case, or an error naming the first field that is wrong. Height and
// Width may be 0: the model's input shape gives them (WithSize).
func (p Preprocess) Normalized() (Preprocess, error) {
	bad := func(field string, format string, args ...any) (Preprocess, error) {
		return Preprocess{}, fmt.Errorf("%w preset: %s: %s", ErrMalformed, field, fmt.Sprintf(format, args...))
	}
	if p.Height < 0 || p.Width < 0 || p.Height > maxSide || p.Width > maxSide {
		return bad("height/width", "%dx%d is not a size from 1 to %d", p.Height, p.Width, maxSide)
	}
	if p.Channels == 0 {
		p.Channels = 3
	}
	if p.Channels != 1 && p.Channels != 3 {
		return bad("channels", "%d, want 1 or 3", p.Channels)
	}
	if p.Order = strings.ToUpper(p.Order); p.Order == "" {
		p.Order = "RGB"
	}
	if p.Order != "RGB" && p.Order != "BGR" {
		return bad("order", "%q, want RGB or BGR", p.Order)
	}
	if p.Crop = strings.ToLower(p.Crop); p.Crop != "" && p.Crop != "center" {
		return bad("crop", "%q, want center or nothing", p.Crop)
	}
	if p.Resize = strings.ToLower(p.Resize); p.Resize == "" {
		p.Resize = "bilinear"
	}
	if resizeOps[p.Resize] == "" {
		return bad("resize", "%q, want bilinear, nearest, bicubic or area", p.Resize)
	}
	if p.Scale == 0 {
		p.Scale = 1
	}
	if p.Layout = strings.ToUpper(p.Layout); p.Layout == "" {
		p.Layout = "NHWC"
	}
	if p.Layout != "NHWC" && p.Layout != "NCHW" {
		return bad("layout", "%q, want NHWC or NCHW", p.Layout)
	}
	if p.DType = strings.ToLower(p.DType); p.DType == "" {
		p.DType = "float32"
	}
	if _, ok := dtypes[p.DType]; !ok {
		return bad("dtype", "%q, want float32, float16, float64, uint8 or int32", p.DType)
	}
	var err error
	if p.Mean, err = perChannel(p.Mean, p.Channels, 0); err != nil {
		return bad("mean", "%v", err)
	}
	if p.Std, err = perChannel(p.Std, p.Channels, 1); err != nil {
		return bad("std", "%v", err)
	}
	for _, s := range p.Std {
		if s == 0 {
			return bad("std", "a standard deviation of 0")
		}
	}
	return p, nil
}

// perChannel expands vals to one value per channel.
func perChannel(vals []float64, channels int, def float64) ([]float64, error) {
	switch len(vals) {
	case 0:
		vals = []float64{def}
		fallthrough
	case 1:
		out := make([]float64, channels)
		for i := range out {
			out[i] = vals[0]
		}
		return out, nil
	case channels:
		return append([]float64(nil), vals...), nil
	}
	return nil, fmt.Errorf("%d values for %d channels", len(vals), channels)
}

// WithSize returns p sized and typed for a model input of shape (rank 4,
// laid out as p.Layout; unknown dimensions negative) and dtype, where p
// leaves them unset: the size from the shape, the channels from it when
// p's are the default and the shape says 1, the dtype from the input's.
func (p Preprocess) WithSize(shape []int64, dt tensor.DType) (Preprocess, error) {
	p, err := p.Normalized()
	if err != nil {
		return p, err
	}
	if len(shape) == 4 {
		h, w, c := shape[1], shape[2], shape[3]
		if p.Layout == "NCHW" {
			c, h, w = shape[1], shape[2], shape[3]
		}
		if p.Height == 0 && h > 0 {
			p.Height = int(h)
		}
		if p.Width == 0 && w > 0 {
			p.Width = int(w)
		}
		switch {
		case c == 1:
			p.Channels = 1
		case c > 0 && c != 3:
			return Preprocess{}, fmt.Errorf("%w preset: layout: an input of shape %v read as %s has %d channels, want 1 or 3 (is it the other layout?)",
				ErrMalformed, shape, p.Layout, c)
		}
		p.Mean, p.Std = uniform(p.Mean, p.Channels), uniform(p.Std, p.Channels)
	}
	for name, d := range dtypes {
		if d == dt {
			p.DType = name
		}
	}
	return p.Normalized()
}

// uniform shortens vals to one value when it has the same value for a
// different number of channels than channels, so that Normalized expands
// it again; values that differ stay, for Normalized to refuse.
func uniform(vals []float64, channels int) []float64 {
	if len(vals) == channels {
		return vals
	}
	for _, v := range vals {
		if v != vals[0] {
			return vals
		}
	}
	return vals[:1]
}
