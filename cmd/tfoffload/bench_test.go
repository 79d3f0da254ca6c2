package main

import (
	"encoding/csv"
	"encoding/json"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/charts"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
)

func TestDropOutliers(t *testing.T) {
	runs := make([]float64, 20)
	for i := range runs {
		runs[i] = 10 + float64(i%3)
	}
	runs[7] = 100
	kept := dropOutliers(runs)
	assert.Len(t, kept, 19, "one run ten times slower is dropped")
	assert.NotContains(t, kept, 100.0)
	// With n runs no z-score exceeds (n-1)/√n, under 3 for n ≤ 10.
	assert.Len(t, dropOutliers([]float64{10, 10, 10, 10, 100}), 5)
	assert.Equal(t, []float64{1, 2}, dropOutliers([]float64{1, 2}))
}

func TestMedian(t *testing.T) {
	assert.Equal(t, 2.0, median([]float64{1, 2, 9}))
	assert.Equal(t, 2.5, median([]float64{1, 2, 3, 9}))
	assert.Zero(t, median(nil))
}

func TestPercentile(t *testing.T) {
	sorted := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	assert.Equal(t, 5.0, percentile(sorted, 0.5))
	assert.Equal(t, 9.0, percentile(sorted, 0.9))
	assert.Equal(t, 10.0, percentile(sorted, 0.99))
	assert.Zero(t, percentile(nil, 0.5))
}

// pngColours reads a PNG file's size and colour counts.
func pngColours(t *testing.T, path string) (image.Point, map[color.NRGBA]int) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return testutil.PNGColours(t, data)
}

// TestBenchSweep: --threads and --batch sweep every pair for every
// backend; the plot has a line per backend and thread count, and the CSV
// a row per result.
func TestBenchSweep(t *testing.T) {
	enginetest.Require(t)
	dir := t.TempDir()
	plot, table := filepath.Join(dir, "sweep.png"), filepath.Join(dir, "sweep.csv")
	code, stdout, stderr := runCLI("bench", sharedRel(t, "frozen/tf2onnx/fc-layers/frozen.pb"), "--iterations", "3", "--warmup", "1",
		"--batch", "1,2", "--threads", "1,2", "--json", "--plot", plot, "--csv", table)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stderr, "no progress bar off a terminal")
	var results []benchResult
	require.NoError(t, json.Unmarshal([]byte(stdout), &results))
	require.Len(t, results, 8, "two thread counts × two batch sizes × two backends")
	var seen []string
	for _, r := range results {
		assert.Equal(t, modeLatency, r.Mode)
		assert.Positive(t, r.FPS)
		assert.LessOrEqual(t, r.P50MS, r.P90MS)
		seen = append(seen, r.Backend+" "+string(rune('0'+r.Threads))+" "+string(rune('0'+r.Batch)))
	}
	assert.Equal(t, []string{"none 1 1", "CPU 1 1", "none 1 2", "CPU 1 2", "none 2 1", "CPU 2 1", "none 2 2", "CPU 2 2"}, seen)

	size, colours := pngColours(t, plot)
	assert.Equal(t, image.Pt(1152, 432), size)
	for i := range 4 {
		assert.Greater(t, colours[charts.SeriesColors[i]], 200, "series %d drawn", i)
	}
	assert.Zero(t, colours[charts.SeriesColors[4]], "four series only")

	f, err := os.Open(table)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 9)
	assert.Equal(t, benchCSVHeader, rows[0])
	assert.Equal(t, []string{"latency", "CPU", "2", "2", "0", "3"}, rows[8][:6])
}

// TestBenchThroughput: --mode throughput keeps each --requests count in
// flight and reports throughput and latency percentiles per request.
func TestBenchThroughput(t *testing.T) {
	enginetest.Require(t)
	plot := filepath.Join(t.TempDir(), "tp.png")
	code, stdout, stderr := runCLI("bench", sharedRel(t, "frozen/tf2onnx/fc-layers/frozen.pb"), "--mode", "throughput",
		"--requests", "1,3", "--iterations", "6", "--rounds", "2", "--warmup", "0", "--csv", "-", "--plot", plot)
	require.Equal(t, exitOK, code, stderr)
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 5, "header, two backends × two request counts")
	// 6 requests in each of 2 rounds.
	for i, want := range [][]string{{"throughput", "none", "0", "1", "1", "12"}, {"throughput", "CPU", "0", "1", "1", "12"},
		{"throughput", "none", "0", "1", "3", "12"}, {"throughput", "CPU", "0", "1", "3", "12"}} {
		assert.Equal(t, want, rows[i+1][:6])
	}
	for _, row := range []int{2, 4} {
		diff, err := strconv.ParseFloat(rows[row][13], 64)
		require.NoError(t, err)
		assert.Greater(t, diff, 0.0, "outputs compared even with --warmup 0 (float32 rounding differs)")
		assert.Less(t, diff, 1e-4)
	}
	size, colours := pngColours(t, plot)
	assert.Equal(t, image.Pt(1152, 432), size)
	assert.Greater(t, colours[charts.SeriesColors[0]], 200, "none")
	assert.Greater(t, colours[charts.SeriesColors[1]], 200, "CPU")
	assert.Zero(t, colours[charts.SeriesColors[2]], "one line per backend, x = requests in flight")
}

func TestBenchFlagErrors(t *testing.T) {
	model := writeModel(t, batchModel)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"requests without throughput", []string{"--requests", "2"}, exitUsage, "--requests needs --mode throughput"},
		{"rounds without throughput", []string{"--rounds", "2"}, exitUsage, "--rounds needs --mode throughput"},
		{"zero rounds", []string{"--mode", "throughput", "--rounds", "0"}, exitUsage, "--rounds 0: want at least 1"},
		{"unknown mode", []string{"--mode", "fast"}, exitUsage, `--mode "fast": want latency or throughput`},
		{"zero threads", []string{"--threads", "0"}, exitUsage, "--threads 0: a thread count must be at least 1"},
		{"zero requests", []string{"--mode", "throughput", "--requests", "0"}, exitUsage, "--requests 0: a number of requests must be at least 1"},
		{"no backends", []string{"--backends", ""}, exitUsage, "--backends: name at least one backend"},
		{"plot into a missing folder", []string{"--backends", "none", "--input-shape", "u=1", "--plot", filepath.Join(dir, "no", "p.png")}, exitError, "--plot: open " + filepath.Join(dir, "no")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(append([]string{"bench", model, "--iterations", "1", "--warmup", "0"}, tc.args...)...)
			assert.Equal(t, tc.code, code, stderr)
			assert.Empty(t, stdout)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
			assert.Contains(t, stderr, tc.want)
		})
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing written")
}
