package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	assert.Nil(t, newProgress(&buf, "x", 10), "not a terminal: no bar")
	f, err := os.CreateTemp(t.TempDir(), "f")
	assert.NoError(t, err)
	defer f.Close()
	assert.Nil(t, newProgress(f, "x", 10), "a regular file: no bar")

	var nilBar *progress
	nilBar.Step() // a nil bar draws nothing and does not panic
	nilBar.Finish()

	p := &progress{w: &buf, label: "images", total: 4}
	for range 4 {
		p.Step()
	}
	out := buf.String()
	assert.True(t, strings.HasPrefix(out, "\rimages 1/4 ["), out)
	assert.Contains(t, out, "\rimages 4/4 ["+strings.Repeat("=", progressWidth)+"]")
	p.Finish()
	assert.True(t, strings.HasSuffix(buf.String(), "\r"))
}

// TestProgressStages: Set draws each new stage at once, pads a shorter
// line over a longer one, and Finish erases the widest.
func TestProgressStages(t *testing.T) {
	var buf bytes.Buffer
	assert.Nil(t, newStagesProgress(&buf), "not a terminal: no bar")
	var nilBar *progress
	nilBar.Set("x", 1, 2) // a nil bar draws nothing and does not panic

	p := &progress{w: &buf}
	p.Set("ranking layers", 0, 64)
	p.Set("ranking layers", 1, 64) // not due: not drawn
	p.Set("reverting", 3, 6)
	lines := strings.Split(buf.String(), "\r")[1:]
	require.Len(t, lines, 2)
	assert.True(t, strings.HasPrefix(lines[0], "ranking layers  0/64 ["), lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "reverting 3/6 ["+strings.Repeat("=", progressWidth/2)), lines[1])
	assert.Equal(t, len(lines[0]), len(lines[1]), "the shorter line covers the longer one")
	buf.Reset()
	p.Finish()
	assert.Equal(t, "\r"+strings.Repeat(" ", len(lines[0]))+"\r", buf.String())
}
