package dataset

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfoffload/tfoffload/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite the fuzz seed corpora")

var (
	csvSeeds = [][]any{
		{[]byte("file,label\nimgs/a.png,cat\n# comment\nb.jpg, dog\nc.wav\n")},
		{[]byte("\"quoted, name.png\",\"a label\"\n")},
		{[]byte("a.png,cat,extra\n")},
		{[]byte("\"unterminated.png,cat\n")},
	}
	presetSeeds = [][]any{
		{[]byte(`{"height": 224, "width": 224, "crop": "center", "scale": 0.00392156862745098}`)},
		{[]byte(`{"channels": 1, "order": "BGR", "mean": [127.5], "std": [127.5], "layout": "NCHW", "dtype": "uint8"}`)},
		{[]byte(`{"mean": [1, 2], "resize": "area"}`)},
		{[]byte(`{"height": 1e400}`)},
	}
	labelSeeds = [][]any{
		{"_silence_\n_unknown_\nyes\nno\n"},
		{"a\n\nb\n"},
		{"a\r\nb\r\na\r\n"},
	}
)

func TestFuzzSeedCorpora(t *testing.T) {
	hint := "go test ./dataset -run TestFuzzSeedCorpora -update"
	testutil.CheckFuzzCorpus(t, filepath.Join("testdata", "fuzz", "FuzzParseCSV"), csvSeeds, *update, hint)
	testutil.CheckFuzzCorpus(t, filepath.Join("testdata", "fuzz", "FuzzParsePreset"), presetSeeds, *update, hint)
	testutil.CheckFuzzCorpus(t, filepath.Join("testdata", "fuzz", "FuzzParseLabels"), labelSeeds, *update, hint)
}

// FuzzParseCSV: any bytes either parse into samples with a file of a
// known extension each, or fail with a one-line error.
func FuzzParseCSV(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add(s[0].([]byte))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := ParseCSV(strings.NewReader(string(data)), "/d/set.csv")
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		for _, s := range set.Samples {
			if !usable(filepath.Base(s.Path)) || !filepath.IsAbs(s.Path) {
				t.Fatalf("sample %+v", s)
			}
		}
	})
}

// FuzzParsePreset: a preset that parses is normalized (parsing its own
// normalization again gives it back) and fully defined.
func FuzzParsePreset(f *testing.F) {
	for _, s := range presetSeeds {
		f.Add(s[0].([]byte))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePreset(data)
		if err != nil {
			return
		}
		if len(p.Mean) != p.Channels || len(p.Std) != p.Channels || p.Scale == 0 {
			t.Fatalf("not normalized: %+v", p)
		}
		again, err := p.Normalized()
		if err != nil {
			t.Fatalf("normalized preset refused: %v", err)
		}
		if again.Order != p.Order || again.Layout != p.Layout || again.DType != p.DType || again.Resize != p.Resize {
			t.Fatalf("normalizing twice changed %+v to %+v", p, again)
		}
	})
}

// FuzzParseLabels: labels that parse are non-empty, trimmed and unique.
func FuzzParseLabels(f *testing.F) {
	for _, s := range labelSeeds {
		f.Add(s[0].(string))
	}
	f.Fuzz(func(t *testing.T, text string) {
		labels, err := ParseLabels(text)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, l := range labels {
			if l == "" || l != strings.TrimSpace(l) || seen[l] {
				t.Fatalf("label %q in %q", l, labels)
			}
			seen[l] = true
		}
	})
}
