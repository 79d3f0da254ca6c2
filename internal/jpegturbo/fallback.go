//go:build !cgo || nolibjpeg

package jpegturbo

// Exact reports whether the package decodes with libjpeg-turbo, and so
// gives TensorFlow's pixels: false in this build, which uses image/jpeg.
const Exact = false

func readHeader(data []byte, o DecodeOptions) (Header, error) { return stdHeader(data, o) }

func shape(data []byte) (Header, error) { return stdShape(data) }

func decode(data []byte, o DecodeOptions, reserve func(Header) error) (Image, error) {
	return decodeStd(data, o, reserve)
}

func encode(img Image, o EncodeOptions) ([]byte, error) { return encodeStd(img, o) }
