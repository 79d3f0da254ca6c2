//go:build cgo && !nolibjpeg

package jpegturbo

/*
#cgo LDFLAGS: -ljpeg
#include <stdlib.h>
#include "jpegturbo.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Exact reports whether the package decodes with libjpeg-turbo, and so
// gives TensorFlow's pixels: true in this build.
const Exact = true

// cFlags converts o to the C side's flags.
func cFlags(o DecodeOptions) C.tfo_jpeg_flags {
	f := C.tfo_jpeg_flags{
		components:            C.int(o.Channels),
		ratio:                 C.int(o.Ratio),
		fancy_upscaling:       cBool(o.FancyUpscaling),
		try_recover_truncated: cBool(o.TryRecoverTruncated),
		accurate_dct:          cBool(o.DCT == IntegerAccurate),
	}
	if c := o.Crop; c != nil {
		f.crop = 1
		f.crop_x, f.crop_y = C.int(c.X), C.int(c.Y)
		f.crop_width, f.crop_height = C.int(c.Width), C.int(c.Height)
	}
	return f
}

func cBool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// cError turns a C return code other than TFO_JPEG_OK into an error.
func cError(rc C.int, info *C.tfo_jpeg_info) error {
	msg := C.GoString(&info.msg[0])
	switch rc {
	case C.TFO_JPEG_TOO_LARGE:
		return fmt.Errorf("%w: TensorFlow decodes fewer than 2^29 samples", ErrTooLarge)
	case C.TFO_JPEG_BAD_PARAM:
		if msg != "" {
			return fmt.Errorf("%w: %s", ErrOptions, msg)
		}
		return fmt.Errorf("%w: libjpeg cannot decode the image with these options (%d components)", ErrInvalid, info.components)
	case C.TFO_JPEG_NOMEM:
		return fmt.Errorf("%w: out of C memory", ErrInvalid)
	}
	if msg == "" {
		msg = "libjpeg failed"
	}
	return fmt.Errorf("%w: %s", ErrInvalid, msg)
}

// cData returns a pointer to data's bytes for the duration of a C call.
func cData(data []byte) *C.uint8_t { return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(data))) }

func readHeader(data []byte, o DecodeOptions) (Header, error) {
	f := cFlags(o)
	f.crop = 0
	var info C.tfo_jpeg_info
	if rc := C.tfo_jpeg_header(cData(data), C.size_t(len(data)), &f, &info); rc != C.TFO_JPEG_OK {
		return Header{}, cError(rc, &info)
	}
	return Header{Width: int(info.width), Height: int(info.height), Channels: int(info.components)}, nil
}

func shape(data []byte) (Header, error) {
	f := C.tfo_jpeg_flags{components: -1, ratio: 1}
	var info C.tfo_jpeg_info
	if rc := C.tfo_jpeg_header(cData(data), C.size_t(len(data)), &f, &info); rc != C.TFO_JPEG_OK {
		return Header{}, cError(rc, &info)
	}
	return Header{Width: int(info.width), Height: int(info.height), Channels: int(info.components)}, nil
}

func decode(data []byte, o DecodeOptions, reserve func(Header) error) (Image, error) {
	full, err := readHeader(data, o)
	if err != nil {
		return Image{}, err
	}
	h, err := o.reserveFor(full, reserve)
	if err != nil {
		return Image{}, err
	}
	img := Image{Header: h, Pix: make([]byte, h.Samples())}
	f := cFlags(o)
	var info C.tfo_jpeg_info
	rc := C.tfo_jpeg_decode(cData(data), C.size_t(len(data)), &f, cData(img.Pix), C.size_t(len(img.Pix)), &info)
	switch {
	case rc == C.TFO_JPEG_TRUNCATED:
		return o.acceptTruncated(img, int(info.rows_read))
	case rc != C.TFO_JPEG_OK:
		return Image{}, cError(rc, &info)
	case int(info.width) != h.Width || int(info.height) != h.Height || int(info.components) != h.Channels:
		// The header was read twice from the same bytes.
		return Image{}, fmt.Errorf("%w: decoded %d×%d×%d, header said %d×%d×%d", ErrInvalid,
			info.width, info.height, info.components, h.Width, h.Height, h.Channels)
	}
	return img, nil
}

func encode(img Image, o EncodeOptions) ([]byte, error) {
	f := C.tfo_jpeg_encode_flags{
		quality:             C.int(o.Quality),
		progressive:         cBool(o.Progressive),
		optimize_size:       cBool(o.OptimizeSize),
		chroma_downsampling: cBool(o.ChromaDownsampling),
		density_unit:        C.int(o.DensityUnit),
		x_density:           C.int(o.XDensity),
		y_density:           C.int(o.YDensity),
	}
	var xmp *C.uint8_t
	if o.XMPMetadata != "" {
		xmp = (*C.uint8_t)(C.CBytes([]byte(o.XMPMetadata)))
		defer C.free(unsafe.Pointer(xmp))
	}
	f.xmp, f.xmp_len = xmp, C.size_t(len(o.XMPMetadata))
	var out *C.uint8_t
	var n C.size_t
	var info C.tfo_jpeg_info
	rc := C.tfo_jpeg_encode(cData(img.Pix), C.int(img.Width), C.int(img.Height), C.int(img.Channels), &f, &out, &n, &info)
	if out != nil {
		defer C.free(unsafe.Pointer(out))
	}
	if rc != C.TFO_JPEG_OK {
		return nil, cError(rc, &info)
	}
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}
