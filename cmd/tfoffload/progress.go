package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws a progress bar on a terminal ("label  12/100 [===   ]"),
// redrawn at most every progressEvery (and at each change of label and at
// the last step); on anything but a terminal it writes nothing, so piped
// and captured output stays clean. A nil *progress draws nothing.
type progress struct {
	w           io.Writer
	label       string
	total, done int
	last        time.Time
	shown       int // the widest line drawn, for Finish to erase
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

// newStagesProgress returns a bar for work in stages, which Set moves,
// or nil when w is not a terminal.
func newStagesProgress(w io.Writer) *progress {
	if !isTerminal(w) {
		return nil
	}
	return &progress{w: w}
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
	p.draw(p.done == p.total)
}

// Set shows stage at done of total steps (a ptq.Config.Progress).
func (p *progress) Set(stage string, done, total int) {
	if p == nil {
		return
	}
	changed := stage != p.label || total != p.total
	p.label, p.done, p.total = stage, done, total
	p.draw(changed || done == total)
}

// draw redraws the bar when force is set or the last drawing is
// progressEvery old.
func (p *progress) draw(force bool) {
	now := time.Now()
	if p.total < 1 || !force && now.Sub(p.last) < progressEvery {
		return
	}
	p.last = now
	fill := min(p.done, p.total) * progressWidth / p.total
	line := fmt.Sprintf("%s %*d/%d [%s%s]", p.label, len(fmt.Sprint(p.total)), p.done, p.total,
		strings.Repeat("=", fill), strings.Repeat(" ", progressWidth-fill))
	fmt.Fprintf(p.w, "\r%-*s", p.shown, line)
	p.shown = max(p.shown, len(line))
}

// Finish erases the bar.
func (p *progress) Finish() {
	if p != nil && p.shown > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.shown))
	}
}
