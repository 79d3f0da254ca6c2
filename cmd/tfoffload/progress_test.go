package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
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
