package testutil

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// ReadTable reads a reference table a test compares against: one row a
// line of whitespace-separated fields, '#' comment lines and blank lines
// skipped. Every row must have exactly fields fields; a missing file or a
// malformed row fails the test.
func ReadTable(t testing.TB, path string, fields int) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	s := bufio.NewScanner(f)
	for line := 1; s.Scan(); line++ {
		text := strings.TrimSpace(s.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		row := strings.Fields(text)
		if len(row) != fields {
			t.Fatalf("%s:%d: %d fields, want %d", path, line, len(row), fields)
		}
		rows = append(rows, row)
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}
