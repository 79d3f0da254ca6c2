package engine

import (
	"container/list"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"go.uber.org/multierr"

	"github.com/tfoffload/tfoffload/tensor"
)

// Cache holds compiled sessions by key, keeping at most its size of them
// and evicting the least recently used. It owns the sessions it holds.
//
// A session handed out by Get stays open until its release function has
// been called, even if it is evicted or the cache is closed meanwhile: the
// last release closes it. Concurrent Gets that miss the same key compile it
// once; the others wait and share the result. Cache is safe for concurrent
// use.
type Cache struct {
	mu       sync.Mutex
	size     int
	lru      *list.List // of *cacheEntry, most recently used first
	entries  map[string]*list.Element
	inflight map[string]*compileCall
	closed   bool
}

type cacheEntry struct {
	key  string
	sess *Session
	refs int  // handed out and not yet released
	gone bool // evicted or the cache closed: close when refs drops to 0
}

// compileCall is one compile in progress; waiters block on done.
type compileCall struct {
	done chan struct{}
	err  error
}

// NewCache returns an empty cache holding at most size sessions; a size
// below 1 is taken as 1.
func NewCache(size int) *Cache {
	if size < 1 {
		size = 1
	}
	return &Cache{
		size:     size,
		lru:      list.New(),
		entries:  make(map[string]*list.Element),
		inflight: make(map[string]*compileCall),
	}
}

// Get returns the session cached under key, compiling it with compile on a
// miss. The caller must call release once it no longer uses the session
// (calling it again does nothing) and must not Close the session itself.
// If compile fails, Get returns its error to every caller waiting for that
// key and caches nothing, so a later Get tries again.
func (c *Cache) Get(key string, compile func() (*Session, error)) (sess *Session, release func(), err error) {
	c.mu.Lock()
	for {
		if c.closed {
			c.mu.Unlock()
			return nil, nil, fmt.Errorf("engine: cache get: %w", ErrClosed)
		}
		if el, ok := c.entries[key]; ok {
			c.lru.MoveToFront(el)
			e := el.Value.(*cacheEntry)
			e.refs++
			c.mu.Unlock()
			return e.sess, c.releaser(e), nil
		}
		call, ok := c.inflight[key]
		if !ok {
			break
		}
		c.mu.Unlock()
		<-call.done
		if call.err != nil {
			return nil, nil, call.err
		}
		c.mu.Lock()
		// The compiled session is normally cached now; if it was already
		// evicted, the loop compiles it again.
	}
	call := &compileCall{done: make(chan struct{})}
	c.inflight[key] = call
	c.mu.Unlock()

	var compiled *Session
	defer func() {
		// Runs even if compile panics, so that waiters are released.
		c.mu.Lock()
		delete(c.inflight, key)
		if call.err == nil && compiled == nil {
			call.err = fmt.Errorf("engine: cache: compiling %q did not return", key)
		}
		close(call.done)
		c.mu.Unlock()
	}()
	compiled, err = compile()
	if err == nil && compiled == nil {
		err = errors.New("engine: cache: compile returned no session and no error")
	}
	if err != nil {
		call.err = err
		return nil, nil, err
	}

	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		call.err = fmt.Errorf("engine: cache get: %w", ErrClosed)
		return nil, nil, multierr.Append(call.err, compiled.Close())
	}
	e := &cacheEntry{key: key, sess: compiled, refs: 1}
	c.entries[key] = c.lru.PushFront(e)
	evicted := c.evictLocked()
	c.mu.Unlock()
	// Closing an evicted session cannot fail (Session.Close always returns
	// nil), and it is no business of this Get if it did.
	_ = closeAll(evicted)
	return compiled, c.releaser(e), nil
}

// evictLocked drops least recently used entries beyond the size and
// returns the sessions that can be closed now.
func (c *Cache) evictLocked() []*Session {
	var toClose []*Session
	for c.lru.Len() > c.size {
		el := c.lru.Back()
		e := el.Value.(*cacheEntry)
		c.lru.Remove(el)
		delete(c.entries, e.key)
		e.gone = true
		if e.refs == 0 {
			toClose = append(toClose, e.sess)
		}
	}
	return toClose
}

