package dataset

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/tfoffload/tfoffload/internal/fsutil"
)

// ErrEmpty reports a data set with no usable file.
var ErrEmpty = errors.New("dataset: no usable files")

// ErrMalformed is wrapped by errors for a CSV data set or labels file
// that cannot be read as one.
var ErrMalformed = errors.New("dataset: malformed")

// Extensions are the file extensions a data set uses, lower case: images,
// WAV recordings and NumPy arrays.
var Extensions = []string{".jpeg", ".jpg", ".npy", ".png", ".wav"}

// Sample is one input file and its label ("" when unlabelled).
type Sample struct {
	Path  string
	Label string
}

// Set is a data set: its samples in a fixed order (sorted by class
// folder and file name, or the CSV's order).
type Set struct {
	Source  string // the folder or CSV file it was read from
	Samples []Sample
}

// Labelled returns how many samples have a label.
func (s *Set) Labelled() int {
	n := 0
	for _, x := range s.Samples {
		if x.Label != "" {
			n++
		}
	}
	return n
}

// Open reads a data set from a folder (one sub-folder per class, or
// unlabelled files) or a CSV file of file,label rows. It reads no input:
// a file that cannot be decoded is found when it is loaded.
func Open(path string) (*Set, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	var set *Set
	switch {
	case fi.IsDir():
		set, err = openDir(path)
	case fi.Mode().IsRegular():
		var f *os.File
		if f, err = os.Open(path); err != nil {
			return nil, fmt.Errorf("dataset: %w", err)
		}
		defer f.Close()
		set, err = ParseCSV(f, path)
	default:
		return nil, fmt.Errorf("dataset: %s is %s, not a folder or a CSV file", path, fsutil.Kind(fi.Mode()))
	}
	if err != nil {
		return nil, err
	}
	if len(set.Samples) == 0 {
		return nil, fmt.Errorf("%w in %s (want %s files, or a CSV of file,label rows)", ErrEmpty, path, strings.Join(Extensions, ", "))
	}
	return set, nil
}

// usable reports whether a file name is a data file: not hidden, with a
// known extension.
func usable(name string) bool {
	return !strings.HasPrefix(name, ".") && slices.Contains(Extensions, strings.ToLower(filepath.Ext(name)))
}

func openDir(dir string) (*Set, error) {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	set := &Set{Source: dir}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if !e.IsDir() {
			if usable(e.Name()) && e.Type().IsRegular() {
				set.Samples = append(set.Samples, Sample{Path: p})
			}
			continue
		}
		files, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("dataset: class folder %w", err)
		}
		for _, f := range files {
			if usable(f.Name()) && f.Type().IsRegular() {
				set.Samples = append(set.Samples, Sample{Path: filepath.Join(p, f.Name()), Label: e.Name()})
			}
		}
	}
	return set, nil
}

// ParseCSV reads a CSV data set from r; name is the file's path, which
// errors name and relative paths are resolved against. A row is file or
// file,label; the first row may be the header file,label.
func ParseCSV(r io.Reader, name string) (*Set, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	set := &Set{Source: name}
	base := filepath.Dir(name)
	for first := true; ; first = false {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%w CSV %s:%d: %w", ErrMalformed, name, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("dataset: %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) > 2 {
			return nil, fmt.Errorf("%w CSV %s:%d: %d fields, want file,label", ErrMalformed, name, line, len(rec))
		}
		file := strings.TrimSpace(rec[0])
		label := ""
		if len(rec) == 2 {
			label = strings.TrimSpace(rec[1])
		}
		if first && strings.EqualFold(file, "file") && (len(rec) == 1 || strings.EqualFold(label, "label")) {
			continue
		}
		if file == "" {
			return nil, fmt.Errorf("%w CSV %s:%d: empty file name", ErrMalformed, name, line)
		}
		if !usable(filepath.Base(file)) {
			return nil, fmt.Errorf("%w CSV %s:%d: %q is not a %s file", ErrMalformed, name, line, file, strings.Join(Extensions, ", "))
		}
		if !filepath.IsAbs(file) {
			file = filepath.Join(base, file)
		}
		set.Samples = append(set.Samples, Sample{Path: file, Label: label})
	}
	return set, nil
}

// ReadLabels reads a labels file: one class name a line, in the order of
// the model's scores; trailing blank lines are ignored, other blank lines
// and repeated names are errors.
func ReadLabels(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: labels: %w", err)
	}
	labels, err := ParseLabels(string(data))
	if err != nil {
		return nil, fmt.Errorf("%w labels %s:%w", ErrMalformed, path, err)
	}
	return labels, nil
}

// ParseLabels reads the text of a labels file (see ReadLabels); its
// errors start with the line number.
func ParseLabels(text string) ([]string, error) {
	text = strings.TrimRight(text, " \t\r\n")
	if text == "" {
		return nil, errors.New("1: no labels")
	}
	lines := strings.Split(text, "\n")
	seen := map[string]int{}
	labels := make([]string, 0, len(lines))
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			return nil, fmt.Errorf("%d: blank line (class %d would have no name)", i+1, i)
		}
		if j, dup := seen[l]; dup {
			return nil, fmt.Errorf("%d: %q repeats line %d", i+1, l, j+1)
		}
		seen[l] = i
		labels = append(labels, l)
	}
	return labels, nil
}

// UnknownLabelError reports a sample whose label is not a class.
type UnknownLabelError struct {
	File, Label string
	Classes     int  // how many classes there are
	ByIndex     bool // there was no labels list: labels must be indexes
}

func (e *UnknownLabelError) Error() string {
	if e.ByIndex {
		return fmt.Sprintf("dataset: %s: label %q is not a class index (give a labels file to use names)", e.File, e.Label)
	}
	return fmt.Sprintf("dataset: %s: label %q is not one of the %d labels", e.File, e.Label, e.Classes)
}

// Classes returns the class index of each sample (-1 when unlabelled):
// its label's position in labels or, when labels is nil, the label read
// as an index. classes, when positive, is how many scores the model
// gives: an index at or past it is unknown too.
func (s *Set) Classes(labels []string, classes int) ([]int, error) {
	byName := make(map[string]int, len(labels))
	for i, l := range labels {
		byName[l] = i
	}
	if labels != nil && classes <= 0 {
		classes = len(labels)
	}
	out := make([]int, len(s.Samples))
	for i, x := range s.Samples {
		if x.Label == "" {
			out[i] = -1
			continue
		}
		idx, ok := byName[x.Label]
		if labels == nil {
			n, err := strconv.Atoi(x.Label)
			idx, ok = n, err == nil && n >= 0
		}
		if !ok || classes > 0 && idx >= classes {
			return nil, &UnknownLabelError{File: x.Path, Label: x.Label, Classes: classes, ByIndex: labels == nil}
		}
		out[i] = idx
	}
	return out, nil
}
