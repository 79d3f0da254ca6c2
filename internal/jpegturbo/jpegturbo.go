package jpegturbo

import (
	"errors"
	"fmt"
)

// Errors that Decode, ReadHeader and Encode wrap.
var (
	// ErrInvalid is wrapped for data that is not a JPEG image libjpeg can
	// decode; the error carries libjpeg's message.
	ErrInvalid = errors.New("invalid JPEG data")
	// ErrTruncated is wrapped when the data ends before a smaller fraction
	// of the rows than DecodeOptions.AcceptableFraction could be read.
	ErrTruncated = errors.New("JPEG data is truncated")
	// ErrTooLarge is wrapped for images of 2²⁹ samples or more, which
	// TensorFlow refuses before decoding.
	ErrTooLarge = errors.New("JPEG image is too large")
	// ErrCropWindow is wrapped for a crop window that is empty or not
	// inside the image.
	ErrCropWindow = errors.New("crop window is not inside the image")
	// ErrOptions is wrapped for options outside what the functions accept.
	ErrOptions = errors.New("invalid JPEG options")
)

// maxSamples is TensorFlow's bound on width × height × components.
const maxSamples = 1 << 29

// DCTMethod is the inverse DCT libjpeg uses.
type DCTMethod uint8

const (
	// IntegerFast is JDCT_IFAST, TensorFlow's default (dct_method "" and
	// "INTEGER_FAST").
	IntegerFast DCTMethod = iota
	// IntegerAccurate is JDCT_ISLOW (dct_method "INTEGER_ACCURATE").
	IntegerAccurate
)

// Window is a crop window in the pixels of the (scaled) image.
type Window struct{ X, Y, Width, Height int }

// DecodeOptions are DecodeJpeg's attributes. The zero value is not
// TensorFlow's default; see DefaultDecodeOptions.
type DecodeOptions struct {
	// Channels is 0 (the file's: 1 for grayscale, 3 otherwise), 1 or 3.
	Channels int
	// Ratio is the downscaling factor: 1, 2, 4 or 8.
	Ratio          int
	FancyUpscaling bool
	// TryRecoverTruncated completes a truncated image by repeating its
	// last decoded row.
	TryRecoverTruncated bool
	// AcceptableFraction is the least fraction of rows a truncated image
	// must have to decode; the missing rows are black.
	AcceptableFraction float32
	DCT                DCTMethod
	// Crop, when not nil, decodes only this window.
	Crop *Window
}

// DefaultDecodeOptions returns DecodeJpeg's default attributes.
func DefaultDecodeOptions() DecodeOptions {
	return DecodeOptions{Ratio: 1, FancyUpscaling: true, AcceptableFraction: 1}
}

// Header is the size of a decoded image.
type Header struct{ Width, Height, Channels int }

// Samples returns Width × Height × Channels.
func (h Header) Samples() int64 { return int64(h.Width) * int64(h.Height) * int64(h.Channels) }

// Image is a decoded image: Height rows of Width pixels of Channels
// interleaved uint8 samples.
type Image struct {
	Header
	Pix []byte
}

// EncodeOptions are EncodeJpeg's attributes.
type EncodeOptions struct {
	// Quality is 0 to 100.
	Quality            int
	Progressive        bool
	OptimizeSize       bool
	ChromaDownsampling bool
	// DensityUnit is 1 for dots per inch, 2 for dots per centimetre.
	DensityUnit        int
	XDensity, YDensity int
	XMPMetadata        string
}

// DefaultEncodeOptions returns EncodeJpeg's default attributes.
func DefaultEncodeOptions() EncodeOptions {
	return EncodeOptions{Quality: 95, ChromaDownsampling: true, DensityUnit: 1, XDensity: 300, YDensity: 300}
}

// check validates o and returns the output size the crop window gives
// an image of h.
func (o DecodeOptions) check() error {
	switch {
	case o.Ratio != 1 && o.Ratio != 2 && o.Ratio != 4 && o.Ratio != 8:
		return fmt.Errorf("%w: ratio must be 1, 2, 4 or 8, got %d", ErrOptions, o.Ratio)
	case o.Channels != 0 && o.Channels != 1 && o.Channels != 3:
		return fmt.Errorf("%w: channels must be 0, 1 or 3, got %d", ErrOptions, o.Channels)
	case o.DCT > IntegerAccurate:
		return fmt.Errorf("%w: unknown DCT method %d", ErrOptions, o.DCT)
	}
	return nil
}

