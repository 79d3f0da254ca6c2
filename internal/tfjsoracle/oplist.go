package tfjsoracle

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// ConverterOp is one TensorFlow op the TF.js converter maps, with the
// category of its op_list file ("arithmetic", "basic_math", ...).
type ConverterOp struct {
	Category string
	Op       string
}

// OpListFile is the committed copy of the pinned converter's op list,
// relative to the repository root.
const OpListFile = "testdata/tfjs/converter_ops.txt"

// ReadOpList reads the committed op list at root: the converter version it
// was taken from and its ops, sorted by category and op.
func ReadOpList(root string) (version string, ops []ConverterOp, err error) {
	p := filepath.Join(root, filepath.FromSlash(OpListFile))
	f, err := os.Open(p)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if v, ok := strings.CutPrefix(text, "# version "); ok {
			version = v
			continue
		}
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) != 2 {
			return "", nil, fmt.Errorf("%s:%d: want CATEGORY OP, got %q", p, line, text)
		}
		ops = append(ops, ConverterOp{Category: fields[0], Op: fields[1]})
	}
	if err := sc.Err(); err != nil {
		return "", nil, err
	}
	if version == "" {
		return "", nil, fmt.Errorf("%s: no '# version' line", p)
	}
	return version, ops, nil
}

// FormatOpList is the text of the committed op list for ops taken from
// the converter of the given version.
func FormatOpList(version string, ops []ConverterOp) []byte {
	var b strings.Builder
	b.WriteString("# The TensorFlow ops TensorFlow.js's graph-model converter maps, by category:\n")
	b.WriteString("# the tfOpName entries of @tensorflow/tfjs-converter's dist/operations/op_list.\n")
	b.WriteString("# Regenerate after changing the pin in package.json (scripts/install-tfjs.sh first):\n")
	b.WriteString("#   go test ./internal/tfjsoracle -run TestConverterOpList -update\n")
	fmt.Fprintf(&b, "# version %s\n", version)
	for _, o := range ops {
		fmt.Fprintf(&b, "%s %s\n", o.Category, o.Op)
	}
	return []byte(b.String())
}

var tfOpName = regexp.MustCompile(`['"]tfOpName['"]\s*:\s*['"](\w+)['"]`)

// InstalledOpList reads the op list of the installed converter: every
// tfOpName in its dist/operations/op_list/<category>.js files, sorted by
// category and op, each (category, op) once.
func (o *Oracle) InstalledOpList() ([]ConverterOp, error) {
	dir := filepath.Join(o.Modules, "@tensorflow", "tfjs-converter", "dist", "operations", "op_list")
	files, err := filepath.Glob(filepath.Join(dir, "*.js"))
	if err != nil {
		return nil, err
	}
	var ops []ConverterOp
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		cat := strings.TrimSuffix(filepath.Base(f), ".js")
		for _, m := range tfOpName.FindAllSubmatch(src, -1) {
			ops = append(ops, ConverterOp{Category: cat, Op: string(m[1])})
		}
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("%w: no ops in %s", ErrNotInstalled, dir)
	}
	slices.SortFunc(ops, func(a, b ConverterOp) int {
		if c := strings.Compare(a.Category, b.Category); c != 0 {
			return c
		}
		return strings.Compare(a.Op, b.Op)
	})
	return slices.Compact(ops), nil
}
