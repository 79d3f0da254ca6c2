package jpegturbo

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
)

// The standard library's decoder: the fallback when libjpeg-turbo is not
// linked, and, in every build, what the tests measure the fallback's
// difference from libjpeg-turbo with.

// stdChannels returns the channels a DecodeJpeg with channels gives a file
// of colour model m, and the file's own component count.
func stdChannels(m color.Model, channels int) (out, file int, err error) {
	switch m {
	case color.GrayModel:
		file = 1
	case color.CMYKModel:
		file = 4
	default:
		file = 3
	}
	out = channels
	if out == 0 {
		out = min(file, 3)
	}
	if out == 1 && file == 4 {
		return 0, 0, fmt.Errorf("%w: a CMYK image cannot be decoded to grayscale", ErrInvalid)
	}
	return out, file, nil
}

func stdHeader(data []byte, o DecodeOptions) (Header, error) {
	if o.Ratio != 1 {
		return Header{}, fmt.Errorf("%w: ratio %d needs libjpeg-turbo, which this build lacks", ErrOptions, o.Ratio)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Header{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	out, file, err := stdChannels(cfg.ColorModel, o.Channels)
	if err != nil {
		return Header{}, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Header{}, fmt.Errorf("%w: image is %d×%d", ErrInvalid, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height)*int64(file) >= maxSamples {
		return Header{}, fmt.Errorf("%w: TensorFlow decodes fewer than 2^29 samples", ErrTooLarge)
	}
	return Header{Width: cfg.Width, Height: cfg.Height, Channels: out}, nil
}

func stdShape(data []byte) (Header, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Header{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	_, file, _ := stdChannels(cfg.ColorModel, 0)
	return Header{Width: cfg.Width, Height: cfg.Height, Channels: file}, nil
}

// decodeStd decodes with image/jpeg. Truncated files are errors.
func decodeStd(data []byte, o DecodeOptions, reserve func(Header) error) (Image, error) {
	full, err := stdHeader(data, o)
	if err != nil {
		return Image{}, err
	}
	h, err := o.reserveFor(full, reserve)
	if err != nil {
		return Image{}, err
	}
	src, err := jpeg.Decode(bytes.NewReader(data))
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return Image{}, fmt.Errorf("%w: image/jpeg decodes no partial images: %v", ErrTruncated, err)
	}
	if err != nil {
		return Image{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	win := image.Rect(0, 0, h.Width, h.Height)
	if c := o.Crop; c != nil {
		win = image.Rect(c.X, c.Y, c.X+c.Width, c.Y+c.Height)
	}
	win = win.Add(src.Bounds().Min)
	img := Image{Header: h, Pix: make([]byte, 0, h.Samples())}
	for y := win.Min.Y; y < win.Max.Y; y++ {
		for x := win.Min.X; x < win.Max.X; x++ {
			img.Pix = appendPixel(img.Pix, src, x, y, h.Channels)
		}
	}
	return img, nil
}

// appendPixel appends the pixel at x, y as channels samples.
func appendPixel(dst []byte, src image.Image, x, y, channels int) []byte {
	switch s := src.(type) {
	case *image.Gray:
		v := s.GrayAt(x, y).Y
		if channels == 1 {
			return append(dst, v)
		}
		return append(dst, v, v, v)
	case *image.YCbCr:
		c := s.YCbCrAt(x, y)
		if channels == 1 {
			return append(dst, c.Y)
		}
		r, g, b := color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
		return append(dst, r, g, b)
	case *image.CMYK:
		// image/jpeg has undone Adobe's inversion already.
		c := s.CMYKAt(x, y)
		k := 255 - int(c.K)
		return append(dst, byte(k*(255-int(c.C))/255), byte(k*(255-int(c.M))/255), byte(k*(255-int(c.Y))/255))
	}
	// image/jpeg returns no other image types.
	panic(fmt.Sprintf("jpegturbo: image/jpeg returned a %T", src))
}

// encodeStd encodes with image/jpeg, which honours only the quality.
func encodeStd(img Image, o EncodeOptions) ([]byte, error) {
	var src image.Image
	r := image.Rect(0, 0, img.Width, img.Height)
	if img.Channels == 1 {
		src = &image.Gray{Pix: img.Pix, Stride: img.Width, Rect: r}
	} else {
		rgba := image.NewNRGBA(r)
		for i := range img.Width * img.Height {
			copy(rgba.Pix[4*i:], img.Pix[3*i:3*i+3])
			rgba.Pix[4*i+3] = 255
		}
		src = rgba
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: max(o.Quality, 1)}); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return buf.Bytes(), nil
}
