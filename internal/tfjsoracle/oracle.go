package tfjsoracle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/tfoffload/tfoffload/tensor"
)

// ErrNotInstalled is wrapped by Find's errors: node, the pinned
// TensorFlow.js packages or the runner script are missing.
var ErrNotInstalled = errors.New("TensorFlow.js is not installed (run scripts/install-tfjs.sh)")

// Oracle is an installed TensorFlow.js, ready to run models.
type Oracle struct {
	Node    string // the node executable
	Modules string // node_modules holding the pinned @tensorflow packages
	Script  string // testdata/tfjs/run_tfjs.js
	Version string // the pinned version, as package.json has it
}

// Find locates node, the TensorFlow.js installation scripts/install-tfjs.sh
// made and the runner script, for the repository at root. It fails, with
// ErrNotInstalled, when any is missing or the installed converter is not
// the version root's testdata/tfjs/package.json pins.
func Find(root string) (*Oracle, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotInstalled, err)
	}
	pinned, err := PinnedVersion(root)
	if err != nil {
		return nil, err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotInstalled, err)
	}
	o := &Oracle{
		Node:    node,
		Modules: filepath.Join(cache, "tfoffload", "tfjs", "node_modules"),
		Script:  filepath.Join(root, "testdata", "tfjs", "run_tfjs.js"),
		Version: pinned,
	}
	for _, pkg := range []string{"tfjs-core", "tfjs-converter", "tfjs-backend-cpu"} {
		got, err := packageVersion(filepath.Join(o.Modules, "@tensorflow", pkg, "package.json"))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotInstalled, err)
		}
		if got != pinned {
			return nil, fmt.Errorf("%w: @tensorflow/%s is %s in %s, the repository pins %s", ErrNotInstalled, pkg, got, o.Modules, pinned)
		}
	}
	if _, err := os.Stat(o.Script); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotInstalled, err)
	}
	return o, nil
}

// PinnedVersion returns the @tensorflow/tfjs-converter version that root's
// testdata/tfjs/package.json pins.
func PinnedVersion(root string) (string, error) {
	p := filepath.Join(root, "testdata", "tfjs", "package.json")
	data, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	v := pkg.Dependencies["@tensorflow/tfjs-converter"]
	if v == "" {
		return "", fmt.Errorf("%s pins no @tensorflow/tfjs-converter", p)
	}
	return v, nil
}

func packageVersion(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var pkg struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return pkg.Version, nil
}

// Run runs the TF.js graph model at modelPath (its model.json) on
// TensorFlow.js's backend (the CPU backend when backend is ""), fed with
// feeds keyed by tensor name ("input:0"), and returns the fetches in
// order, in TensorFlow.js's dtypes. work is an empty folder for the files
// exchanged with node.
func (o *Oracle) Run(ctx context.Context, work, modelPath, backend string, feeds map[string]*tensor.Tensor, fetches []string) ([]*tensor.Tensor, error) {
	if backend == "" {
		backend = "cpu"
	}
	spec := struct {
		Model   string            `json:"model"`
		Backend string            `json:"backend"`
		Inputs  map[string]string `json:"inputs"`
		Outputs []string          `json:"outputs"`
		OutDir  string            `json:"outDir"`
	}{Model: modelPath, Backend: backend, Inputs: map[string]string{}, Outputs: fetches, OutDir: filepath.Join(work, "out")}
	i := 0
	for name, t := range feeds {
		p := filepath.Join(work, fmt.Sprintf("in%d.npy", i))
		i++
		if err := tensor.WriteNPYFile(p, t); err != nil {
			return nil, fmt.Errorf("tfjs: input %s: %w", name, err)
		}
		spec.Inputs[name] = p
	}
	specPath := filepath.Join(work, "spec.json")
	data, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(specPath, data, 0o644); err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, o.Node, o.Script, o.Modules, specPath)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("tfjs: %s: %w: %s", modelPath, err, failure(stderr.String()))
	}
	out := make([]*tensor.Tensor, len(fetches))
	for k := range fetches {
		if out[k], err = tensor.ReadNPYFile(filepath.Join(spec.OutDir, fmt.Sprintf("%d.npy", k))); err != nil {
			return nil, fmt.Errorf("tfjs: output %s: %w", fetches[k], err)
		}
	}
	return out, nil
}

// failure picks the runner's own error line ("run_tfjs: ...") out of
// node's standard error, else its last line.
func failure(stderr string) string {
	last := ""
	for _, l := range strings.Split(stderr, "\n") {
		if msg, ok := strings.CutPrefix(l, "run_tfjs: "); ok {
			return msg
		}
		if l = strings.TrimSpace(l); l != "" {
			last = l
		}
	}
	return last
}
