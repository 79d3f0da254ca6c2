package testutil

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// FuzzCorpusFile encodes fuzz arguments ([]byte, string, bool, int64,
// byte, uint8) as a file of a testdata/fuzz/<FuzzName>/ seed corpus.
func FuzzCorpusFile(args ...any) []byte {
	out := []byte("go test fuzz v1\n")
	for _, a := range args {
		switch v := a.(type) {
		case []byte:
			out = fmt.Appendf(out, "[]byte(%q)\n", v)
		case string:
			out = fmt.Appendf(out, "string(%q)\n", v)
		case bool:
			out = fmt.Appendf(out, "bool(%v)\n", v)
		case int64:
			out = fmt.Appendf(out, "int64(%d)\n", v)
		case byte: // also uint8, which Go's corpus files write as byte
			out = fmt.Appendf(out, "byte(%q)\n", rune(v))
		default:
			panic(fmt.Sprintf("testutil.FuzzCorpusFile: unsupported argument type %T", a))
		}
	}
	return out
}

// CheckFuzzCorpus checks that dir (a package's testdata/fuzz/<FuzzName>)
// holds seeds as files seed-00, seed-01, …, so that a committed corpus
// built from fixtures cannot go stale; with update set it writes them
// first. A failure says how to rewrite them (updateHint, such as
// "go test ./graph -run TestFuzzSeedCorpora -update").
func CheckFuzzCorpus(t *testing.T, dir string, seeds [][]any, update bool, updateHint string) {
	t.Helper()
	for i, seed := range seeds {
		p := filepath.Join(dir, fmt.Sprintf("seed-%02d", i))
		want := FuzzCorpusFile(seed...)
		if update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%v: run %s", err, updateHint)
		}
		if string(got) != string(want) {
			t.Fatalf("%s is stale: run %s", p, updateHint)
		}
	}
}