// releaser returns the release function for one hand-out of e.
func (c *Cache) releaser(e *cacheEntry) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			e.refs--
			closeNow := e.gone && e.refs == 0
			c.mu.Unlock()
			if closeNow {
				_ = e.sess.Close()
			}
		})
	}
}

// Len returns the number of sessions cached.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// Close closes every cached session that no caller holds; the held ones
// close when released. Later Gets fail with ErrClosed. Close is
// idempotent.
func (c *Cache) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	var toClose []*Session
	for el := c.lru.Front(); el != nil; el = el.Next() {
		e := el.Value.(*cacheEntry)
		e.gone = true
		if e.refs == 0 {
			toClose = append(toClose, e.sess)
		}
	}
	c.lru.Init()
	clear(c.entries)
	c.mu.Unlock()
	return closeAll(toClose)
}

func closeAll(ss []*Session) error {
	var err error
	for _, s := range ss {
		err = multierr.Append(err, s.Close())
	}
	return err
}

// Signature builds a Cache key from the dtypes and shapes of inputs and
// the dtypes, shapes and values of static: the inputs whose values were
// folded into the compiled model (a Reshape's target shape, say), so that
// a different value needs a different session. Equal signatures mean the
// same compiled model can serve both calls. The key is readable, for
// example "float32[1,224,224,3];int64[2]=(1,-1)".
func Signature(inputs []*tensor.Tensor, static ...*tensor.Tensor) string {
	var b strings.Builder
	for i, t := range inputs {
		if i > 0 {
			b.WriteByte(';')
		}
		writeTypeShape(&b, t)
	}
	for i, t := range static {
		if len(inputs)+i > 0 {
			b.WriteByte(';')
		}
		writeTypeShape(&b, t)
		if t != nil {
			b.WriteString("=(")
			writeValues(&b, t)
			b.WriteByte(')')
		}
	}
	return b.String()
}

func writeTypeShape(b *strings.Builder, t *tensor.Tensor) {
	if t == nil {
		b.WriteString("nil")
		return
	}
	b.WriteString(t.DType().String())
	b.WriteString(t.Shape().String())
}

// writeValues writes t's elements exactly: integers in decimal, floats in
// the shortest form that reads back to the same value, half floats as
// their bits, strings quoted.
func writeValues(b *strings.Builder, t *tensor.Tensor) {
	sep := func(i int) {
		if i > 0 {
			b.WriteByte(',')
		}
	}
	switch v := t.Data().(type) {
	case []float32:
		for i, x := range v {
			sep(i)
			b.WriteString(strconv.FormatFloat(float64(x), 'g', -1, 32))
		}
	case []float64:
		for i, x := range v {
			sep(i)
			b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
	case []complex64:
		for i, x := range v {
			sep(i)
			b.WriteString(strconv.FormatComplex(complex128(x), 'g', -1, 64))
		}
	case []complex128:
		for i, x := range v {
			sep(i)
			b.WriteString(strconv.FormatComplex(x, 'g', -1, 128))
		}
	case []tensor.F16:
		for i, x := range v {
			sep(i)
			b.WriteString("0x" + strconv.FormatUint(uint64(x), 16))
		}
	case []tensor.BF16:
		for i, x := range v {
			sep(i)
			b.WriteString("0x" + strconv.FormatUint(uint64(x), 16))
		}
	case []string:
		for i, x := range v {
			sep(i)
			b.WriteString(strconv.Quote(x))
		}
	case []bool:
		for i, x := range v {
			sep(i)
			b.WriteString(strconv.FormatBool(x))
		}
	case []int8:
		writeInts(b, v)
	case []int16:
		writeInts(b, v)
	case []int32:
		writeInts(b, v)
	case []int64:
		writeInts(b, v)
	case []uint8:
		writeUints(b, v)
	case []uint16:
		writeUints(b, v)
	case []uint32:
		writeUints(b, v)
	case []uint64:
		writeUints(b, v)
	default:
		fmt.Fprintf(b, "%v", v)
	}
}

func writeInts[T int8 | int16 | int32 | int64](b *strings.Builder, v []T) {
	for i, x := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(int64(x), 10))
	}
}

func writeUints[T uint8 | uint16 | uint32 | uint64](b *strings.Builder, v []T) {
	for i, x := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(uint64(x), 10))
	}
}
