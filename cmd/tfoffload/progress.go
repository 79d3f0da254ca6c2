package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws a progress bar on a terminal ("label  12/100 [===   ]"),
// redrawn at most every progressEvery; on anything but a terminal it
// writes nothing, so piped and captured output stays clean.
type progress struct {
	w           io.Writer
	label       string
	total, done int
	last        time.Time
}

const (
	progressEvery = 100 * time.Millisecond
	progressWidth = 30
)

// newProgress returns a bar for total steps on w, or nil (which draws
// nothing) when w is not a terminal or total is below 2.
func newProgress(w io.Writer, label string, total int) *progress {
	if !isTerminal(w) || total < 2 {
		return nil
	}
	return &progress{w: w, label: label, total: total}
}

// isTerminal reports whether w is a character device, such as a
// terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Step counts one step done and redraws the bar when it is due.
func (p *progress) Step() {
	if p == nil {
		return
	}
	p.done++
	if now := time.Now(); p.done == p.total || now.Sub(p.last) >= progressEvery {
		p.last = now
		fill := p.done * progressWidth / p.total
		fmt.Fprintf(p.w, "\r%s %*d/%d [%s%s]", p.label, len(fmt.Sprint(p.total)), p.done, p.total,
			strings.Repeat("=", fill), strings.Repeat(" ", progressWidth-fill))
	}
}

// Finish erases the bar.
func (p *progress) Finish() {
	if p == nil {
		return
	}
	fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", len(p.label)+2*len(fmt.Sprint(p.total))+progressWidth+5))
}
