package checkpoint

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// StateFile is the name of the file in which TensorFlow's savers record a
// directory's latest checkpoint.
const StateFile = "checkpoint"

// dataShardSuffix matches the end of a data shard's name.
var dataShardSuffix = regexp.MustCompile(`\.data-\d{5}-of-\d{5}$`)

// resolvePrefix turns what [Open] accepts into a checkpoint prefix.
func resolvePrefix(path string) (string, error) {
	fi, err := os.Stat(path)
	if err == nil && fi.IsDir() {
		return resolveDir(path)
	}
	switch {
	case strings.HasSuffix(path, ".index") && err == nil:
		return strings.TrimSuffix(path, ".index"), nil
	case isFile(path + ".index"):
		return path, nil
	case dataShardSuffix.MatchString(path) && isFile(dataShardSuffix.ReplaceAllString(path, "")+".index"):
		return dataShardSuffix.ReplaceAllString(path, ""), nil
	case strings.HasSuffix(path, ".meta") && isFile(strings.TrimSuffix(path, ".meta")+".index"):
		return strings.TrimSuffix(path, ".meta"), nil
	case err == nil && isTable(path):
		return "", &Error{File: path, Err: fmt.Errorf("%w: a TensorFlow V1 checkpoint (one table file, no .index); re-save it in the V2 format (tf.train.Saver(write_version=tf.train.SaverDef.V2))", ErrUnsupported)}
	case err == nil:
		return "", &Error{File: path, Err: fmt.Errorf("%w: not a checkpoint, and no %s.index next to it", ErrNotFound, filepath.Base(path))}
	}
	return "", &Error{File: path, Err: fmt.Errorf("%w: no checkpoint: neither a directory, a file nor a prefix with a .index file", ErrNotFound)}
}

// resolveDir finds the checkpoint of a directory: the state file's latest
// checkpoint, a SavedModel's variables, or the only .index file.
func resolveDir(dir string) (string, error) {
	state := filepath.Join(dir, StateFile)
	if isFile(state) {
		return readStateFile(state)
	}
	for _, prefix := range []string{filepath.Join(dir, "variables", "variables"), filepath.Join(dir, "variables")} {
		if isFile(prefix + ".index") {
			return prefix, nil
		}
	}
	indexes, err := filepath.Glob(filepath.Join(glob(dir), "*.index"))
	if err == nil && len(indexes) == 1 {
		return strings.TrimSuffix(indexes[0], ".index"), nil
	}
	return "", &Error{File: dir, Err: fmt.Errorf("%w: no %q state file, no variables/variables.index, and %d .index files", ErrNotFound, StateFile, len(indexes))}
}

// glob escapes the pattern characters of a literal path.
func glob(path string) string {
	return strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`).Replace(path)
}

// readStateFile returns the prefix a checkpoint state file's
// model_checkpoint_path names. A relative path is relative to the file's
// directory and must stay inside it. An absolute path is used when it lies
// inside that directory; otherwise its last element is looked up there,
// because savers record absolute paths and the directory has usually been
// moved since.
// maxStateBytes bounds a checkpoint state file, a few lines of text.
const maxStateBytes = 1 << 20

func readStateFile(state string) (string, error) {
	data, err := readFile(state, maxStateBytes)
	if err != nil {
		return "", &Error{File: state, Err: osError(err)}
	}
	p, err := parseStateFile(data)
	if err != nil {
		return "", &Error{File: state, Err: err}
	}
	dir := filepath.Dir(state)
	if filepath.IsAbs(p) {
		if inside(dir, p) {
			return filepath.Clean(p), nil
		}
		return filepath.Join(dir, filepath.Base(p)), nil
	}
	joined := filepath.Join(dir, p)
	if !inside(dir, joined) {
		return "", &Error{File: state, Err: fmt.Errorf("%w: model_checkpoint_path %q leaves the directory", ErrCorrupt, p)}
	}
	return joined, nil
}

// inside reports whether path lies inside dir (both cleaned lexically).
func inside(dir, path string) bool {
	absDir, err1 := filepath.Abs(dir)
	absPath, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(absDir, absPath)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// parseStateFile reads the model_checkpoint_path field of a CheckpointState
// text proto, the only field a reader needs.
func parseStateFile(data []byte) (string, error) {
	const field = "model_checkpoint_path"
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		rest, ok := strings.CutPrefix(line, field)
		if !ok {
			continue
		}
		rest = strings.TrimSpace(rest)
		if rest, ok = strings.CutPrefix(rest, ":"); !ok {
			continue // a longer field name
		}
		p, err := unquoteText(strings.TrimSpace(rest))
		if err != nil {
			return "", fmt.Errorf("%w: %s: %v", ErrCorrupt, field, err)
		}
		if p == "" {
			return "", fmt.Errorf("%w: %s is empty", ErrCorrupt, field)
		}
		return p, nil
	}
	return "", fmt.Errorf("%w: no %s in the state file", ErrCorrupt, field)
}

// unquoteText decodes a protobuf text-format string literal: single or
// double quotes, C escapes (\n, \", \', \\, octal \ooo, hex \xhh).
func unquoteText(s string) (string, error) {
	if len(s) < 2 || (s[0] != '"' && s[0] != '\'') || s[len(s)-1] != s[0] {
		return "", fmt.Errorf("not a quoted string: %s", s)
	}
	body := s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i++; i >= len(body) {
			return "", fmt.Errorf("trailing backslash in %s", s)
		}
		switch c = body[i]; c {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case '"', '\'', '\\', '?':
			b.WriteByte(c)
		case 'x':
			j := i + 1
			for j < len(body) && j < i+3 && isHex(body[j]) {
				j++
			}
			v, err := strconv.ParseUint(body[i+1:j], 16, 8)
			if err != nil {
				return "", fmt.Errorf("bad \\x escape in %s", s)
			}
			b.WriteByte(byte(v))
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(body) && j < i+3 && body[j] >= '0' && body[j] <= '7' {
				j++
			}
			v, err := strconv.ParseUint(body[i:j], 8, 8)
			if err != nil {
				return "", fmt.Errorf("bad octal escape in %s", s)
			}
			b.WriteByte(byte(v))
			i = j - 1
		default:
			return "", fmt.Errorf("unknown escape \\%c in %s", c, s)
		}
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// isTable reports whether the file ends with the table magic number, as
// V1 checkpoints (and .index files) do.
func isTable(path string) bool {
	f, size, err := openFile(path, -1)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [8]byte
	if size < footerLen {
		return false
	}
	if _, err := f.ReadAt(magic[:], size-8); err != nil && err != io.EOF {
		return false
	}
	return bytes.Equal(magic[:], binary.LittleEndian.AppendUint64(nil, tableMagic))
}
