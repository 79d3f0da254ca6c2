package fsutil

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestKind(t *testing.T) {
	for m, want := range map[fs.FileMode]string{
		0o644:                             "a regular file",
		fs.ModeDir | 0o755:                "a directory",
		fs.ModeNamedPipe:                  "a FIFO",
		fs.ModeSocket:                     "a socket",
		fs.ModeDevice | fs.ModeCharDevice: "a character device",
		fs.ModeDevice:                     "a block device",
		fs.ModeSymlink:                    "a symbolic link",
		fs.ModeIrregular:                  "a special file (?---------)",
	} {
		assert.Equal(t, want, Kind(m), "%v", m)
	}
}
