package charts

import (
	"flag"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/testutil"
)

var keep = flag.String("keep", "", "also write the test charts into this folder, to look at")

// decode returns a chart's size and colour counts, keeping the file
// with -keep.
func decode(t *testing.T, name string, data []byte) (image.Point, map[color.NRGBA]int) {
	t.Helper()
	if *keep != "" {
		require.NoError(t, os.WriteFile(filepath.Join(*keep, name), data, 0o644))
	}
	return testutil.PNGColours(t, data)
}

func TestBench(t *testing.T) {
	series := []Series{
		{Name: "none, 1 thread", X: []float64{1, 2, 4, 8}, FPS: []float64{8, 9, 9.5, 9.8}, Latency: []float64{120, 220, 420, 820}},
		{Name: "CPU, 1 thread", X: []float64{1, 2, 4, 8}, FPS: []float64{60, 80, 95, 100}, Latency: []float64{16, 25, 42, 80}},
		{Name: "CPU, 2 threads", X: []float64{1, 2, 4, 8}, FPS: []float64{100, 140, 170, 180}, Latency: []float64{10, 14, 23, 44}},
	}
	data, err := Bench("MobileNetV2", "batch size", "median latency per batch, ms", series)
	require.NoError(t, err)
	size, counts := decode(t, "bench.png", data)
	assert.Equal(t, image.Pt(1152, 432), size)
	for i := range series {
		// A line 2.5 points wide over two panels and its legend entry.
		assert.Greater(t, counts[SeriesColors[i]], 300, "series %d (%s) drawn in %v", i, series[i].Name, SeriesColors[i])
	}
	assert.Zero(t, counts[SeriesColors[3]], "no fourth series")
	assert.Greater(t, counts[color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}], size.X*size.Y/2, "white background")

	_, err = Bench("x", "batch", "ms", nil)
	assert.ErrorIs(t, err, ErrNoData)
	_, err = Bench("x", "batch", "ms", []Series{{Name: "a", X: []float64{1}, FPS: []float64{1}}})
	assert.ErrorIs(t, err, ErrNoData)
}

func TestConfusion(t *testing.T) {
	m := [][]int{{5, 0, 0}, {1, 3, 0}, {0, 0, 0}}
	data, err := Confusion("DS_CNN on the KWS clips", m, []string{"_silence_", "yes", "no"})
	require.NoError(t, err)
	size, counts := decode(t, "confusion.png", data)
	assert.Equal(t, image.Pt(480, 480), size)
	full := counts[ConfusionFull]
	assert.Greater(t, full, 1000, "the all-correct row's diagonal cell is fully coloured")
	// Row "yes": 3 of 4 right, a shade between empty and full.
	// HeatMap picks palette entry int(v·(len-1)+0.5).
	pal, steps := shades{}.Colors(), float64(confusionShades-1)
	threeQuarters := color.NRGBAModel.Convert(pal[int(0.75*steps+0.5)]).(color.NRGBA)
	quarter := color.NRGBAModel.Convert(pal[int(0.25*steps+0.5)]).(color.NRGBA)
	assert.Greater(t, counts[threeQuarters]+counts[quarter], 1000, "the mixed row's cells")

	_, err = Confusion("x", nil, nil)
	assert.ErrorIs(t, err, ErrNoData)
	_, err = Confusion("x", [][]int{{1, 2}}, nil)
	assert.ErrorIs(t, err, ErrNoData)
	_, err = Confusion("x", m, []string{"a"})
	assert.ErrorIs(t, err, ErrNoData)
}

func TestNiceTicks(t *testing.T) {
	var labels []string
	for _, tk := range (niceTicks{}).Ticks(0, 27.3) {
		labels = append(labels, tk.Label)
	}
	assert.Equal(t, []string{"0", "5", "10", "15", "20", "25"}, labels)
	labels = nil
	for _, tk := range (niceTicks{}).Ticks(0, 0.22) {
		labels = append(labels, tk.Label)
	}
	assert.Equal(t, []string{"0", "0.05", "0.1", "0.15", "0.2"}, labels)
	assert.Len(t, (niceTicks{}).Ticks(3, 3), 1)
}