// cropped returns the output header for an image of h under o's crop
// window, checking that the window lies inside the image.
func (o DecodeOptions) cropped(h Header) (Header, error) {
	c := o.Crop
	if c == nil {
		return h, nil
	}
	if c.Width <= 0 || c.Height <= 0 || c.X < 0 || c.Y < 0 ||
		int64(c.X)+int64(c.Width) > int64(h.Width) || int64(c.Y)+int64(c.Height) > int64(h.Height) {
		return Header{}, fmt.Errorf("%w: window x=%d y=%d width=%d height=%d, image %d×%d",
			ErrCropWindow, c.X, c.Y, c.Width, c.Height, h.Width, h.Height)
	}
	return Header{Width: c.Width, Height: c.Height, Channels: h.Channels}, nil
}

// reserveFor returns the output header for an image of full under o's
// crop window, after reserve (when not nil) has accepted it.
func (o DecodeOptions) reserveFor(full Header, reserve func(Header) error) (Header, error) {
	h, err := o.cropped(full)
	if err != nil {
		return Header{}, err
	}
	if reserve != nil {
		if err := reserve(h); err != nil {
			return Header{}, err
		}
	}
	return h, nil
}

// acceptTruncated applies AcceptableFraction to an image of which only
// rows rows were read: it blackens the rest, or fails.
func (o DecodeOptions) acceptTruncated(img Image, rows int) (Image, error) {
	fraction := float32(1)
	if img.Height > 0 {
		fraction = float32(rows) / float32(img.Height)
	}
	if fraction < min(1, o.AcceptableFraction) {
		return Image{}, fmt.Errorf("%w: %d of %d rows could be read, fewer than the acceptable fraction %g",
			ErrTruncated, rows, img.Height, o.AcceptableFraction)
	}
	clear(img.Pix[rows*img.Width*img.Channels:])
	return img, nil
}

// Decode decodes data with o. Before allocating the image it calls
// reserve with the output size, which may refuse it (a memory budget).
func Decode(data []byte, o DecodeOptions, reserve func(Header) error) (Image, error) {
	if err := o.check(); err != nil {
		return Image{}, err
	}
	if len(data) == 0 {
		return Image{}, fmt.Errorf("%w: empty input", ErrInvalid)
	}
	return decode(data, o, reserve)
}

// ReadHeader returns the size of the image DecodeJpeg gives data with o
// (crop window included) without decoding its pixels.
func ReadHeader(data []byte, o DecodeOptions) (Header, error) {
	if err := o.check(); err != nil {
		return Header{}, err
	}
	if len(data) == 0 {
		return Header{}, fmt.Errorf("%w: empty input", ErrInvalid)
	}
	h, err := readHeader(data, o)
	if err != nil {
		return Header{}, err
	}
	return o.cropped(h)
}

// Shape returns the image's size as TensorFlow's ExtractJpegShape reports
// it: full size, and the components libjpeg outputs by default (1 for
// grayscale, 3 for YCbCr and RGB, 4 for CMYK and YCCK). It reads the
// header only, where TensorFlow also starts decompression (which, for a
// progressive file, reads every scan): a file whose scans are corrupt can
// have a shape here and an error there.
func Shape(data []byte) (Header, error) {
	if len(data) == 0 {
		return Header{}, fmt.Errorf("%w: empty input", ErrInvalid)
	}
	return shape(data)
}

// Encode compresses img (1 or 3 channels) with o.
func Encode(img Image, o EncodeOptions) ([]byte, error) {
	switch {
	case o.Quality < 0 || o.Quality > 100:
		return nil, fmt.Errorf("%w: quality must be in [0,100], got %d", ErrOptions, o.Quality)
	case img.Channels != 1 && img.Channels != 3:
		return nil, fmt.Errorf("%w: image must have 1 or 3 channels, got %d", ErrOptions, img.Channels)
	case img.Width <= 0 || img.Height <= 0:
		return nil, fmt.Errorf("%w: cannot encode an empty %d×%d image", ErrOptions, img.Width, img.Height)
	case int64(img.Width)*int64(img.Height) >= maxSamples:
		return nil, fmt.Errorf("%w: %d×%d pixels", ErrTooLarge, img.Width, img.Height)
	case int64(len(img.Pix)) != img.Samples():
		return nil, fmt.Errorf("%w: %d bytes of pixels for a %d×%d×%d image", ErrOptions, len(img.Pix), img.Width, img.Height, img.Channels)
	}
	return encode(img, o)
}
