package image

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
)

// pngKnownDifferences are the reference decodes this package does not
// reproduce, with the reason (see the package documentation).
var pngKnownDifferences = map[string]string{
	"rgb_gama.png/1/8":  "libpng converts RGB to gray in linear light when the file has a gAMA chunk; up to 51 levels apart here",
	"rgb_gama.png/1/16": "libpng converts RGB to gray in linear light when the file has a gAMA chunk",
}

// TestDecodePngMatchesLibpng decodes the images of testdata/pngref with
// every channels and dtype setting and compares the samples with libpng's
// under TensorFlow's transformations (testdata/pngref/refpng.c).
func TestDecodePngMatchesLibpng(t *testing.T) {
	f, err := os.Open("testdata/pngref/reference.txt")
	require.NoError(t, err)
	defer f.Close()
	s := bufio.NewScanner(f)
	n := 0
	for s.Scan() {
		if strings.HasPrefix(s.Text(), "#") {
			continue
		}
		fs := strings.Fields(s.Text())
		require.Len(t, fs, 7)
		num := func(i int) int {
			v, err := strconv.Atoi(fs[i])
			require.NoError(t, err)
			return v
		}
		n++
		name := strings.Join(fs[:3], "/")
		t.Run(name, func(t *testing.T) {
			if why, ok := pngKnownDifferences[name]; ok {
				t.Skip(why)
			}
			data, err := os.ReadFile(filepath.Join("testdata/pngref", fs[0]))
			require.NoError(t, err)
			dt := tensor.Uint8
			if fs[2] == "16" {
				dt = tensor.Uint16
			}
			out := run(t, "DecodePng", map[string]any{"channels": num(1), "dtype": dt}, tensor.Scalar(string(data)))[0]
			require.Equal(t, tensor.Shape{num(3), num(4), num(5)}, out.Shape())
			var raw []byte
			if dt == tensor.Uint8 {
				raw = tensor.Values[uint8](out)
			} else {
				for _, v := range tensor.Values[uint16](out) {
					raw = binary.LittleEndian.AppendUint16(raw, v)
				}
			}
			sum := sha256.Sum256(raw)
			assert.Equal(t, fs[6], hex.EncodeToString(sum[:]), "samples differ from libpng's")
		})
	}
	require.NoError(t, s.Err())
	require.Equal(t, 64, n)
}
