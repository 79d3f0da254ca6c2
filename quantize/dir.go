package quantize

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"go.uber.org/multierr"
)

// ManifestName is the file that marks a folder as a quantized model: it
// holds the Plan, whose Model field names the original model beside it.
const ManifestName = "tfoffload-quantized.json"

// maxManifestSize bounds the manifest read from disk.
const maxManifestSize = 64 << 20

// ErrExists reports an output folder that is already there.
var ErrExists = errors.New("quantize: output already exists")

// IsQuantized reports whether dir is a quantized model's folder.
func IsQuantized(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, ManifestName))
	return err == nil && st.Mode().IsRegular()
}

// Open reads a quantized model's folder: its plan, and the path of the
// original model inside it.
func Open(dir string) (*Plan, string, error) {
	name := filepath.Join(dir, ManifestName)
	f, err := os.Open(name)
	if err != nil {
		return nil, "", fmt.Errorf("quantize: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxManifestSize+1))
	if err != nil {
		return nil, "", fmt.Errorf("quantize: %s: %w", name, err)
	}
	if len(data) > maxManifestSize {
		return nil, "", fmt.Errorf("%w: %s is larger than %d bytes", ErrPlan, name, maxManifestSize)
	}
	p, err := ParsePlan(data)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", name, err)
	}
	if p.Model == "" {
		return nil, "", fmt.Errorf("%w: %s names no model", ErrPlan, name)
	}
	return p, filepath.Join(dir, filepath.FromSlash(p.Model)), nil
}

// Output is what Write puts in a quantized model's folder.
type Output struct {
	Plan *Plan
	// Model is the original model (a file, a TF.js model.json with its
	// shards, or a SavedModel folder), copied under model/.
	Model string
	// ONNX holds quantized cluster models to export, by file name
	// (written under onnx/).
	ONNX map[string][]byte
}

// Write creates the folder out holding o, atomically: it builds a
// temporary folder beside out and renames it into place, so out is
// either complete or absent. An existing out is refused (ErrExists).
func Write(out string, o Output) (err error) {
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("%w: %s", ErrExists, out)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(out)), "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return fmt.Errorf("quantize: %w", err)
	}
	defer func() {
		if err != nil {
			err = multierr.Append(err, os.RemoveAll(tmp))
		}
	}()
	plan := *o.Plan
	rel, err := copyModel(o.Model, filepath.Join(tmp, "model"))
	if err != nil {
		return err
	}
	plan.Model = path.Join("model", rel)
	for name, data := range o.ONNX {
		if name != filepath.Base(name) || !strings.HasSuffix(name, ".onnx") {
			return fmt.Errorf("quantize: bad ONNX file name %q", name)
		}
		if err := writeFile(filepath.Join(tmp, "onnx", name), data); err != nil {
			return err
		}
	}
	data, err := plan.Marshal()
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(tmp, ManifestName), data); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("quantize: %w", err)
	}
	return nil
}

func writeFile(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("quantize: %w", err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		return fmt.Errorf("quantize: %w", err)
	}
	return nil
}

// copyModel copies the model at src into the folder dst and returns its
// path relative to dst (slash-separated): a folder (SavedModel) whole, a
// TF.js model.json with the weight shards its manifest lists, any other
// file alone.
func copyModel(src, dst string) (string, error) {
	st, err := os.Stat(src)
	if err != nil {
		return "", fmt.Errorf("quantize: model: %w", err)
	}
	base := filepath.Base(filepath.Clean(src))
	if st.IsDir() {
		return base, copyTree(src, filepath.Join(dst, base))
	}
	files := []string{base}
	if strings.HasSuffix(base, ".json") {
		shards, err := tfjsShards(src)
		if err != nil {
			return "", err
		}
		files = append(files, shards...)
	}
	for _, f := range files {
		if err := copyFile(filepath.Join(filepath.Dir(src), f), filepath.Join(dst, f)); err != nil {
			return "", err
		}
	}
	return base, nil
}

// tfjsShards returns the weight files a TF.js model.json lists, each
// relative to it and inside its folder.
func tfjsShards(name string) ([]string, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("quantize: model: %w", err)
	}
	var m struct {
		WeightsManifest []struct {
			Paths []string `json:"paths"`
		} `json:"weightsManifest"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("quantize: model %s: %w", name, err)
	}
	var out []string
	for _, g := range m.WeightsManifest {
		for _, p := range g.Paths {
			if !filepath.IsLocal(p) {
				return nil, fmt.Errorf("quantize: model %s: weight path %q leaves the model's folder", name, p)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("quantize: model: %w", err)
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return fmt.Errorf("quantize: model: %w", err)
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		case d.Type().IsRegular():
			return copyFile(p, filepath.Join(dst, rel))
		}
		return fmt.Errorf("quantize: model: %s is not a regular file or folder", p)
	})
}

func copyFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("quantize: model: %w", err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("quantize: %w", err)
	}
	out, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("quantize: %w", err)
	}
	defer func() { err = multierr.Append(err, out.Close()) }()
	if _, err := io.Copy(out, in); err != nil {
		return fmt.Errorf("quantize: copying %s: %w", src, err)
	}
	return nil
}
